{#-
    The frame GX suite marts.fct_web_sessions validates (expectations/marts/fct_web_sessions.json):
    totals of the web sessions. Columns in _quality__models.yml.
-#}
{%- set missing_key = "'" ~ var('missing_customer_key') ~ "'" %}

select
    count(*) as sessions,
    min(duration_seconds) as min_duration_seconds,
    min(events) as min_events,
    count(case when session_end < session_start then 1 end) as sessions_ending_before_start,
    count(
        case when purchases > events or page_views > events then 1 end
    ) as sessions_with_more_actions_than_events,
    avg(
        case when customer_key <> {{ missing_key }} then 1.0 when not (customer_key <> {{ missing_key }}) then 0.0 end
    ) as identified_share

from {{ ref('fct_web_sessions') }}
