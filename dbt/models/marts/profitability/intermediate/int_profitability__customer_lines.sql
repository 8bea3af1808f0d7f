{{ config(materialized='table') }}

{#-
    What each customer bought of each product line in each window, costed: one
    row per customer_key x period x product_line with at least one completed
    order line (int_profitability__order_lines). The one pass over the order
    lines that customer_profitability, profitability_matrix and the cross-sell
    models share.

    cost_of_goods = the known costs (cost_amount) + the net amount of the lines
    without cost x (1 - default_margin_rate) of the product line in seed
    product_lines, rounded to 6 decimals (a line missing from the seed takes the
    rate of var profitability_default_product_line, 'unknown'). The rate is
    applied to the group's sum, which is the sum of the lines' estimates.
-#}

with

order_lines as (

    select * from {{ ref('int_profitability__order_lines') }}

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

grouped as (

    select
        customer_key,
        period,
        product_line,
        count(*) as order_lines,
        -- bought: at least one completed line that is not a credit note
        count(case when net_amount >= 0 then 1 end) as purchase_lines,
        count(case when cost_amount is null then 1 end) as estimated_cost_lines,
        sum(net_amount) as net_revenue,
        coalesce(sum(cost_amount), 0) as known_cost,
        coalesce(sum(case when cost_amount is null then net_amount end), 0) as estimated_cost_revenue

    from order_lines

    group by 1, 2, 3

),

costed as (

    select
        grouped.*,
        grouped.known_cost
        + round(
            grouped.estimated_cost_revenue
            * (1 - coalesce(margin_rates.default_margin_rate, default_rate.default_margin_rate)),
            6
        ) as cost_of_goods

    from grouped
    cross join default_rate
    left join margin_rates
        on grouped.product_line = margin_rates.product_line

),

final as (

    select
        customer_key,
        period,
        product_line,
        order_lines,
        purchase_lines,
        estimated_cost_lines,
        cast(net_revenue as {{ dbt.type_numeric() }}) as net_revenue,
        cast(cost_of_goods as {{ dbt.type_numeric() }}) as cost_of_goods,
        cast(net_revenue - cost_of_goods as {{ dbt.type_numeric() }}) as gross_margin,
        cast(estimated_cost_revenue as {{ dbt.type_numeric() }}) as estimated_cost_revenue

    from costed

)

select * from final
