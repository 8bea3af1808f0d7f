{#-
    The frame GX suite marts.customer_segments validates (expectations/marts/customer_segments.json):
    customers and share of each micro-segment. Columns in _quality__models.yml.
-#}
with

segments as (

    select
        segment_code,
        count(*) as customers

    from {{ ref('customer_segments') }}

    group by 1

)

select
    segment_code,
    customers,
    cast(customers as {{ vector_crm.type_double() }}) / nullif(sum(customers) over (), 0) as share  -- noqa: RF04

from segments
