{{ config(materialized='table') }}

{#-
    What each customer asked of the channels, to be priced by
    int_profitability__service_costs: one row per customer_key x period x
    channel_type x channel x direction with activity in the current or previous
    window (periods as in int_profitability__order_lines).

      contact rows: fct_interactions (every contact, abandoned and self-served
        included) by contact channel and direction: contacts and handle_seconds
        (talk + hold + wrap);
      sales rows (direction 'any'): fct_orders by sales channel: orders not
        fully cancelled (handled_orders) and orders with a returned line.

    A missing channel or direction is 'unknown'. The missing member is left out.
-#}

with

contacts as (

    select
        interactions.customer_key,
        case
            when interactions.interaction_date >= as_of.current_window_start then 'current'
            else 'previous'
        end as period,
        'contact' as channel_type,
        coalesce(interactions.channel, 'unknown') as channel,
        coalesce(interactions.direction, 'unknown') as direction,
        count(*) as contacts,
        sum(interactions.handle_seconds) as handle_seconds,
        0 as handled_orders,
        0 as return_orders

    from {{ ref('fct_interactions') }} as interactions
    cross join {{ ref('int_as_of__windows') }} as as_of
    where
        interactions.customer_key <> '{{ var("missing_customer_key") }}'
        and interactions.interaction_date <= as_of.as_of_date
        and interactions.interaction_date >= as_of.previous_window_start

    group by 1, 2, 3, 4, 5

),

orders as (

    select
        orders.customer_key,
        case
            when orders.order_date >= as_of.current_window_start then 'current'
            else 'previous'
        end as period,
        'sales' as channel_type,
        coalesce(orders.channel, 'unknown') as channel,
        'any' as direction,
        0 as contacts,
        0 as handle_seconds,
        count(case when orders.order_status <> 'cancelled' then 1 end) as handled_orders,
        count(case when orders.returned_lines > 0 then 1 end) as return_orders

    from {{ ref('fct_orders') }} as orders
    cross join {{ ref('int_as_of__windows') }} as as_of
    where
        orders.customer_key <> '{{ var("missing_customer_key") }}'
        and orders.order_date <= as_of.as_of_date
        and orders.order_date >= as_of.previous_window_start

    group by 1, 2, 3, 4, 5

)

select
    customer_key,
    period,
    channel_type,
    channel,
    direction,
    cast(contacts as {{ dbt.type_bigint() }}) as contacts,
    cast(handle_seconds as {{ dbt.type_bigint() }}) as handle_seconds,
    cast(handled_orders as {{ dbt.type_bigint() }}) as handled_orders,
    cast(return_orders as {{ dbt.type_bigint() }}) as return_orders

from (
    select * from contacts
    union all
    select * from orders
) as activity
