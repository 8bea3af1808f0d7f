{#-
    The frame GX suite marts.desertion_metrics validates (expectations/marts/desertion_metrics.json):
    each period's customers active at its start and deserters. Columns in _quality__models.yml.
-#}
select
    period_grain,
    period_start,
    active_at_start,
    deserted_customers

from {{ ref('desertion_metrics') }}
