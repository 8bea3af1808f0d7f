{{ config(materialized='table') }}

{#-
    One row per grain, period and customer active in it (at least one order
    day in the period, on or before the as-of date), with what the period
    metrics count per customer: order days in the period, the customer's first
    order day, whether the customer was active in the previous period too, and
    in how many of the loyal_lookback_periods periods ending with this one
    (this one counted) the customer was active. Grains must be whole months
    (month, quarter, year): they are rolled up from customer-months.
-#}

-- the union over grains renders from a Jinja loop, which the layout rule cannot follow
-- noqa: disable=LT02

with

order_days as (

    select
        order_days.customer_id,
        order_days.order_date,
        order_days.first_order_day

    from {{ ref('int_repurchase__order_days') }} as order_days
    where order_days.is_order_day

),

-- customer-months first: every grain is a whole number of months, so quarters and
-- years roll up from these few rows instead of re-reading every order day
months as (

    select
        customer_id,
        {{ period_start('month', 'order_date') }} as month_start,
        min(first_order_day) as first_order_day,
        count(*) as order_days

    from order_days

    group by 1, 2

),

{%- for grain in var('period_grains') %}

active_by_{{ grain }} as (

    select
        months.customer_id,
        periods.period_index,
        periods.period_start,
        min(months.first_order_day) as first_order_day,
        sum(months.order_days) as order_days

    from months
    inner join {{ ref('int_repurchase__periods') }} as periods
        on
            periods.period_grain = '{{ grain }}'
            and {{ period_start(grain, 'months.month_start') }} = periods.period_start

    group by 1, 2, 3

),
{%- endfor %}

-- per grain, over the customer's active periods in order: the k-th previous active
-- period lies within the lookback when its index is >= period_index - lookback + 1
-- (lags in one sorted pass; a range frame costs several times more on millions of rows)
counted as (
    {%- for grain in var('period_grains') %}

    select
        '{{ grain }}' as period_grain,
        customer_id,
        period_index,
        period_start,
        first_order_day,
        order_days,
        coalesce(lag(period_index) over customer_periods = period_index - 1, false)
            as was_active_in_previous_period,
        1
        {%- for k in range(1, var('loyal_lookback_periods')) %}
        + case
            when lag(period_index, {{ k }}) over customer_periods
                >= period_index - {{ var('loyal_lookback_periods') - 1 }} then 1
            else 0
        end
        {%- endfor %} as active_periods_in_lookback

    from active_by_{{ grain }}

    window customer_periods as (partition by customer_id order by period_index)
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

select
    period_grain,
    customer_id,
    period_index,
    period_start,
    first_order_day,
    cast(order_days as {{ dbt.type_int() }}) as order_days,
    was_active_in_previous_period,
    cast(active_periods_in_lookback as {{ dbt.type_int() }}) as active_periods_in_lookback

from counted
