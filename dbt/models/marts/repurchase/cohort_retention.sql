{#-
    Monthly acquisition cohorts (definitions in _repurchase__models.yml): one
    row per cohort month (the month of the customer's first order day) and
    month since it (0 = the cohort month), up to the month of the last order
    day on or before the as-of date; months without activity included.
-#}

{%- set months_since = dbt.datediff('cohort_month', 'activity_month', 'month') %}
{%- set months_to_last = dbt.datediff('cohorts.cohort_month', 'last_month.last_activity_month', 'month') %}

with

order_rows as (

    -- completed-order rows of customers who have bought by then (credit notes
    -- dated before a customer's first order day belong to no cohort)
    select
        order_days.customer_id,
        order_days.is_order_day,
        order_days.net_revenue,
        {{ period_start('month', 'order_days.first_order_day') }} as cohort_month,
        {{ period_start('month', 'order_days.order_date') }} as activity_month

    from {{ ref('int_repurchase__order_days') }} as order_days
    where order_days.first_order_day is not null

),

cohorts as (

    select
        cohort_month,
        count(distinct customer_id) as cohort_customers

    from order_rows

    group by 1

),

last_month as (

    select max(activity_month) as last_activity_month
    from order_rows
    where is_order_day

),

activity as (

    select
        cohort_month,
        cast({{ months_since }} as {{ dbt.type_int() }}) as months_since_first_order,
        count(distinct case when is_order_day then customer_id end) as active_customers,
        sum(net_revenue) as revenue

    from order_rows

    group by 1, 2

),

integers as (

    {{ integers(4) }}

),

grid as (

    select
        cohorts.cohort_month,
        cohorts.cohort_customers,
        cast(integers.n as {{ dbt.type_int() }}) as months_since_first_order

    from cohorts
    cross join last_month
    inner join integers
        on integers.n <= {{ months_to_last }}

)

select
    grid.cohort_month,
    grid.months_since_first_order,
    cast({{ dbt.dateadd('month', 'grid.months_since_first_order', 'grid.cohort_month') }} as date)
        as activity_month,
    cast(grid.cohort_customers as {{ dbt.type_int() }}) as cohort_customers,
    cast(coalesce(activity.active_customers, 0) as {{ dbt.type_int() }}) as active_customers,
    cast(
        cast(coalesce(activity.active_customers, 0) as {{ dbt.type_numeric() }}) / grid.cohort_customers
        as {{ dbt.type_numeric() }}
    ) as retention_rate,
    cast(coalesce(activity.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
    cast(
        sum(coalesce(activity.revenue, 0)) over (
            partition by grid.cohort_month
            order by grid.months_since_first_order
            rows between unbounded preceding and current row
        ) / grid.cohort_customers
        as {{ dbt.type_numeric() }}
    ) as cumulative_revenue_per_customer

from grid
left join activity
    on
        grid.cohort_month = activity.cohort_month
        and grid.months_since_first_order = activity.months_since_first_order
