{#-
    The frame GX suite marts.profitability_matrix validates (expectations/marts/profitability_matrix.json):
    each segment and product line, with the segment's totals. Columns in _quality__models.yml.
-#}
select
    segment_code,
    product_line,
    penetration,
    customers,
    buying_customers,
    share_of_segment_contribution,
    sum(share_of_segment_contribution) over (partition by segment_code) as segment_share_total,
    sum(net_contribution) over (partition by segment_code) as segment_contribution_total

from {{ ref('profitability_matrix') }}
