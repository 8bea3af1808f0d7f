{#-
    The frame GX suite marts.cohort_retention validates (expectations/marts/cohort_retention.json):
    each cohort month and month since the first order, with the month-0 retention singled out. Columns in _quality__models.yml.
-#}
select
    cohort_month,
    months_since_first_order,
    active_customers,
    cohort_customers,
    case when months_since_first_order = 0 then retention_rate end as month_zero_retention

from {{ ref('cohort_retention') }}
