{#-
    The frame GX suite marts.customer_desertion_risk validates (expectations/marts/customer_desertion_risk.json):
    totals of the risk scores and their reasons. Columns in _quality__models.yml.
-#}
select
    count(*) as customers,
    count(
        case when hiatus_status = 'deserted' and risk_reasons not like '%DESERTED%' then 1 end
    ) as deserted_without_reason,
    count(case when risk_score = 0 and risk_reasons <> '' then 1 end) as reasons_without_points,
    avg(
        case when hiatus_status = 'deserted' then 1.0 when not (hiatus_status = 'deserted') then 0.0 end
    ) as deserted_share

from {{ ref('customer_desertion_risk') }}
