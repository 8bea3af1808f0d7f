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
    computed by the same macro as the current segmentation as if the as-of date
    were that month end. Append-only: a run adds the month ends it has not
    stored yet and never rewrites an old month (full_refresh is off), so the
    history shows what was known then. Customer keys are those of that month:
    follow customer_key_merges to today's key.
-#}

{%- set month_ends -%}
    select month_end as as_of_date
    from {{ ref('int_segments__month_ends') }}
    {%- if is_incremental() %}
        where month_end > (select max(month_end) from {{ this }})
    {%- endif %}
{%- endset %}

with

segmented as (

    {{ vector_crm.segment_customers(month_ends, with_rfm=false, with_previous_year=false) }}

)

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

from segmented
