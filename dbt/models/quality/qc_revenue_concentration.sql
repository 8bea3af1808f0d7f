{#-
    The frame GX suite marts.revenue_concentration validates (expectations/marts/revenue_concentration.json):
    each period's concentration measures. Columns in _quality__models.yml.
-#}
select
    period,
    top_1pct_revenue_share,
    top_10pct_revenue_share,
    revenue_hhi

from {{ ref('revenue_concentration') }}
