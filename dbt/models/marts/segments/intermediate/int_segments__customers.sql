{{ config(materialized='table') }}

{#-
    Every customer's segmentation as of the as-of date (one row per customer
    known by then): the single source of customer_rfm, customer_lifecycle,
    customer_value, customer_segments and segment_summary. The steps are the
    int_segments__* models, shared with customer_segment_history (see
    int_segments__dates for why they are one definition).
-#}

select
    as_of_date,
    customer_key,
    customer_type,
    region_group_code,
    profile_band,
    profile_code,
    first_order_date,
    last_order_date,
    last_return_date,
    order_days_total,
    median_gap_days,
    days_since_first_order,
    recency_days,
    frequency,
    orders_year,
    revenue_year,
    previous_revenue_year,
    gross_margin_year,
    costed_revenue_year,
    lifecycle_stage,
    stage_letter,
    min_orders_active,
    is_active,
    is_rfm_scored,
    r_score,
    f_score,
    m_score,
    rfm_cell,
    potential_source,
    peer_potential,
    potential_revenue_year,
    share_of_wallet,
    value_tier,
    segment_code

from {{ ref('int_segments__segments') }}
where is_current
