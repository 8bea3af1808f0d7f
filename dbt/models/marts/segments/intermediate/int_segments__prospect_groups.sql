{{ config(materialized='table') }}

{#-
    Step 2 for the prospects: one row per as-of date of int_segments__dates and
    profile kind (int_segments__profiles) with at least one prospect, a
    customer known then (first_seen_date <= date) without any order-days row
    yet. Prospects differ only by their profile, so the later steps classify
    each group once, with its purchase columns null as a prospect's own row
    would have them, instead of classifying every prospect: most customers at
    most month ends have not bought yet. int_segments__segments gives each
    prospect their group's result.
-#}

{%- set age_band_edges = var('age_band_edges') %}

with

prospect_counts as (

    select
        as_of_dates.as_of_date,
        profiles.profile_kind,
        count(*) as customers

    from {{ ref('int_segments__dates') }} as as_of_dates
    inner join {{ ref('int_segments__profiles') }} as profiles
        on
            as_of_dates.as_of_date >= profiles.first_seen_date
            and as_of_dates.as_of_date < profiles.first_row_date

    group by 1, 2

),

profile_kinds as (

    select distinct
        profile_kind,
        customer_type,
        region_group_code,
        birth_year,
        activity_code,
        type_letter

    from {{ ref('int_segments__profiles') }}

)

select
    prospect_counts.as_of_date,
    prospect_counts.profile_kind,
    prospect_counts.customers,
    profiles.customer_type,
    profiles.region_group_code,
    {{ vector_crm.segment_profile_band('prospect_counts.as_of_date', 'profiles', age_band_edges) }} as profile_band,
    {{ dbt.concat([
        'profiles.type_letter',
        'profiles.region_group_code',
        vector_crm.segment_profile_band('prospect_counts.as_of_date', 'profiles', age_band_edges)
    ]) }} as profile_code

from prospect_counts
inner join profile_kinds as profiles
    on prospect_counts.profile_kind = profiles.profile_kind
