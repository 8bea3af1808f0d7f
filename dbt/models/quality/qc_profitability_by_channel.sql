{#-
    The frame GX suite marts.profitability_by_channel validates (expectations/marts/profitability_by_channel.json):
    each channel's cost to serve and share of it. Columns in _quality__models.yml.
-#}
select
    channel_type,
    channel,
    direction,
    cost_to_serve,
    share_of_cost_to_serve

from {{ ref('profitability_by_channel') }}
