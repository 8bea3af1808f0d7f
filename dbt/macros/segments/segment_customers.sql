{#-
    The segmentation of every customer as of one or more dates: one row per
    as-of date and customer known on that date (first_seen_date <= as-of date).

    `as_of_dates` is a query returning a column as_of_date. with_rfm=false
    leaves the RFM scores null and with_previous_year=false the previous
    year's revenue (the monthly history stores neither: three window sorts
    and a lookup less per month end). The current
    segmentation (int_segments__customers) passes the single as-of date; the
    monthly history (customer_segment_history) passes the month ends it has
    not stored yet. Both run this one definition, so a month end in the history
    equals what the current models say when as_of_date is that month end.

    Steps (definitions are documented column by column in
    models/marts/segments/_segments__models.yml):
      1. the customer's running totals at the as-of date and at the start of the
         year and of the previous year (int_customers__order_days: each is the
         latest row on or before the date, so no scan of the whole history);
      2. profile: type letter, region group (seed region_groups), band (age band
         of a person from var age_band_edges, activity group of a company from
         seed economic_activity_groups); profile_code = the three characters;
      3. life-cycle stage by the rules of seed lifecycle_stages, in their order;
      4. activity (seed segment_activity_minimums), potential (percentile of
         actives' revenue in the profile group), RFM and value scores (macro
         tile_score), segment code.
-#}
{% macro segment_customers(as_of_dates, with_rfm=true, with_previous_year=true) %}
{%- set window_days = var('segment_window_days') | int %}
{%- set profile_columns = var('value_profile_columns') %}
{%- set age_band_edges = var('age_band_edges') %}

with

as_of_dates as (

    select
        requested.as_of_date,
        -- the year is (window_start, as_of_date]; the previous year is
        -- (previous_window_start, window_start]
        cast({{ dbt.dateadd('day', -window_days, 'requested.as_of_date') }} as date) as window_start,
        cast({{ dbt.dateadd('day', -2 * window_days, 'requested.as_of_date') }} as date) as previous_window_start

    from ({{ as_of_dates }}) as requested

),

order_days as (

    select * from {{ ref('int_customers__order_days') }}

),

at_as_of as (
    {{ vector_crm.segment_latest_order_row('as_of_date') }}
),

at_window_start as (
    {{ vector_crm.segment_latest_order_row('window_start') }}
),

{%- if with_previous_year %}
at_previous_window_start as (
    {{ vector_crm.segment_latest_order_row('previous_window_start') }}
),
{%- endif %}

median_gaps as (

    select
        as_of_dates.as_of_date,
        order_days.customer_key,
        {{ vector_crm.percentile_cont('order_days.gap_days', 0.5) }} as median_gap_days

    from as_of_dates
    inner join order_days
        on order_days.order_date <= as_of_dates.as_of_date
    where order_days.gap_days is not null

    group by 1, 2

),

customers_at as (

    select
        as_of_dates.as_of_date,
        customers.customer_key,
        customers.customer_type,
        customers.region,
        customers.economic_activity,
        extract(year from as_of_dates.as_of_date) - customers.birth_year as age_years

    from as_of_dates
    inner join {{ ref('dim_customers') }} as customers
        on customers.first_seen_date <= as_of_dates.as_of_date
    where not customers.is_missing_member

),

profiles as (

    select
        customers_at.as_of_date,
        customers_at.customer_key,
        customers_at.customer_type,
        case customers_at.customer_type
            when 'person' then 'P'
            when 'company' then 'C'
            else 'U'
        end as type_letter,
        coalesce(region_groups.region_group_code, 'X') as region_group_code,
        case
            when customers_at.customer_type = 'person' then
                case
                    when customers_at.age_years is null then '0'
                    {%- for edge in age_band_edges %}
                    when customers_at.age_years < {{ edge }} then '{{ loop.index }}'
                    {%- endfor %}
                    else '{{ age_band_edges | length + 1 }}'
                end
            when customers_at.customer_type = 'company'
                then coalesce(activity_groups.activity_code, '0')
            else '0'
        end as profile_band

    from customers_at
    left join {{ ref('region_groups') }} as region_groups
        on customers_at.region = region_groups.region
    left join {{ ref('economic_activity_groups') }} as activity_groups
        on customers_at.economic_activity = activity_groups.economic_activity

),

