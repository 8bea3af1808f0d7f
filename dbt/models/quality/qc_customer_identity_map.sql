{#-
    The frame GX suite marts.customer_identity_map validates (expectations/marts/customer_identity_map.json):
    totals of the identity map. Columns in _quality__models.yml.
-#}
select
    count(*) as records,
    count(case when customer_key is null then 1 end) as records_without_customer,
    min(match_confidence) as min_confidence,
    max(match_confidence) as max_confidence,
    avg(
        case when not is_resolved then 1.0 when not (not is_resolved) then 0.0 end
    ) as unresolved_share

from {{ ref('customer_identity_map') }}
