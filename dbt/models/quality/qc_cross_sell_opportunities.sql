{#-
    The frame GX suite marts.cross_sell_opportunities validates (expectations/marts/cross_sell_opportunities.json):
    recommendations per customer. Columns in _quality__models.yml.
-#}
select
    customer_key,
    count(*) as recommendations,
    max(recommendation_rank) as max_rank

from {{ ref('cross_sell_opportunities') }}

group by 1
