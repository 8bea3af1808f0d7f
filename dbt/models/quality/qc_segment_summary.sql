{#-
    The frame GX suite marts.segment_summary validates (expectations/marts/segment_summary.json):
    each segment of the VECTOR card, against customer_segments. Columns in _quality__models.yml.
-#}
with

segmented as (

    select count(*) as customers
    from {{ ref('customer_segments') }}

)

select
    cards.segment_code,
    cards.records,
    cards.active_customers,
    cards.score,
    cards.margin_pct,
    cards.revenue_per_active,
    cast(sum(cards.records) over () as {{ vector_crm.type_double() }}) / nullif(segmented.customers, 0)
        as records_vs_segmented_customers

from {{ ref('segment_summary') }} as cards
cross join segmented
