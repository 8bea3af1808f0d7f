{{ config(materialized='view') }}

{#-
    The micro-segment of every customer as of the as-of date, with its name:
    the first row of seed segment_names (lowest priority) whose code_pattern
    (SQL LIKE, `_` = any one character) matches the segment code.
-#}

with

customers as (

    select * from {{ ref('int_segments__customers') }}

),

segment_names as (

    select
        segment_code,
        segment_name

    from (
        select
            codes.segment_code,
            name_rules.segment_name,
            row_number() over (
                partition by codes.segment_code
                order by name_rules.priority, name_rules.code_pattern
            ) as name_rank

        from (select distinct segment_code from customers) as codes
        inner join {{ ref('segment_names') }} as name_rules
            on codes.segment_code like name_rules.code_pattern
    ) as ranked_matches

    where name_rank = 1

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