metrics as (

    select
        profiles.as_of_date,
        profiles.customer_key,
        profiles.customer_type,
        profiles.region_group_code,
        profiles.profile_band,
        {{ dbt.concat(['profiles.type_letter', 'profiles.region_group_code', 'profiles.profile_band']) }}
            as profile_code,
        at_as_of.first_order_day as first_order_date,
        at_as_of.last_order_day as last_order_date,
        at_as_of.last_return_day as last_return_date,
        cast(coalesce(at_as_of.cum_order_days, 0) as {{ dbt.type_bigint() }}) as order_days_total,
        cast(median_gaps.median_gap_days as {{ dbt.type_numeric() }}) as median_gap_days,
        cast(
            {{ dbt.datediff('at_as_of.first_order_day', 'profiles.as_of_date', 'day') }} as {{ dbt.type_int() }}
        ) as days_since_first_order,
        cast(
            {{ dbt.datediff('at_as_of.last_order_day', 'profiles.as_of_date', 'day') }} as {{ dbt.type_int() }}
        ) as recency_days,
        cast(
            {{ dbt.datediff('at_as_of.last_return_day', 'profiles.as_of_date', 'day') }} as {{ dbt.type_int() }}
        ) as days_since_return,
        cast(
            coalesce(at_as_of.cum_order_days, 0) - coalesce(at_window_start.cum_order_days, 0)
            as {{ dbt.type_bigint() }}
        ) as frequency,
        cast(
            coalesce(at_as_of.cum_completed_orders, 0) - coalesce(at_window_start.cum_completed_orders, 0)
            as {{ dbt.type_bigint() }}
        ) as orders_year,
        cast(
            coalesce(at_as_of.cum_net_revenue, 0) - coalesce(at_window_start.cum_net_revenue, 0)
            as {{ dbt.type_numeric() }}
        ) as revenue_year,
        cast(
            {%- if with_previous_year %}
            coalesce(at_window_start.cum_net_revenue, 0) - coalesce(at_previous_window_start.cum_net_revenue, 0)
            {%- else %}
            null
            {%- endif %}
            as {{ dbt.type_numeric() }}
        ) as previous_revenue_year,
        cast(
            coalesce(at_as_of.cum_gross_margin, 0) - coalesce(at_window_start.cum_gross_margin, 0)
            as {{ dbt.type_numeric() }}
        ) as known_gross_margin_year,
        cast(
            coalesce(at_as_of.cum_costed_revenue, 0) - coalesce(at_window_start.cum_costed_revenue, 0)
            as {{ dbt.type_numeric() }}
        ) as costed_revenue_year

    from profiles
    left join at_as_of
        on profiles.as_of_date = at_as_of.as_of_date and profiles.customer_key = at_as_of.customer_key
    left join at_window_start
        on profiles.as_of_date = at_window_start.as_of_date and profiles.customer_key = at_window_start.customer_key
    {%- if with_previous_year %}
    left join at_previous_window_start
        on
            profiles.as_of_date = at_previous_window_start.as_of_date
            and profiles.customer_key = at_previous_window_start.customer_key
    {%- endif %}
    left join median_gaps
        on profiles.as_of_date = median_gaps.as_of_date and profiles.customer_key = median_gaps.customer_key

),

-- seed lifecycle_stages lists these rules in the same order
staged as (

    select
        *,
        case
            when last_order_date is null then 'prospect'
            when recency_days >= {{ var('desertion_window_days') }} then 'deserted'
            when days_since_first_order < {{ var('new_customer_days') }} then 'new'
            when days_since_return < {{ var('recovery_window_days') }} then 'recovered'
            when
                order_days_total >= {{ var('at_risk_min_order_days') }}
                and recency_days > {{ var('at_risk_factor') }} * median_gap_days
                then 'at_risk'
            when
                order_days_total < {{ var('at_risk_min_order_days') }}
                and recency_days > {{ var('at_risk_days') }}
                then 'at_risk'
            else 'active'
        end as lifecycle_stage

    from metrics

),

-- the first rule of seed segment_activity_minimums (by priority) whose
-- pattern matches the profile code
activity_minimums as (

    select
        profile_code,
        min_orders_active

    from (
        select
            codes.profile_code,
            rules.min_orders_active,
            row_number() over (
                partition by codes.profile_code
                order by rules.priority, rules.profile_pattern
            ) as rule_rank

        from (select distinct profile_code from metrics) as codes
        inner join {{ ref('segment_activity_minimums') }} as rules
            on codes.profile_code like rules.profile_pattern
    ) as ranked_matches

    where rule_rank = 1

),

activity as (

    select
        staged.*,
        lifecycle_stages.stage_letter,
        activity_minimums.min_orders_active,
        coalesce(staged.orders_year >= activity_minimums.min_orders_active, false) as is_active,
        staged.frequency > 0 as is_rfm_scored

    from staged
    left join {{ ref('lifecycle_stages') }} as lifecycle_stages
        on staged.lifecycle_stage = lifecycle_stages.lifecycle_stage
    left join activity_minimums
        on staged.profile_code = activity_minimums.profile_code

),

group_potentials as (

    select
        as_of_date,
        {%- for column in profile_columns %}
        {{ column }},
        {%- endfor %}
        count(*) as active_customers,
        {{ vector_crm.percentile_cont('revenue_year', var('value_potential_percentile')) }} as potential

    from activity
    where is_active

    group by as_of_date{% for column in profile_columns %}, {{ column }}{% endfor %}

),

type_potentials as (

    select
        as_of_date,
        customer_type,
        count(*) as active_customers,
        {{ vector_crm.percentile_cont('revenue_year', var('value_potential_percentile')) }} as potential

    from activity
    where is_active

    group by 1, 2

),

