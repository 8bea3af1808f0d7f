{{ config(materialized='table') }}

{#-
    Cost to serve: int_profitability__service_activity (one row per customer_key
    x period x channel_type x channel x direction) priced by seed channel_costs:
    contacts x the contact rate and handle_seconds / 60 x the handle_minute rate;
    orders not fully cancelled x the order rate and orders with a returned line x
    the return rate (sales rows with neither are left out). A rate is the seed row
    with the exact channel and direction, else the channel with direction 'any',
    else channel 'any' and direction 'any' ('unknown' takes the last). An empty
    source (a sales-only history has no contacts) adds no rows: its cost is 0.
-#}

-- the jinja loop over drivers confuses the layout rule
-- noqa: disable=LT02

with

rates as (

    select * from {{ ref('channel_costs') }}

),

contacts as (

    select * from {{ ref('int_profitability__service_activity') }}
    where channel_type = 'contact'

),

orders as (

    select * from {{ ref('int_profitability__service_activity') }}
    where channel_type = 'sales'

),

-- the few (driver, channel, direction) combinations that occur, priced once
combinations as (

    select distinct
        'contact' as cost_driver,
        channel,
        direction

    from contacts

    union all

    select distinct
        'handle_minute' as cost_driver,
        channel,
        direction

    from contacts

    union all

    select distinct
        'order' as cost_driver,
        channel,
        direction

    from orders

    union all

    select distinct
        'return' as cost_driver,
        channel,
        direction

    from orders

),

priced as (

    select
        combinations.cost_driver,
        combinations.channel,
        combinations.direction,
        coalesce(exact.cost_per_unit, by_channel.cost_per_unit, fallback.cost_per_unit) as cost_per_unit

    from combinations
    left join rates as exact
        on
            combinations.cost_driver = exact.cost_driver
            and combinations.channel = exact.channel
            and combinations.direction = exact.direction
    left join rates as by_channel
        on
            combinations.cost_driver = by_channel.cost_driver
            and combinations.channel = by_channel.channel
            and by_channel.direction = 'any'
    left join rates as fallback
        on
            combinations.cost_driver = fallback.cost_driver
            and fallback.channel = 'any'
            and fallback.direction = 'any'

),

-- one row per channel and direction: contacts and minutes, or orders and returns
rates_by_channel as (

    select
        channel,
        direction,
        {%- for driver in ['contact', 'handle_minute', 'order', 'return'] %}
        max(case when cost_driver = '{{ driver }}' then cost_per_unit end) as {{ driver }}_rate,
        {%- endfor %}
        count(*) as priced_drivers

    from priced

    group by 1, 2

),

contact_costs as (

    select
        contacts.customer_key,
        contacts.period,
        'contact' as channel_type,
        contacts.channel,
        contacts.direction,
        contacts.contacts,
        cast(contacts.handle_seconds as {{ dbt.type_numeric() }}) / 60 as handle_minutes,
        0 as handled_orders,
        0 as return_orders,
        contacts.contacts * rates.contact_rate as contact_cost,
        round(cast(contacts.handle_seconds as {{ dbt.type_numeric() }}) * rates.handle_minute_rate / 60, 6)
            as handle_time_cost,
        0 as order_cost,
        0 as return_cost

    from contacts
    inner join rates_by_channel as rates
        on contacts.channel = rates.channel and contacts.direction = rates.direction

),

order_costs as (

    select
        orders.customer_key,
        orders.period,
        'sales' as channel_type,
        orders.channel,
        orders.direction,
        0 as contacts,
        0 as handle_minutes,
        orders.handled_orders,
        orders.return_orders,
        0 as contact_cost,
        0 as handle_time_cost,
        orders.handled_orders * rates.order_rate as order_cost,
        orders.return_orders * rates.return_rate as return_cost

    from orders
    inner join rates_by_channel as rates
        on orders.channel = rates.channel and orders.direction = rates.direction
    where orders.handled_orders > 0 or orders.return_orders > 0

),

final as (

    select
        customer_key,
        period,
        channel_type,
        channel,
        direction,
        cast(contacts as {{ dbt.type_bigint() }}) as contacts,
        cast(handle_minutes as {{ dbt.type_numeric() }}) as handle_minutes,
        cast(handled_orders as {{ dbt.type_bigint() }}) as handled_orders,
        cast(return_orders as {{ dbt.type_bigint() }}) as return_orders,
        cast(contact_cost as {{ dbt.type_numeric() }}) as contact_cost,
        cast(handle_time_cost as {{ dbt.type_numeric() }}) as handle_time_cost,
        cast(order_cost as {{ dbt.type_numeric() }}) as order_cost,
        cast(return_cost as {{ dbt.type_numeric() }}) as return_cost,
        cast(contact_cost + handle_time_cost + order_cost + return_cost as {{ dbt.type_numeric() }})
            as cost_to_serve

    from (
        select * from contact_costs
        union all
        select * from order_costs
    ) as channel_costs

)

select * from final
