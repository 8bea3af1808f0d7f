{#-
    Completed order lines of the customers' current and previous window: one row
    per completed line of fct_order_lines whose order date falls in either window
    (the missing member left out: it is not a customer).

    period 'current' is the segment_window_days days ending at the as-of date
    (0 <= as_of_date - order_date < W), 'previous' the W days before it: the
    bounds of int_as_of__windows, as in the segments marts. product_line is var
    profitability_default_product_line ('unknown') when the export had none.
    Costs are estimated after aggregation (int_profitability__customer_lines), on
    a few million groups instead of every line.
    A view: its two readers scan fct_order_lines once each.
-#}

with

final as (

    select
        order_lines.customer_key,
        case when order_lines.order_date >= windows.current_window_start then 'current' else 'previous' end as period,
        order_lines.order_id,
        order_lines.channel,
        coalesce(
            order_lines.product_line, '{{ var("profitability_default_product_line") }}'
        ) as product_line,
        order_lines.net_amount,
        order_lines.cost_amount

    from {{ ref('fct_order_lines') }} as order_lines
    cross join {{ ref('int_as_of__windows') }} as windows
    where
        order_lines.status = 'completed'
        and order_lines.customer_key <> '{{ var("missing_customer_key") }}'
        and order_lines.order_date <= windows.as_of_date
        and order_lines.order_date >= windows.previous_window_start

)

select * from final
