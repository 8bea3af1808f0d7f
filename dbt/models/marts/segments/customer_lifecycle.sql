{{ config(materialized=mart_view()) }}

{#- Life-cycle stage of every customer as of the as-of date (rules in seed lifecycle_stages). -#}

select
    customer_key,
    as_of_date,
    lifecycle_stage,
    stage_letter,
    first_order_date,
    last_order_date,
    last_return_date,
    order_days_total,
    median_gap_days,
    days_since_first_order,
    recency_days

from {{ ref('int_segments__customers') }}
