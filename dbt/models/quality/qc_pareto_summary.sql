{#-
    The frame GX suite marts.pareto_summary validates (expectations/marts/pareto_summary.json):
    each segment's shares of customers, summed over its classes. Columns in _quality__models.yml.
-#}
select
    segment_code,
    sum(share_of_segment_customers) as segment_customer_share,
    min(customers) as min_customers

from {{ ref('pareto_summary') }}

group by 1
