{#-
    The frame GX suite marts.customer_value validates (expectations/marts/customer_value.json):
    totals of customer value. Columns in _quality__models.yml.
-#}
select
    count(*) as customers,
    count(case when potential_revenue_year < actual_revenue_year then 1 end) as potential_below_actual,
    min(share_of_wallet) as min_share_of_wallet,
    max(share_of_wallet) as max_share_of_wallet,
    min(value_tier) as min_tier,
    max(value_tier) as max_tier,
    sum(actual_revenue_year) as actual_revenue_year

from {{ ref('customer_value') }}
