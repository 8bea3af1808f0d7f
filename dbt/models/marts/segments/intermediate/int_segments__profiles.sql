{{ config(materialized='table') }}

{#-
    Step 1 of the segmentation, the static profile: one row per customer of
    int_customers__profiles with the date of their first int_customers__order_days
    row (before it the customer is a prospect at every as-of date) and their
    profile kind.

    Customers of the same kind (type, region group, birth year, activity
    group, type letter) share every profile column at every date, so the
    prospects, who differ only by their profile, are classified once per date
    and kind (int_segments__prospect_groups) and joined back on the integer
    profile_kind.
-#}

with

first_rows as (

    select
        customer_id,
        min(order_date) as first_row_date

    from {{ ref('int_customers__order_days') }}

    group by 1

),

profiles as (

    select
        customer_id,
        customer_key,
        customer_type,
        region_group_code,
        birth_year,
        activity_code,
        type_letter,
        first_seen_date

    from {{ ref('int_customers__profiles') }}

)

select
    profiles.customer_id,
    profiles.customer_key,
    profiles.customer_type,
    profiles.region_group_code,
    profiles.birth_year,
    profiles.activity_code,
    profiles.type_letter,
    profiles.first_seen_date,
    coalesce(first_rows.first_row_date, cast('9999-12-31' as date)) as first_row_date,
    dense_rank() over (
        order by
            profiles.customer_type,
            profiles.region_group_code,
            profiles.birth_year,
            profiles.activity_code,
            profiles.type_letter
    ) as profile_kind

from profiles
left join first_rows
    on profiles.customer_id = first_rows.customer_id
