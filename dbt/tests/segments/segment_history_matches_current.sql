{{ config(severity='warn') }}

{#-
    The monthly history and the current segmentation are one definition: when
    the as-of date is a month end stored in customer_segment_history, every
    customer's row there equals customer_segments and customer_value. Returns
    the customers that differ. A warning, not an error: the history is
    append-only, so when orders of that month arrive after the month was stored
    the two legitimately differ (the history keeps what was known then). The
    test suite checks equality strictly on a fresh build.
-#}

with

as_of as (

    select as_of_date from {{ ref('int_segments__as_of') }}

),

history as (

    select history.*

    from {{ ref('customer_segment_history') }} as history
    inner join as_of
        on history.month_end = as_of.as_of_date

),

current_segments as (

    select
        segments.customer_key,
        segments.segment_code,
        segments.lifecycle_stage,
        segments.value_tier,
        segments.is_active,
        customer_value.actual_revenue_year,
        customer_value.potential_revenue_year

    from {{ ref('customer_segments') }} as segments
    inner join {{ ref('customer_value') }} as customer_value
        on segments.customer_key = customer_value.customer_key

)

select
    history.customer_key,
    history.segment_code as history_segment_code,
    current_segments.segment_code as current_segment_code

from history
inner join current_segments
    on history.customer_key = current_segments.customer_key
where
    history.segment_code <> current_segments.segment_code
    or history.lifecycle_stage <> current_segments.lifecycle_stage
    or history.value_tier <> current_segments.value_tier
    or history.is_active <> current_segments.is_active
    or history.revenue_year <> current_segments.actual_revenue_year
    or history.potential_revenue_year <> current_segments.potential_revenue_year
