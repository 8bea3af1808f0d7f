{#-
    The frame GX suite marts.repurchase_metrics validates (expectations/marts/repurchase_metrics.json):
    each period's customer counts and returning revenue share. Columns in _quality__models.yml.
-#}
select
    period_grain,
    period_start,
    active_customers,
    repeat_customers,
    prior_period_customers,
    retained_customers,
    returning_revenue_share

from {{ ref('repurchase_metrics') }}
