{{ config(materialized=mart_view()) }}

{#- Actual and potential annual revenue of every customer as of the as-of date. -#}

select
    customer_key,
    as_of_date,
    customer_type,
    region_group_code,
    profile_band,
    profile_code,
    orders_year,
    min_orders_active,
    is_active,
    revenue_year as actual_revenue_year,
    previous_revenue_year,
    gross_margin_year,
    costed_revenue_year,
    potential_source,
    peer_potential,
    potential_revenue_year,
    share_of_wallet,
    value_tier

from {{ ref('int_segments__customers') }}
