{{ config(materialized='table') }}

{#-
    Step 2 of the segmentation, the purchases: one row per as-of date of
    int_segments__dates and customer known then (first_seen_date <= date) with
    an int_customers__order_days row on or before it (a "buyer"), with their
    running totals and profile at that date.

    Each total is read off the customer's latest order-days row on or before
    the as-of date, the window start and (current date only) the previous
    window start (macro segment_latest_order_row), so no pass over the whole
    history per date: window totals are differences of running totals. The
    median gap is aggregated once per order-days row that some date reads (it
    only changes at order days), not once per date and customer. The history
    does not store the previous year's revenue, so that lookup runs for the
    current as-of date only.
-#}

{%- set age_band_edges = var('age_band_edges') %}

with

as_of_dates as (

    select * from {{ ref('int_segments__dates') }}

),

current_dates as (

    select * from as_of_dates
    where is_current

),

at_as_of as (
    {{ vector_crm.segment_latest_order_row('as_of_date') }}
),

at_window_start as (
    {{ vector_crm.segment_latest_order_row('window_start') }}
),

at_previous_window_start as (
    {{ vector_crm.segment_latest_order_row('previous_window_start', 'current_dates') }}
),

median_rows as (

    select distinct
        customer_id,
        order_date

    from at_as_of

),

median_gaps as (

    select
        median_rows.customer_id,
        median_rows.order_date,
        {{ vector_crm.percentile_cont('order_days.gap_days', 0.5) }} as median_gap_days

    from median_rows
    inner join {{ ref('int_customers__order_days') }} as order_days
        on
            median_rows.customer_id = order_days.customer_id
            and median_rows.order_date >= order_days.order_date
    where order_days.gap_days is not null

    group by 1, 2

),

purchases as (

    select
        at_as_of.as_of_date,
        at_as_of.customer_id,
        at_as_of.first_order_day as first_order_date,
        at_as_of.last_order_day as last_order_date,
        at_as_of.last_return_day as last_return_date,
        at_as_of.cum_order_days as order_days_total,
        median_gaps.median_gap_days,
        at_as_of.cum_order_days - coalesce(at_window_start.cum_order_days, 0) as frequency,
        at_as_of.cum_completed_orders - coalesce(at_window_start.cum_completed_orders, 0) as orders_year,
        at_as_of.cum_net_revenue - coalesce(at_window_start.cum_net_revenue, 0) as revenue_year,
        case
            when at_as_of.is_current
                then
                    coalesce(at_window_start.cum_net_revenue, 0)
                    - coalesce(at_previous_window_start.cum_net_revenue, 0)
        end as previous_revenue_year,
        at_as_of.cum_gross_margin - coalesce(at_window_start.cum_gross_margin, 0) as known_gross_margin_year,
        at_as_of.cum_costed_revenue - coalesce(at_window_start.cum_costed_revenue, 0) as costed_revenue_year

    from at_as_of
    left join at_window_start
        on at_as_of.as_of_date = at_window_start.as_of_date and at_as_of.customer_id = at_window_start.customer_id
    left join at_previous_window_start
        on
            at_as_of.as_of_date = at_previous_window_start.as_of_date
            and at_as_of.customer_id = at_previous_window_start.customer_id
    left join median_gaps
        on at_as_of.customer_id = median_gaps.customer_id and at_as_of.order_date = median_gaps.order_date

)

select
    purchases.as_of_date,
    purchases.customer_id,
    profiles.customer_key,
    profiles.customer_type,
    profiles.region_group_code,
    {{ vector_crm.segment_profile_band('purchases.as_of_date', 'profiles', age_band_edges) }} as profile_band,
    {{ dbt.concat([
        'profiles.type_letter',
        'profiles.region_group_code',
        vector_crm.segment_profile_band('purchases.as_of_date', 'profiles', age_band_edges)
    ]) }} as profile_code,
    purchases.first_order_date,
    purchases.last_order_date,
    purchases.last_return_date,
    purchases.order_days_total,
    purchases.median_gap_days,
    purchases.frequency,
    purchases.orders_year,
    purchases.revenue_year,
    purchases.previous_revenue_year,
    purchases.known_gross_margin_year,
    purchases.costed_revenue_year

from purchases
inner join {{ ref('int_segments__profiles') }} as profiles
    on purchases.customer_id = profiles.customer_id
where profiles.first_seen_date <= purchases.as_of_date
