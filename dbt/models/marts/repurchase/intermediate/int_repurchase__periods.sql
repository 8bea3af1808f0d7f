{{ config(materialized='table') }}

{#-
    The calendar periods of every grain in var period_grains (month, quarter,
    year): one row per grain and period, from the period of the first order day
    to the period of the last order day on or before the as-of date, with the
    periods without orders in between. period_index counts periods from 0 within
    a grain, so that "the previous period" is period_index - 1. period_end is the
    calendar end, or the as-of date for the period that holds it (nothing after
    the as-of date is known).
-#}

-- the union over grains renders from a Jinja loop, which the layout rule cannot follow
-- noqa: disable=LT02

with

bounds as (

    select
        min(order_days.order_date) as first_order_day,
        max(order_days.order_date) as last_order_day,
        max(order_days.as_of_date) as as_of_date

    from {{ ref('int_repurchase__order_days') }} as order_days
    where order_days.is_order_day

),

integers as (

    {{ integers(4) }}

),

periods as (
    {%- for grain in var('period_grains') %}
    {%- set first_period = period_start(grain, 'bounds.first_order_day') %}

    select
        '{{ grain }}' as period_grain,
        integers.n as period_index,
        cast(
            {{ period_add(grain, 'integers.n', first_period) }}
            as date
        ) as period_start,
        cast(
            {{ dbt.dateadd('day', -1, period_add(grain, 'integers.n + 1', first_period)) }}
            as date
        ) as calendar_end

    from bounds
    cross join integers
    where
        integers.n <= {{ periods_between(
            grain,
            period_start(grain, 'bounds.first_order_day'),
            period_start(grain, 'bounds.last_order_day')
        ) }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

select
    periods.period_grain,
    cast(periods.period_index as {{ dbt.type_int() }}) as period_index,
    periods.period_start,
    case
        when periods.calendar_end > bounds.as_of_date then bounds.as_of_date
        else periods.calendar_end
    end as period_end,
    periods.calendar_end <= bounds.as_of_date as is_complete

from periods
cross join bounds
