{#-
    Profitability and cost to serve by channel as of the as-of date (current
    window): one row per channel_type x channel x direction. Sales channels carry
    the revenue and margin of their completed order lines and the order-handling
    and return costs of their orders; contact channels carry the contact and
    handle-time costs. Formulas in _profitability__models.yml.
-#}

with

as_of as (

    select as_of_date from {{ ref('int_as_of__windows') }}

),

costs as (

    select * from {{ ref('int_profitability__service_costs') }}
    where period = 'current'

),

-- revenue and margin by the sales channel of each order line; lines without cost
-- are costed by product line as in int_profitability__customer_lines
channel_lines as (

    select
        product_line,
        coalesce(channel, 'unknown') as channel,
        sum(net_amount) as revenue,
        coalesce(sum(cost_amount), 0) as known_cost,
        coalesce(sum(case when cost_amount is null then net_amount end), 0) as estimated_cost_revenue

    from {{ ref('int_profitability__order_lines') }}
    where period = 'current'

    group by 1, 2

),

default_rate as (

    select default_margin_rate

    from {{ ref('product_lines') }}
    where product_line = '{{ var("profitability_default_product_line") }}'

),

sales_lines as (

    select
        channel_lines.channel,
        sum(channel_lines.revenue) as revenue,
        sum(
            channel_lines.known_cost
            + round(
                channel_lines.estimated_cost_revenue
                * (1 - coalesce(product_lines.default_margin_rate, default_rate.default_margin_rate)),
                6
            )
        ) as cost_of_goods

    from channel_lines
    cross join default_rate
    left join {{ ref('product_lines') }} as product_lines
        on channel_lines.product_line = product_lines.product_line

    group by 1

),

channel_costs as (

    select
        channel_type,
        channel,
        direction,
        count(distinct customer_key) as customers,
        sum(handled_orders) as handled_orders,
        sum(return_orders) as return_orders,
        sum(contacts) as contacts,
        sum(handle_minutes) as handle_minutes,
        sum(cost_to_serve) as cost_to_serve

    from costs

    group by 1, 2, 3

),

sales_costs as (

    select * from channel_costs
    where channel_type = 'sales'

),

sales_channels as (

    select
        'sales' as channel_type,
        coalesce(channel_costs.channel, sales_lines.channel) as channel,
        'any' as direction,
        coalesce(channel_costs.customers, 0) as customers,
        coalesce(channel_costs.handled_orders, 0) as handled_orders,
        coalesce(channel_costs.return_orders, 0) as return_orders,
        0 as contacts,
        0 as handle_minutes,
        coalesce(sales_lines.revenue, 0) as revenue,
        coalesce(sales_lines.cost_of_goods, 0) as cost_of_goods,
        coalesce(sales_lines.revenue, 0) - coalesce(sales_lines.cost_of_goods, 0) as gross_margin,
        coalesce(channel_costs.cost_to_serve, 0) as cost_to_serve

    from sales_costs as channel_costs
    full outer join sales_lines
        on channel_costs.channel = sales_lines.channel

),

contact_channels as (

    select
        channel_type,
        channel,
        direction,
        customers,
        0 as handled_orders,
        0 as return_orders,
        contacts,
        handle_minutes,
        0 as revenue,
        0 as cost_of_goods,
        0 as gross_margin,
        cost_to_serve

    from channel_costs
    where channel_type = 'contact'

),

channels as (

    select * from sales_channels
    union all
    select * from contact_channels

),

totals as (

    select sum(cost_to_serve) as cost_to_serve from channels

),

final as (

    select
        channels.channel_type,
        channels.channel,
        channels.direction,
        as_of.as_of_date,
        channels.customers,
        cast(channels.handled_orders as {{ dbt.type_bigint() }}) as handled_orders,
        cast(channels.return_orders as {{ dbt.type_bigint() }}) as return_orders,
        cast(channels.contacts as {{ dbt.type_bigint() }}) as contacts,
        cast(channels.handle_minutes as {{ dbt.type_numeric() }}) as handle_minutes,
        cast(channels.revenue as {{ dbt.type_numeric() }}) as revenue,
        cast(channels.cost_of_goods as {{ dbt.type_numeric() }}) as cost_of_goods,
        cast(channels.gross_margin as {{ dbt.type_numeric() }}) as gross_margin,
        cast(channels.cost_to_serve as {{ dbt.type_numeric() }}) as cost_to_serve,
        cast(channels.gross_margin - channels.cost_to_serve as {{ dbt.type_numeric() }}) as net_contribution,
        {{ vector_crm.positive_ratio('channels.cost_to_serve', 'totals.cost_to_serve') }} as share_of_cost_to_serve

    from channels
    cross join totals
    cross join as_of

)

select * from final
