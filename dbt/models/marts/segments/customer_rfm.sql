{{ config(materialized=mart_view()) }}

{#- RFM of every customer as of the as-of date (definitions in _segments__models.yml). -#}

select
    customer_key,
    as_of_date,
    last_order_date,
    recency_days,
    frequency,
    revenue_year as monetary,
    is_rfm_scored,
    r_score,
    f_score,
    m_score,
    rfm_cell

from {{ ref('int_segments__customers') }}
