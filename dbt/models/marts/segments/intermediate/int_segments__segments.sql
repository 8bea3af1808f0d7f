{{ config(materialized='view') }}

{#-
    The segmentation of every customer at every date of int_segments__dates:
    one row per as-of date and customer known then (first_seen_date <= date).
    Buyers take their row of int_segments__value, each prospect their prospect
    group's row; RFM (int_segments__rfm) is filled at the current as-of date
    only, and so is previous_revenue_year (0 at other dates).

    A view read by int_segments__customers (the current as-of date) and by
    customer_segment_history (the new month ends), each filtering on the flags
    of int_segments__dates: the flags come from the dates side of both
    branches, so the filter reaches that scan and each reader expands only its
    own dates' prospects (most of the rows).
-#}

with

-- int_segments__value is named in each branch, not in a CTE of its own: DuckDB
-- materializes a CTE that is read twice, a copy of every row of the table
customer_rows as (

    select
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        as_of_dates.is_new_month_end,
        buyers.customer_key,
        buyers.customer_type,
        buyers.region_group_code,
        buyers.profile_band,
        buyers.profile_code,
        buyers.first_order_date,
        buyers.last_order_date,
        buyers.last_return_date,
        buyers.order_days_total,
        buyers.median_gap_days,
        buyers.days_since_first_order,
        buyers.recency_days,
        buyers.frequency,
        buyers.orders_year,
        buyers.revenue_year,
        buyers.previous_revenue_year,
        buyers.known_gross_margin_year,
        buyers.costed_revenue_year,
        buyers.lifecycle_stage,
        buyers.min_orders_active,
        buyers.is_active,
        buyers.potential_source,
        buyers.peer_potential,
        buyers.potential_revenue_year,
        buyers.value_tier,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score

    from {{ ref('int_segments__dates') }} as as_of_dates
    inner join {{ ref('int_segments__value') }} as buyers
        on as_of_dates.as_of_date = buyers.as_of_date
    left join {{ ref('int_segments__rfm') }} as rfm
        on buyers.as_of_date = rfm.as_of_date and buyers.customer_id = rfm.customer_id
    where buyers.customer_id is not null

    union all

    -- each prospect with their group's result, joined on the small group rows
    select
        as_of_dates.as_of_date,
        as_of_dates.is_current,
        as_of_dates.is_new_month_end,
        profiles.customer_key,
        prospect_groups.customer_type,
        prospect_groups.region_group_code,
        prospect_groups.profile_band,
        prospect_groups.profile_code,
        prospect_groups.first_order_date,
        prospect_groups.last_order_date,
        prospect_groups.last_return_date,
        prospect_groups.order_days_total,
        prospect_groups.median_gap_days,
        prospect_groups.days_since_first_order,
        prospect_groups.recency_days,
        prospect_groups.frequency,
        prospect_groups.orders_year,
        prospect_groups.revenue_year,
        prospect_groups.previous_revenue_year,
        prospect_groups.known_gross_margin_year,
        prospect_groups.costed_revenue_year,
        prospect_groups.lifecycle_stage,
        prospect_groups.min_orders_active,
        prospect_groups.is_active,
        prospect_groups.potential_source,
        prospect_groups.peer_potential,
        prospect_groups.potential_revenue_year,
        prospect_groups.value_tier,
        cast(null as {{ dbt.type_int() }}) as r_score,
        cast(null as {{ dbt.type_int() }}) as f_score,
        cast(null as {{ dbt.type_int() }}) as m_score

    from {{ ref('int_segments__dates') }} as as_of_dates
    inner join {{ ref('int_segments__profiles') }} as profiles
        on
            as_of_dates.as_of_date >= profiles.first_seen_date
            and as_of_dates.as_of_date < profiles.first_row_date
    inner join {{ ref('int_segments__value') }} as prospect_groups
        on
            as_of_dates.as_of_date = prospect_groups.as_of_date
            and profiles.profile_kind = prospect_groups.profile_kind
    where prospect_groups.profile_kind is not null

)

select
    customer_rows.as_of_date,
    customer_rows.is_current,
    customer_rows.is_new_month_end,
    customer_rows.customer_key,
    customer_rows.customer_type,
    customer_rows.region_group_code,
    customer_rows.profile_band,
    customer_rows.profile_code,
    customer_rows.first_order_date,
    customer_rows.last_order_date,
    customer_rows.last_return_date,
    cast(customer_rows.order_days_total as {{ dbt.type_bigint() }}) as order_days_total,
    cast(customer_rows.median_gap_days as {{ dbt.type_numeric() }}) as median_gap_days,
    cast(customer_rows.days_since_first_order as {{ dbt.type_int() }}) as days_since_first_order,
    cast(customer_rows.recency_days as {{ dbt.type_int() }}) as recency_days,
    cast(customer_rows.frequency as {{ dbt.type_bigint() }}) as frequency,
    cast(customer_rows.orders_year as {{ dbt.type_bigint() }}) as orders_year,
    cast(customer_rows.revenue_year as {{ dbt.type_numeric() }}) as revenue_year,
    cast(customer_rows.previous_revenue_year as {{ dbt.type_numeric() }}) as previous_revenue_year,
    cast(
        case when customer_rows.costed_revenue_year <> 0 then customer_rows.known_gross_margin_year end
        as {{ dbt.type_numeric() }}
    ) as gross_margin_year,
    cast(customer_rows.costed_revenue_year as {{ dbt.type_numeric() }}) as costed_revenue_year,
    customer_rows.lifecycle_stage,
    lifecycle_stages.stage_letter,
    customer_rows.min_orders_active,
    customer_rows.is_active,
    customer_rows.frequency > 0 as is_rfm_scored,
    customer_rows.r_score,
    customer_rows.f_score,
    customer_rows.m_score,
    case
        when customer_rows.frequency > 0
            then {{ dbt.concat([
                'cast(customer_rows.r_score as ' ~ dbt.type_string() ~ ')',
                'cast(customer_rows.f_score as ' ~ dbt.type_string() ~ ')',
                'cast(customer_rows.m_score as ' ~ dbt.type_string() ~ ')'
            ]) }}
    end as rfm_cell,
    customer_rows.potential_source,
    cast(customer_rows.peer_potential as {{ dbt.type_numeric() }}) as peer_potential,
    customer_rows.potential_revenue_year,
    case
        when customer_rows.potential_revenue_year > 0
            then cast(customer_rows.revenue_year / customer_rows.potential_revenue_year as {{ dbt.type_numeric() }})
    end as share_of_wallet,
    customer_rows.value_tier,
    {{ dbt.concat([
        'customer_rows.profile_code',
        'cast(customer_rows.value_tier as ' ~ dbt.type_string() ~ ')',
        'lifecycle_stages.stage_letter'
    ]) }} as segment_code

from customer_rows
left join {{ ref('lifecycle_stages') }} as lifecycle_stages
    on customer_rows.lifecycle_stage = lifecycle_stages.lifecycle_stage
