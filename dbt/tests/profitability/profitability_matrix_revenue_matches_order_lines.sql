{#-
    Integrity: revenue in profitability_matrix summed over segments and product
    lines equals the completed net revenue of fct_order_lines dated in the window
    (0 <= as_of_date - order_date < segment_window_days), counted here
    independently from the fact table; and so do profitability_by_product_line,
    the sales rows of profitability_by_channel and customer_profitability. Lines
    of the missing member are not a customer's and are left out of both sides.
    Returns a row when any total differs.
-#}

with

order_lines as (

    select coalesce(sum(order_lines.net_amount), 0) as revenue

    from {{ ref('fct_order_lines') }} as order_lines
    cross join {{ ref('int_as_of__windows') }} as as_of
    where
        order_lines.status = 'completed'
        and order_lines.customer_key <> '{{ var("missing_customer_key") }}'
        and {{ dbt.datediff('order_lines.order_date', 'as_of.as_of_date', 'day') }} >= 0  -- noqa: LT05
        and {{ dbt.datediff('order_lines.order_date', 'as_of.as_of_date', 'day') }} < {{ var('segment_window_days') }}  -- noqa: LT05

),

marts as (

    select
        'profitability_matrix' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('profitability_matrix') }}

    union all

    select
        'profitability_by_product_line' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('profitability_by_product_line') }}

    union all

    select
        'profitability_by_channel' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('profitability_by_channel') }}

    union all

    select
        'customer_profitability' as mart,
        coalesce(sum(net_revenue), 0) as revenue
    from {{ ref('customer_profitability') }}

)

select
    marts.mart,
    marts.revenue as mart_revenue,
    order_lines.revenue as order_line_revenue

from marts
cross join order_lines
where marts.revenue <> order_lines.revenue