overall_potentials as (

    select
        as_of_date,
        {{ vector_crm.percentile_cont('revenue_year', var('value_potential_percentile')) }} as potential

    from activity
    where is_active

    group by 1

),

valued as (

    select
        activity.*,
        case
            when group_potentials.active_customers >= {{ var('value_min_group_actives') }} then 'profile_group'
            when type_potentials.active_customers >= {{ var('value_min_group_actives') }} then 'customer_type'
            when overall_potentials.potential is not null then 'all_customers'
            else 'none'
        end as potential_source,
        case
            when group_potentials.active_customers >= {{ var('value_min_group_actives') }}
                then group_potentials.potential
            when type_potentials.active_customers >= {{ var('value_min_group_actives') }}
                then type_potentials.potential
            else overall_potentials.potential
        end as peer_potential

    from activity
    left join group_potentials
        on
            activity.as_of_date = group_potentials.as_of_date
            {%- for column in profile_columns %}
            and activity.{{ column }} = group_potentials.{{ column }}
            {%- endfor %}
    left join type_potentials
        on activity.as_of_date = type_potentials.as_of_date and activity.customer_type = type_potentials.customer_type
    left join overall_potentials
        on activity.as_of_date = overall_potentials.as_of_date

),

potentials as (

    select
        *,
        cast(
            case
                when peer_potential is null or revenue_year > peer_potential then revenue_year
                else peer_potential
            end as {{ dbt.type_numeric() }}
        ) as potential_revenue_year

    from valued

),

ranked as (

    select
        *,
        {%- if with_rfm %}
        rank() over (partition by as_of_date, is_rfm_scored order by recency_days desc) as recency_rank,
        rank() over (partition by as_of_date, is_rfm_scored order by frequency) as frequency_rank,
        rank() over (partition by as_of_date, is_rfm_scored order by revenue_year) as monetary_rank,
        count(*) over (partition by as_of_date, is_rfm_scored) as rfm_scored_customers,
        {%- endif %}
        rank() over (partition by as_of_date order by potential_revenue_year) as potential_rank,
        count(*) over (partition by as_of_date) as customers

    from potentials

),

scored as (

    select
        *,
        {%- if with_rfm %}
        case when is_rfm_scored then {{ vector_crm.tile_score('recency_rank', 'rfm_scored_customers') }} end as r_score,
        case when is_rfm_scored then {{ vector_crm.tile_score('frequency_rank', 'rfm_scored_customers') }} end as f_score,
        case when is_rfm_scored then {{ vector_crm.tile_score('monetary_rank', 'rfm_scored_customers') }} end as m_score,
        {%- else %}
        cast(null as {{ dbt.type_int() }}) as r_score,
        cast(null as {{ dbt.type_int() }}) as f_score,
        cast(null as {{ dbt.type_int() }}) as m_score,
        {%- endif %}
        {{ vector_crm.tile_score('potential_rank', 'customers') }} as value_tier

    from ranked

)

select
    as_of_date,
    customer_key,
    customer_type,
    region_group_code,
    profile_band,
    profile_code,
    first_order_date,
    last_order_date,
    last_return_date,
    order_days_total,
    median_gap_days,
    days_since_first_order,
    recency_days,
    frequency,
    orders_year,
    revenue_year,
    previous_revenue_year,
    case when costed_revenue_year <> 0 then known_gross_margin_year end as gross_margin_year,
    costed_revenue_year,
    lifecycle_stage,
    stage_letter,
    min_orders_active,
    is_active,
    is_rfm_scored,
    r_score,
    f_score,
    m_score,
    case
        when is_rfm_scored
            then {{ dbt.concat([
                'cast(r_score as ' ~ dbt.type_string() ~ ')',
                'cast(f_score as ' ~ dbt.type_string() ~ ')',
                'cast(m_score as ' ~ dbt.type_string() ~ ')'
            ]) }}
    end as rfm_cell,
    potential_source,
    cast(peer_potential as {{ dbt.type_numeric() }}) as peer_potential,
    potential_revenue_year,
    case
        when potential_revenue_year > 0 then cast(revenue_year / potential_revenue_year as {{ dbt.type_numeric() }})
    end as share_of_wallet,
    value_tier,
    {{ dbt.concat([
        'profile_code',
        'cast(value_tier as ' ~ dbt.type_string() ~ ')',
        'stage_letter'
    ]) }} as segment_code

from scored
{% endmacro %}


{#- The customer's latest order_days row on or before as_of_dates.<date_column>. -#}
{% macro segment_latest_order_row(date_column) %}
    select
        as_of_dates.as_of_date,
        order_days.customer_key,
        order_days.first_order_day,
        order_days.last_order_day,
        order_days.last_return_day,
        order_days.cum_order_days,
        order_days.cum_completed_orders,
        order_days.cum_net_revenue,
        order_days.cum_gross_margin,
        order_days.cum_costed_revenue

    from as_of_dates
    inner join order_days
        on
            order_days.order_date <= as_of_dates.{{ date_column }}
            and (order_days.next_row_date > as_of_dates.{{ date_column }} or order_days.next_row_date is null)
{% endmacro %}
