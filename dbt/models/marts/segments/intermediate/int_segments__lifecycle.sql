{{ config(materialized='view') }}

{#-
    Step 3 of the segmentation, life cycle and activity: one row per as-of date
    and buyer (int_segments__purchases) and one per as-of date and prospect
    group (int_segments__prospect_groups, purchase columns null as a
    prospect's own row would have them, customers = the group's size). Both
    kinds go through the same rules:
      - the life-cycle stage by the rules of seed lifecycle_stages, in their
        order (the seed lists them; the thresholds are vars);
      - activity: orders_year >= the profile code's min_orders_active
        (int_segments__activity_minimums).
    A view: row by row, read once by int_segments__value, which stores the
    result with the value columns.
-#}

with

buyer_rows as (

    select
        as_of_date,
        customer_id,
        customer_key,
        cast(null as {{ dbt.type_bigint() }}) as profile_kind,
        1 as customers,
        customer_type,
        region_group_code,
        profile_band,
        profile_code,
        first_order_date,
        last_order_date,
        last_return_date,
        order_days_total,
        median_gap_days,
        frequency,
        orders_year,
        revenue_year,
        previous_revenue_year,
        known_gross_margin_year,
        costed_revenue_year

    from {{ ref('int_segments__purchases') }}

),

group_rows as (

    select
        as_of_date,
        cast(null as {{ dbt.type_bigint() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        profile_kind,
        customers,
        customer_type,
        region_group_code,
        profile_band,
        profile_code,
        cast(null as date) as first_order_date,
        cast(null as date) as last_order_date,
        cast(null as date) as last_return_date,
        cast(null as {{ dbt.type_bigint() }}) as order_days_total,
        cast(null as {{ dbt.type_numeric() }}) as median_gap_days,
        cast(null as {{ dbt.type_bigint() }}) as frequency,
        cast(null as {{ dbt.type_bigint() }}) as orders_year,
        cast(null as {{ dbt.type_numeric() }}) as revenue_year,
        cast(null as {{ dbt.type_numeric() }}) as previous_revenue_year,
        cast(null as {{ dbt.type_numeric() }}) as known_gross_margin_year,
        cast(null as {{ dbt.type_numeric() }}) as costed_revenue_year

    from {{ ref('int_segments__prospect_groups') }}

),

segment_rows as (

    select * from buyer_rows
    union all
    select * from group_rows

),

day_counts as (

    select
        *,
        {{ dbt.datediff('first_order_date', 'as_of_date', 'day') }} as days_since_first_order,  -- noqa: LT05
        {{ dbt.datediff('last_order_date', 'as_of_date', 'day') }} as recency_days,  -- noqa: LT05
        {{ dbt.datediff('last_return_date', 'as_of_date', 'day') }} as days_since_return  -- noqa: LT05

    from segment_rows

)

select
    day_counts.as_of_date,
    day_counts.customer_id,
    day_counts.customer_key,
    day_counts.profile_kind,
    day_counts.customers,
    day_counts.customer_type,
    day_counts.region_group_code,
    day_counts.profile_band,
    day_counts.profile_code,
    day_counts.first_order_date,
    day_counts.last_order_date,
    day_counts.last_return_date,
    coalesce(day_counts.order_days_total, 0) as order_days_total,
    day_counts.median_gap_days,
    day_counts.days_since_first_order,
    day_counts.recency_days,
    coalesce(day_counts.frequency, 0) as frequency,
    coalesce(day_counts.orders_year, 0) as orders_year,
    coalesce(day_counts.revenue_year, 0) as revenue_year,
    coalesce(day_counts.previous_revenue_year, 0) as previous_revenue_year,
    day_counts.known_gross_margin_year,
    coalesce(day_counts.costed_revenue_year, 0) as costed_revenue_year,
    activity_minimums.min_orders_active,
    coalesce(coalesce(day_counts.orders_year, 0) >= activity_minimums.min_orders_active, false) as is_active,
    case
        when day_counts.last_order_date is null then 'prospect'
        when day_counts.recency_days >= {{ var('desertion_window_days') }} then 'deserted'
        when day_counts.days_since_first_order < {{ var('new_customer_days') }} then 'new'
        when day_counts.days_since_return < {{ var('recovery_window_days') }} then 'recovered'
        when
            day_counts.order_days_total >= {{ var('at_risk_min_order_days') }}
            and day_counts.recency_days > {{ var('at_risk_factor') }} * day_counts.median_gap_days
            then 'at_risk'
        when
            day_counts.order_days_total < {{ var('at_risk_min_order_days') }}
            and day_counts.recency_days > {{ var('at_risk_days') }}
            then 'at_risk'
        else 'active'
    end as lifecycle_stage

from day_counts
left join {{ ref('int_segments__activity_minimums') }} as activity_minimums
    on day_counts.profile_code = activity_minimums.profile_code
