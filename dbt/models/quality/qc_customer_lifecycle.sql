{#-
    The frame GX suite marts.customer_lifecycle validates (expectations/marts/customer_lifecycle.json):
    customers and share of each life-cycle stage. Columns in _quality__models.yml.
-#}
with

stages as (

    select
        lifecycle_stage,
        count(*) as customers,
        count(case when last_order_date < first_order_date then 1 end) as last_before_first

    from {{ ref('customer_lifecycle') }}

    group by 1

)

select
    lifecycle_stage,
    customers,
    cast(customers as {{ vector_crm.type_double() }}) / nullif(sum(customers) over (), 0) as share,  -- noqa: RF04
    sum(last_before_first) over () as last_before_first

from stages
