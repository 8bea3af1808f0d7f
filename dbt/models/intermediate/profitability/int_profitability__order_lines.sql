{#-
    Completed order lines of the customers' current and previous window, costed:
    one row per completed line of fct_order_lines whose order date falls in
    either window (the missing member left out: it is not a customer).

    period 'current' is the segment_window_days days ending at the as-of date
    (0 <= as_of_date - order_date < W), 'previous' the W days before it
    (W <= as_of_date - order_date < 2W), as in the segments marts.
    product_line is var profitability_default_product_line ('unknown') when the
    export had none. cost_of_goods is the line's cost_amount when known, else
    net_amount x (1 - default_margin_rate) of its line in seed product_lines (a
    line missing from the seed takes the default line's rate).
    A view: its two readers scan fct_order_lines once each.
-#}

{%- set window_days = var('segment_window_days') | int %}

with

as_of as (

    select as_of_date from {{ ref('int_segments__as_of') }}

),

margin_rates as (

    select
        product_line,
        default_margin_rate

    from {{ ref('product_lines') }}

),

default_rate as (

    select default_margin_rate

    from margin_rates
    where product_line = '{{ var("profitability_default_product_line") }}'

),

lines as (

    select
        order_lines.customer_key,
        order_lines.order_id,
        order_lines.channel,
        order_lines.net_amount,
        order_lines.cost_amount,
        coalesce(
            order_lines.product_line, '{{ var("profitability_default_product_line") }}'
        ) as product_line,
        case
            when {{ dbt.datediff('order_lines.order_date', 'as_of.as_of_date', 'day') }} < {{ window_days }}  -- noqa: LT05
                then 'current'
            else 'previous'
        end as period

    from {{ ref('fct_order_lines') }} as order_lines
    cross join as_of
    where
        order_lines.status = 'completed'
        and order_lines.customer_key <> '{{ var("missing_customer_key") }}'
        and order_lines.order_date <= as_of.as_of_date
        and order_lines.order_date > cast({{ dbt.dateadd('day', -2 * window_days, 'as_of.as_of_date') }} as date)

),

final as (

    select
        lines.customer_key,
        lines.period,
        lines.order_id,
        lines.channel,
        lines.product_line,
        lines.net_amount,
        lines.cost_amount is null as is_cost_estimated,
        coalesce(margin_rates.default_margin_rate, default_rate.default_margin_rate) as default_margin_rate,
        -- round(), not cast(): a cast of a wide decimal per row cost ~15 s on L;
        -- case, not coalesce: only the ~1 % of lines without cost compute it
        case
            when lines.cost_amount is null  -- noqa: ST02
                then round(
                    lines.net_amount
                    * (1 - coalesce(margin_rates.default_margin_rate, default_rate.default_margin_rate)),
                    6
                )
            else lines.cost_amount
        end as cost_of_goods

    from lines
    cross join default_rate
    left join margin_rates
        on lines.product_line = margin_rates.product_line

)

select * from final
