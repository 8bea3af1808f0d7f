{#-
    The frame GX suite marts.customer_dependency_alerts validates (expectations/marts/customer_dependency_alerts.json):
    each alert's revenue share. Columns in _quality__models.yml.
-#}
select
    customer_key,
    revenue_share

from {{ ref('customer_dependency_alerts') }}
