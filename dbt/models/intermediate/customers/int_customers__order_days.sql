{{ config(materialized='table') }}

{#-
    One row per customer and date on which the customer has at least one order
    with completed lines (fct_orders.net_revenue counts completed lines only),
    with the customer's running totals up to and including that date.

    An *order day* is a date with at least one completed order with
    net_revenue >= 0 (a date with only credit notes is a row, for revenue, but
    not an order day). The running columns let any "as of date D" question be
    answered from one row: the customer's latest row on or before D
    (order_date <= D < next_row_date). Window totals are differences of two
    such rows. The missing member is left out: it is not a customer.
-#}

with

orders as (

    select
        customer_key,
        order_date,
        net_revenue,
        gross_margin,
        cost_amount

    from {{ ref('fct_orders') }}
    where
        completed_lines > 0
        and customer_key <> '{{ var("missing_customer_key") }}'

),

days as (

    select
        customer_key,
        order_date,
        count(case when net_revenue >= 0 then 1 end) as completed_orders,
        sum(net_revenue) as net_revenue,
        -- margin only where the cost is known; costed_revenue is its base
        sum(gross_margin) as gross_margin,
        sum(case when cost_amount is not null then net_revenue end) as costed_revenue

    from orders

    group by 1, 2

),

order_day_gaps as (

    select
        customer_key,
        order_date,
        completed_orders,
        net_revenue,
        gross_margin,
        costed_revenue,
        case when completed_orders > 0 then order_date end as order_day,
        case
            when completed_orders > 0
                then max(case when completed_orders > 0 then order_date end) over (
                    partition by customer_key
                    order by order_date
                    rows between unbounded preceding and 1 preceding
                )
        end as previous_order_day

    from days

),

running as (

    select
        customer_key,
        order_date,
        order_day is not null as is_order_day,
        completed_orders,
        net_revenue,
        gross_margin,
        costed_revenue,
        cast(
            {{ dbt.datediff('previous_order_day', 'order_day', 'day') }}  -- noqa: LT05
            as {{ dbt.type_int() }}
        ) as gap_days,
        lead(order_date) over (
            partition by customer_key order by order_date
        ) as next_row_date,
        min(order_day) over customer_history as first_order_day,
        max(order_day) over customer_history as last_order_day,
        -- latest order day that ended a desertion (came after a gap of
        -- desertion_window_days or more): the "recovered" rule reads it
        max(
            case
                when
                    {{ dbt.datediff('previous_order_day', 'order_day', 'day') }}
                    >= {{ var('desertion_window_days') }}
                    then order_day
            end
        ) over customer_history as last_return_day,
        count(order_day) over customer_history as cum_order_days,
        sum(completed_orders) over customer_history as cum_completed_orders,
        sum(net_revenue) over customer_history as cum_net_revenue,
        sum(coalesce(gross_margin, 0)) over customer_history as cum_gross_margin,
        sum(coalesce(costed_revenue, 0)) over customer_history as cum_costed_revenue

    from order_day_gaps

    window customer_history as (
        partition by customer_key
        order by order_date
        rows between unbounded preceding and current row
    )

)

select * from running
