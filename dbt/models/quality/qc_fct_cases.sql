{#-
    The frame GX suite marts.fct_cases validates (expectations/marts/fct_cases.json):
    totals and rates of the cases. Columns in _quality__models.yml.
-#}
{%- set missing_key = "'" ~ var('missing_customer_key') ~ "'" %}

select
    count(*) as cases,
    avg(
        case when met_sla then 1.0 when not (met_sla) then 0.0 end
    ) as met_sla_rate,
    avg(
        case when is_escalated then 1.0 when not (is_escalated) then 0.0 end
    ) as escalation_rate,
    avg(
        case when case_type = 'complaint' then 1.0 when not (case_type = 'complaint') then 0.0 end
    ) as complaint_share,
    min(resolution_seconds) as min_resolution_seconds,
    avg(
        case when customer_key = {{ missing_key }} then 1.0 when not (customer_key = {{ missing_key }}) then 0.0 end
    ) as missing_customer_share

from {{ ref('fct_cases') }}
