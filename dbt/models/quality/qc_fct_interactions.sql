{#-
    The frame GX suite marts.fct_interactions validates (expectations/marts/fct_interactions.json):
    totals and rates of the interactions. Columns in _quality__models.yml.
-#}
select
    count(*) as interactions,
    avg(
        case when is_abandoned then 1.0 when not (is_abandoned) then 0.0 end
    ) as abandon_rate,
    avg(
        case when is_self_served then 1.0 when not (is_self_served) then 0.0 end
    ) as self_served_rate,
    min(handle_seconds) as min_handle_seconds

from {{ ref('fct_interactions') }}
