{#-
    Integrity: segment_summary.actual_revenue_year summed over segments equals
    the completed net revenue of fct_orders dated in the year ending at the
    as-of date (0 <= as_of_date - order_date < segment_window_days), counted
    independently here from the fact table. Orders of the missing member are
    not a customer's and are left out of both. Returns a row when they differ.
-#}

with

card as (

    select sum(actual_revenue_year) as revenue from {{ ref('segment_summary') }}

),

orders as (

    select coalesce(sum(orders.net_revenue), 0) as revenue

    from {{ ref('fct_orders') }} as orders
    cross join {{ ref('int_as_of__windows') }} as as_of
    where
        orders.customer_key <> '{{ var("missing_customer_key") }}'
        and {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} >= 0  -- noqa: LT05
        and {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} < {{ var('segment_window_days') }}  -- noqa: LT05

)

select
    card.revenue as card_revenue,
    orders.revenue as order_revenue

from card
cross join orders
where card.revenue <> orders.revenue
