{#-
    The frame GX suite marts.fct_order_lines validates (expectations/marts/fct_order_lines.json):
    totals of the order lines, against fct_orders. Columns in _quality__models.yml.
-#}
{#- inferred_line_share is null (not checked) when the source sends no line numbers at all -#}
with

lines as (

    select
        count(*) as lines,  -- noqa: RF04
        sum(case when status = 'completed' then net_amount end) as completed_net_amount,
        case
            when max(case when not is_order_line_inferred then 1 else 0 end) = 1
                then avg(
                    case when is_order_line_inferred then 1.0 when not (is_order_line_inferred) then 0.0 end
                )
        end as inferred_line_share,
        min(days_late) as min_days_late

    from {{ ref('fct_order_lines') }}

),

orders as (

    select sum(net_revenue) as net_revenue
    from {{ ref('fct_orders') }}

)

select
    lines.lines,
    lines.completed_net_amount,
    lines.inferred_line_share,
    lines.min_days_late,
    cast(abs(lines.completed_net_amount - orders.net_revenue) as {{ vector_crm.type_double() }})
    / nullif(abs(orders.net_revenue), 0) as gap_to_orders_revenue

from lines
cross join orders
