{#-
    The frame GX suite marts.customer_product_adoption validates (expectations/marts/customer_product_adoption.json):
    totals of product adoption. Columns in _quality__models.yml.
-#}
select
    count(*) as customers,
    count(case when known_product_lines_count > product_lines_count then 1 end) as more_known_than_lines,
    min(product_lines_count) as min_lines

from {{ ref('customer_product_adoption') }}
