{#-
    The frame GX suite marts.customer_segment_history validates (expectations/marts/customer_segment_history.json):
    customers of each month end, against the month end before. Columns in _quality__models.yml.
-#}
with

months as (

    select
        month_end,
        count(*) as customers,
        lag(month_end) over (order by month_end) as month_end_before,
        lag(count(*)) over (order by month_end) as customers_before

    from {{ ref('customer_segment_history') }}

    group by 1

)

select
    month_end,
    customers,
    cast(customers as {{ vector_crm.type_double() }}) / nullif(customers_before, 0) as customers_vs_month_before,
    {{ dbt.datediff('month_end_before', 'month_end', 'day') }}
        as days_since_month_before

from months
