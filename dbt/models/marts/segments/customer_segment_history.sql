{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='append_new_columns'
    )
}}

{#-
    The segment of every customer at every month end (int_segments__month_ends),
    computed by the same step models as the current segmentation as if the
    as-of date were that month end (int_segments__segments, whose dates model
    int_segments__dates holds the month ends not stored here yet). Append-only:
    a run adds the month ends it has not stored yet and never rewrites an old
    month (full_refresh is off), so the history shows what was known then.
    Customer keys are those of that month: follow customer_key_merges to
    today's key.
-#}

select
    as_of_date as month_end,
    customer_key,
    segment_code,
    profile_code,
    value_tier,
    lifecycle_stage,
    is_active,
    orders_year,
    revenue_year,
    potential_revenue_year

from {{ ref('int_segments__segments') }}
-- the guard renders only on incremental runs, which the layout rule cannot follow
-- noqa: disable=LT02
where
    is_new_month_end
    -- a guard: int_segments__dates already leaves out the stored month ends
    {%- if is_incremental() %}
        and as_of_date > (select max(history.month_end) as last_stored from {{ this }} as history)
    {%- endif %}
