{#-
    The frame GX suite marts.profitability_by_product_line validates (expectations/marts/profitability_by_product_line.json):
    each product line's buyers and share of revenue. Columns in _quality__models.yml.
-#}
select
    product_line,
    buying_customers,
    share_of_revenue,
    revenue

from {{ ref('profitability_by_product_line') }}
