{{ config(materialized='table') }}

{#-
    One row per customer (customer_id of int_customers__profiles) and date on
    which the customer has at least one order
    with completed lines (fct_orders.net_revenue counts completed lines only),
    with the customer's running totals up to and including that date.

    An *order day* is a date with at least one completed order with
    net_revenue >= 0 (a date with only credit notes is a row, for revenue, but
    not an order day). The running columns let any "as of date D" question be
    answered from one row: the customer's latest row on or before D
    (order_date <= D < next_row_date). Window totals are differences of two
    such rows. The missing member is left out: it is not a customer (the inner
    join with the profiles drops it).
-#}

with

orders as (

    select
        profiles.customer_id,
        fct_orders.order_date,
        fct_orders.net_revenue,
        fct_orders.gross_margin,
        fct_orders.cost_amount

    from {{ ref('fct_orders') }} as fct_orders
    inner join {{ ref('int_customers__profiles') }} as profiles
        on fct_orders.customer_key = profiles.customer_key
    where fct_orders.completed_lines > 0

),

days as (

    select
        customer_id,
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
        customer_id,
        order_date,
        completed_orders,
        net_revenue,
        gross_margin,
        costed_revenue,
        case when completed_orders > 0 then order_date end as order_day,
        -- the latest order day before this row (rows are one per date)
        max(case when completed_orders > 0 then order_date end) over (
            partition by customer_id
            order by order_date
            rows between unbounded preceding and 1 preceding
        ) as previous_order_day

    from days

),

gaps as (

    select
        *,
        case
            when order_day is not null
                then cast(
                    {{ dbt.datediff('previous_order_day', 'order_day', 'day') }}  -- noqa: LT05
                    as {{ dbt.type_int() }}
                )
        end as gap_days,
        coalesce(order_day, previous_order_day) as last_order_day

    from order_day_gaps

),

running as (

    select
        customer_id,
        order_date,
        order_day is not null as is_order_day,
        completed_orders,
        net_revenue,
        gross_margin,
        costed_revenue,
        gap_days,
        -- its own window: Spark refuses a frame on lead()
        lead(order_date) over (partition by customer_id order by order_date) as next_row_date,
        -- a row before the first order day (a credit note) has no first order day yet
        case
            when last_order_day is not null then min(order_day) over (partition by customer_id)
        end as first_order_day,
        last_order_day,
        -- latest order day that ended a desertion: it came more than
        -- desertion_window_days after the previous one, so some day in between had
        -- no order day in the last desertion_window_days days (after a gap of
        -- exactly that many days the customer was never deserted). The
        -- "recovered" rule reads it; int_repurchase__activity_spells splits the
        -- same way.
        max(
            case when gap_days > {{ var('desertion_window_days') }} then order_day end
        ) over customer_history as last_return_day,
        count(order_day) over customer_history as cum_order_days,
        sum(completed_orders) over customer_history as cum_completed_orders,
        sum(net_revenue) over customer_history as cum_net_revenue,
        sum(coalesce(gross_margin, 0)) over customer_history as cum_gross_margin,
        sum(coalesce(costed_revenue, 0)) over customer_history as cum_costed_revenue

    from gaps

    window customer_history as (
        partition by customer_id
        order by order_date
        rows between unbounded preceding and current row
    )

)

select * from running
