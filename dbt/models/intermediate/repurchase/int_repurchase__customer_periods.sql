{{ config(materialized='table') }}

{#-
    One row per grain, period and customer active in it (at least one order
    day in the period, on or before the as-of date), with what the period
    metrics count per customer: order days in the period, the customer's first
    order day, whether the customer was active in the previous period too, and
    in how many of the loyal_lookback_periods periods ending with this one
    (this one counted) the customer was active.
-#}

-- the union over grains renders from a Jinja loop, which the layout rule cannot follow
-- noqa: disable=LT02

with

as_of as (

    select as_of_date from {{ ref('int_segments__as_of') }}

),

order_days as (

    select
        order_days.customer_id,
        order_days.order_date,
        order_days.first_order_day

    from {{ ref('int_customers__order_days') }} as order_days
    inner join as_of
        on order_days.order_date <= as_of.as_of_date
    where order_days.is_order_day

),

by_period as (
    {%- for grain in var('period_grains') %}

    select
        '{{ grain }}' as period_grain,
        customer_id,
        {{ period_start(grain, 'order_date') }} as period_start,
        min(first_order_day) as first_order_day,
        count(*) as order_days

    from order_days

    group by 1, 2, 3
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

indexed as (

    select
        by_period.period_grain,
        by_period.customer_id,
        periods.period_index,
        by_period.period_start,
        by_period.first_order_day,
        by_period.order_days

    from by_period
    inner join {{ ref('int_repurchase__periods') }} as periods
        on
            by_period.period_grain = periods.period_grain
            and by_period.period_start = periods.period_start

)

select
    period_grain,
    customer_id,
    period_index,
    period_start,
    first_order_day,
    cast(order_days as {{ dbt.type_int() }}) as order_days,
    coalesce(
        lag(period_index) over customer_periods = period_index - 1, false
    ) as was_active_in_previous_period,
    cast(
        count(*) over (
            partition by period_grain, customer_id
            order by period_index
            range between {{ var('loyal_lookback_periods') - 1 }} preceding and current row
        )
        as {{ dbt.type_int() }}
    ) as active_periods_in_lookback

from indexed

window customer_periods as (
    partition by period_grain, customer_id
    order by period_index
)
