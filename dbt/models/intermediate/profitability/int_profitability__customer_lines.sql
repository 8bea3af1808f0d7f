{{ config(materialized='table') }}

{#-
    What each customer bought of each product line in each window: one row per
    customer_key x period x product_line with at least one completed order line
    (int_profitability__order_lines). The one pass over the order lines that
    customer_profitability, profitability_matrix and the cross-sell models share.
-#}

with

order_lines as (

    select * from {{ ref('int_profitability__order_lines') }}

),

final as (

    select
        customer_key,
        period,
        product_line,
        count(*) as order_lines,
        -- bought: at least one completed line that is not a credit note
        count(case when net_amount >= 0 then 1 end) as purchase_lines,
        count(case when is_cost_estimated then 1 end) as estimated_cost_lines,
        cast(sum(net_amount) as {{ dbt.type_numeric() }}) as net_revenue,
        cast(sum(cost_of_goods) as {{ dbt.type_numeric() }}) as cost_of_goods,
        cast(sum(net_amount) - sum(cost_of_goods) as {{ dbt.type_numeric() }}) as gross_margin,
        cast(
            coalesce(sum(case when is_cost_estimated then net_amount end), 0) as {{ dbt.type_numeric() }}
        ) as estimated_cost_revenue

    from order_lines

    group by 1, 2, 3

)

select * from final
