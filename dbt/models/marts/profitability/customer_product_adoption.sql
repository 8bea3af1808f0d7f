{{ config(materialized=mart_view()) }}

{#-
    Which product lines each customer bought in the current window, as of the
    as-of date: one row per customer of customer_profitability. Formulas in
    _profitability__models.yml. A view: the ordered list is costly on a large
    history and only readers who select it pay for it (cross_sell_opportunities reads
    the counts only).
-#}

with

customers as (

    select
        customer_key,
        as_of_date,
        segment_code

    from {{ ref('customer_profitability') }}

),

bought as (

    select
        customer_key,
        product_line

    from {{ ref('int_profitability__customer_lines') }}
    where
        period = 'current'
        and purchase_lines > 0

),

adoption as (

    select
        customer_key,
        {{ ordered_list('product_line', "', '", 'product_line') }} as product_lines,
        count(*) as product_lines_count,
        count(
            case when product_line <> '{{ var("profitability_default_product_line") }}' then 1 end
        ) as known_product_lines_count

    from bought

    group by 1

),

final as (

    select
        customers.customer_key,
        customers.as_of_date,
        customers.segment_code,
        adoption.product_lines,
        coalesce(adoption.product_lines_count, 0) as product_lines_count,
        coalesce(adoption.known_product_lines_count, 0) as known_product_lines_count

    from customers
    left join adoption
        on customers.customer_key = adoption.customer_key

)

select * from final
