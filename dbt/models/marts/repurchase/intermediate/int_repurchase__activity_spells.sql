{{ config(materialized='table') }}

{#-
    Activity spells: one row per customer and maximal stretch of days on which
    the customer is *active*, i.e. has an order day in (d - W, d] with
    W = desertion_window_days. An order day o makes the customer active on
    days [o, o + W); consecutive order days less than or exactly W days apart
    keep the customer active without a break, so a new spell starts at the
    first order day and at every order day more than W days after the
    previous one. A spell covers [spell_start, spell_end): spell_end, the first
    inactive day, is the spell's last order day + W. Order days after the
    as-of date do not count.

    "Active on day d" is then one range test (spell_start <= d < spell_end),
    and a customer is in at most one spell on any day.
-#}

with

order_days as (

    select
        order_days.customer_id,
        order_days.order_date,
        order_days.first_order_day,
        case
            when order_days.gap_days is null or order_days.gap_days > {{ var('desertion_window_days') }} then 1
            else 0
        end as starts_spell

    from {{ ref('int_repurchase__order_days') }} as order_days
    where order_days.is_order_day

),

numbered as (

    select
        customer_id,
        order_date,
        first_order_day,
        cast(sum(starts_spell) over (
            partition by customer_id
            order by order_date
            rows between unbounded preceding and current row
        ) as {{ dbt.type_int() }}) as spell_number

    from order_days

)

select
    customer_id,
    spell_number,
    min(first_order_day) as first_order_day,
    min(order_date) as spell_start,
    max(order_date) as last_order_day,
    cast({{ dbt.dateadd('day', var('desertion_window_days'), 'max(order_date)') }} as date) as spell_end,
    cast(count(*) as {{ dbt.type_int() }}) as order_days

from numbered

group by 1, 2
