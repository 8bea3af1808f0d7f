{{ config(materialized='table') }}

{#-
    Step 3 (activity), the rule part: for every profile code some customer can
    have at some date of int_segments__dates (each profile kind at each date),
    the orders in the year it needs to count as active: min_orders_active of
    the first rule of seed segment_activity_minimums, by priority, whose
    pattern matches the code (macro first_matching_rule). The codes come from
    the profile kinds, a small table, not from the buyers' rows.
-#}

{%- set age_band_edges = var('age_band_edges') %}

with

profile_kinds as (

    select distinct
        customer_type,
        region_group_code,
        birth_year,
        activity_code,
        type_letter

    from {{ ref('int_segments__profiles') }}

),

profile_codes as (

    select distinct
        {{ dbt.concat([
            'profiles.type_letter',
            'profiles.region_group_code',
            vector_crm.segment_profile_band('as_of_dates.as_of_date', 'profiles', age_band_edges)
        ]) }} as profile_code

    from {{ ref('int_segments__dates') }} as as_of_dates
    cross join profile_kinds as profiles

),

activity_minimums as (
    {{ vector_crm.first_matching_rule(
        'select profile_code from profile_codes', 'profile_code',
        ref('segment_activity_minimums'), 'profile_pattern', 'min_orders_active'
    ) }}
)

select
    profile_code,
    min_orders_active

from activity_minimums
