{{ config(materialized=mart_view()) }}

{#-
    The micro-segment of every customer as of the as-of date, with its name
    from seed segment_names (macro first_matching_rule).
-#}

with

customers as (

    select * from {{ ref('int_segments__customers') }}

),

segment_names as (
    {{ vector_crm.first_matching_rule(
        'select distinct segment_code from customers', 'segment_code',
        ref('segment_names'), 'code_pattern', 'segment_name'
    ) }}
)

select
    customers.customer_key,
    customers.as_of_date,
    customers.segment_code,
    segment_names.segment_name,
    customers.profile_code,
    customers.customer_type,
    customers.region_group_code,
    customers.profile_band,
    customers.value_tier,
    customers.lifecycle_stage,
    customers.stage_letter,
    customers.rfm_cell,
    customers.is_active

from customers
left join segment_names
    on customers.segment_code = segment_names.segment_code
