{#-
    Profitability of each product line as of the as-of date (current window):
    profitability_matrix summed over segments. Formulas in _profitability__models.yml.
-#}

with

matrix as (

    select * from {{ ref('profitability_matrix') }}

),

lines as (

    select
        product_line,
        max(as_of_date) as as_of_date,
        sum(buying_customers) as buying_customers,
        sum(revenue) as revenue,
        sum(cost_of_goods) as cost_of_goods,
        sum(gross_margin) as gross_margin,
        sum(estimated_cost_revenue) as estimated_cost_revenue,
        sum(cost_to_serve) as cost_to_serve,
        sum(net_contribution) as net_contribution

    from matrix

    group by 1

),

totals as (

    select
        sum(revenue) as revenue,
        sum(net_contribution) as net_contribution

    from lines

),

final as (

    select
        lines.product_line,
        product_lines.product_line_name,
        product_lines.default_margin_rate,
        lines.as_of_date,
        cast(lines.buying_customers as {{ dbt.type_bigint() }}) as buying_customers,
        cast(lines.revenue as {{ dbt.type_numeric() }}) as revenue,
        cast(lines.cost_of_goods as {{ dbt.type_numeric() }}) as cost_of_goods,
        cast(lines.gross_margin as {{ dbt.type_numeric() }}) as gross_margin,
        {{ vector_crm.positive_ratio('lines.gross_margin', 'lines.revenue') }} as margin_pct,
        cast(lines.estimated_cost_revenue as {{ dbt.type_numeric() }}) as estimated_cost_revenue,
        cast(lines.cost_to_serve as {{ dbt.type_numeric() }}) as cost_to_serve,
        cast(lines.net_contribution as {{ dbt.type_numeric() }}) as net_contribution,
        {{ vector_crm.positive_ratio('lines.net_contribution', 'lines.revenue') }} as contribution_margin_pct,
        {{ vector_crm.positive_ratio('lines.revenue', 'totals.revenue') }} as share_of_revenue,
        {{ vector_crm.positive_ratio('lines.net_contribution', 'totals.net_contribution') }} as share_of_contribution

    from lines
    cross join totals
    left join {{ ref('product_lines') }} as product_lines
        on lines.product_line = product_lines.product_line

)

select * from final
