{#-
    Integrity: cost to serve summed over customer_profitability equals the cost
    implied by the contacts and orders of the window, recomputed here from
    fct_interactions and fct_orders and the unit costs of seed channel_costs (the
    seed's fallback written out again: exact channel and direction, else the
    channel with direction 'any', else any/any). profitability_matrix (cost
    allocated to lines) and profitability_by_channel must add up to the same.
    Costs are rounded to 6 decimals per customer and driver in the marts and per
    row of the allocation, so totals may differ by a few millionths per row:
    the tolerance is 0.000001 x (rows of int_profitability__service_costs +
    rows of the matrix) + 0.01.
-#}

{%- set window_days = var('segment_window_days') | int %}

with

as_of as (

    select as_of_date from {{ ref('int_as_of__windows') }}

),

rates as (

    select * from {{ ref('channel_costs') }}

),

contacts as (

    select
        coalesce(interactions.channel, 'unknown') as channel,
        coalesce(interactions.direction, 'unknown') as direction,
        count(*) as contacts,
        sum(interactions.handle_seconds) as handle_seconds

    from {{ ref('fct_interactions') }} as interactions
    cross join as_of
    where
        interactions.customer_key <> '{{ var("missing_customer_key") }}'
        and {{ dbt.datediff('interactions.interaction_date', 'as_of.as_of_date', 'day') }} >= 0  -- noqa: LT05
        and {{ dbt.datediff('interactions.interaction_date', 'as_of.as_of_date', 'day') }} < {{ window_days }}  -- noqa: LT05

    group by 1, 2

),

orders as (

    select
        coalesce(orders.channel, 'unknown') as channel,
        count(case when orders.order_status <> 'cancelled' then 1 end) as handled_orders,
        count(case when orders.returned_lines > 0 then 1 end) as return_orders

    from {{ ref('fct_orders') }} as orders
    cross join as_of
    where
        orders.customer_key <> '{{ var("missing_customer_key") }}'
        and {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} >= 0  -- noqa: LT05
        and {{ dbt.datediff('orders.order_date', 'as_of.as_of_date', 'day') }} < {{ window_days }}  -- noqa: LT05

    group by 1

),

-- the jinja loop over drivers confuses the layout rule (as in int_profitability__service_costs)
-- noqa: disable=LT02
{%- for driver, source, channel_expression, direction_expression in [
    ('contact', 'contacts', 'contacts.channel', 'contacts.direction'),
    ('handle_minute', 'contacts', 'contacts.channel', 'contacts.direction'),
    ('order', 'orders', 'orders.channel', "'any'"),
    ('return', 'orders', 'orders.channel', "'any'")
] %}

{{ driver }}_rate as (

    select
        {{ source }}.*,
        coalesce(exact.cost_per_unit, by_channel.cost_per_unit, fallback.cost_per_unit) as cost_per_unit

    from {{ source }}
    left join rates as exact
        on
            exact.cost_driver = '{{ driver }}'
            and {{ channel_expression }} = exact.channel
            and {{ direction_expression }} = exact.direction
    left join rates as by_channel
        on
            by_channel.cost_driver = '{{ driver }}'
            and {{ channel_expression }} = by_channel.channel
            and by_channel.direction = 'any'
    left join rates as fallback
        on
            fallback.cost_driver = '{{ driver }}'
            and fallback.channel = 'any'
            and fallback.direction = 'any'

),
{%- endfor %}
-- noqa: enable=LT02

implied as (

    select
        (select coalesce(sum(contacts * cost_per_unit), 0) as driver_cost from contact_rate)
        + (select coalesce(sum(handle_seconds * cost_per_unit / 60), 0) as driver_cost from handle_minute_rate)
        + (select coalesce(sum(handled_orders * cost_per_unit), 0) as driver_cost from order_rate)
        + (select coalesce(sum(return_orders * cost_per_unit), 0) as driver_cost from return_rate)
            as cost_to_serve

),

tolerance as (

    select
        0.01
        + 0.000001 * (
            (select count(*) as n from {{ ref('int_profitability__service_costs') }})
            + (select count(*) as n from {{ ref('profitability_matrix') }})
        ) as tolerance

),

marts as (

    select
        'customer_profitability' as mart,
        coalesce(sum(cost_to_serve), 0) as cost_to_serve
    from {{ ref('customer_profitability') }}

    union all

    select
        'profitability_matrix' as mart,
        coalesce(sum(cost_to_serve), 0) as cost_to_serve
    from {{ ref('profitability_matrix') }}

    union all

    select
        'profitability_by_channel' as mart,
        coalesce(sum(cost_to_serve), 0) as cost_to_serve
    from {{ ref('profitability_by_channel') }}

)

select
    marts.mart,
    marts.cost_to_serve as mart_cost_to_serve,
    implied.cost_to_serve as implied_cost_to_serve

from marts
cross join implied
cross join tolerance
where abs(marts.cost_to_serve - implied.cost_to_serve) > tolerance.tolerance
