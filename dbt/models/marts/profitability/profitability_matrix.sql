{#-
    The customer profitability matrix: one row per segment x product line as of
    the as-of date (current window). A customer's cost to serve is shared among
    the product lines they bought in proportion to their completed order lines;
    customers without a completed line in the window carry theirs on the pseudo
    line var profitability_no_purchase_line. Formulas in _profitability__models.yml.
-#}

with

customers as (

    select
        profitability.customer_key,
        profitability.as_of_date,
        profitability.segment_code,
        profitability.customer_type,
        profitability.cost_to_serve

    from {{ ref('customer_profitability') }} as profitability

),

segments as (

    select
        segment_code,
        max(as_of_date) as as_of_date,
        max(customer_type) as customer_type,
        count(*) as customers

    from customers

    group by 1

),

segment_names as (

    select distinct
        segment_code,
        segment_name

    from {{ ref('customer_segments') }}

),

lines as (

    select * from {{ ref('int_profitability__customer_lines') }}
    where period = 'current'

),

customer_line_totals as (

    select
        customer_key,
        sum(order_lines) as order_lines

    from lines

    group by 1

),

-- each customer's lines with their share of the customer's cost to serve
allocated as (

    select
        customers.segment_code,
        lines.product_line,
        lines.customer_key,
        lines.purchase_lines,
        lines.net_revenue,
        lines.cost_of_goods,
        lines.gross_margin,
        lines.estimated_cost_revenue,
        -- divided in double precision and kept at 12 decimals, so that the cell sums
        -- below are exact and equal on every engine (a decimal quotient is rounded at a
        -- scale that differs by engine: Spark's is 6; a sum of doubles depends on the
        -- order the engine adds them)
        cast(
            cast(customers.cost_to_serve as {{ vector_crm.type_double() }}) * lines.order_lines
            / customer_line_totals.order_lines as decimal(38, 12)
        ) as cost_to_serve

    from lines
    inner join customer_line_totals
        on lines.customer_key = customer_line_totals.customer_key
    inner join customers
        on lines.customer_key = customers.customer_key

),

no_purchase as (

    select
        customers.segment_code,
        '{{ var("profitability_no_purchase_line") }}' as product_line,
        customers.customer_key,
        0 as purchase_lines,
        0 as net_revenue,
        0 as cost_of_goods,
        0 as gross_margin,
        0 as estimated_cost_revenue,
        customers.cost_to_serve

    from customers
    left join customer_line_totals
        on customers.customer_key = customer_line_totals.customer_key
    where
        customer_line_totals.customer_key is null
        and customers.cost_to_serve <> 0

),

cells as (

    select
        segment_code,
        product_line,
        count(case when purchase_lines > 0 then 1 end) as buying_customers,
        cast(sum(net_revenue) as {{ dbt.type_numeric() }}) as revenue,
        cast(sum(cost_of_goods) as {{ dbt.type_numeric() }}) as cost_of_goods,
        cast(sum(gross_margin) as {{ dbt.type_numeric() }}) as gross_margin,
        cast(sum(estimated_cost_revenue) as {{ dbt.type_numeric() }}) as estimated_cost_revenue,
        cast(sum(cost_to_serve) as {{ dbt.type_numeric() }}) as cost_to_serve

    from (
        select * from allocated
        union all
        select * from no_purchase
    ) as customer_lines

    group by 1, 2

),

contributions as (

    select
        cells.*,
        cells.gross_margin - cells.cost_to_serve as net_contribution,
        sum(cells.gross_margin - cells.cost_to_serve) over (
            partition by cells.segment_code
        ) as segment_net_contribution

    from cells

),

final as (

    select
        contributions.segment_code,
        contributions.product_line,
        segment_names.segment_name,
        segments.customer_type,
        segments.as_of_date,
        segments.customers,
        contributions.buying_customers,
        case
            when contributions.product_line <> '{{ var("profitability_no_purchase_line") }}'
                then {{ vector_crm.positive_ratio('contributions.buying_customers', 'segments.customers') }}
        end as penetration,
        contributions.revenue,
        contributions.cost_of_goods,
        contributions.gross_margin,
        {{ vector_crm.positive_ratio('contributions.gross_margin', 'contributions.revenue') }} as margin_pct,
        contributions.estimated_cost_revenue,
        contributions.cost_to_serve,
        cast(contributions.net_contribution as {{ dbt.type_numeric() }}) as net_contribution,
        cast(contributions.segment_net_contribution as {{ dbt.type_numeric() }}) as segment_net_contribution,
        {{ vector_crm.positive_ratio('contributions.net_contribution', 'contributions.segment_net_contribution') }}
            as share_of_segment_contribution

    from contributions
    inner join segments
        on contributions.segment_code = segments.segment_code
    left join segment_names
        on contributions.segment_code = segment_names.segment_code

)

select * from final
