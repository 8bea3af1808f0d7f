{#-
    The segmentation of every customer as of one or more dates: one row per
    as-of date and customer known on that date (first_seen_date <= as-of date).

    `as_of_dates` is a query returning a column as_of_date. The current
    segmentation (int_segments__customers) passes the single as-of date; the
    monthly history (customer_segment_history) passes the month ends it has
    not stored yet. Both run this one definition, so a month end in the history
    equals what the current models say when as_of_date is that month end.
    with_rfm=false leaves the RFM scores null and with_previous_year=false the
    previous year's revenue: the history stores neither (three window sorts and
    a lookup less per month end).

    Steps (each definition is documented column by column in
    models/marts/segments/_segments__models.yml):
      1. purchases: the customer's running totals at the as-of date and at the
         start of the year (and of the previous year), each the latest row of
         int_customers__order_days on or before that date, so no pass over the
         whole history per date; window totals are differences;
      2. profile code: type letter, region group, band (a person's age band
         from var age_band_edges, a company's activity group);
      3. life-cycle stage by the rules of seed lifecycle_stages, in their order;
      4. activity (seed segment_activity_minimums), potential (percentile of
         the actives' revenue in the profile group), RFM and value scores
         (macro tile_score), segment code.
    Everything runs on the integer customer_id of int_customers__profiles and
    on narrow rows; customer_key is joined back once, at the end.
-#}
{% macro segment_customers(as_of_dates, with_rfm=true, with_previous_year=true) %}
{%- set window_days = var('segment_window_days') | int %}
{%- set profile_columns = var('value_profile_columns') %}
{%- set age_band_edges = var('age_band_edges') %}
{%- set percentile = var('value_potential_percentile') %}
{%- set min_group_actives = var('value_min_group_actives') %}

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

-- one row per as-of date and customer who bought on or before it
purchases as (

    select
        at_as_of.as_of_date,
        at_as_of.customer_id,
        at_as_of.first_order_day as first_order_date,
        at_as_of.last_order_day as last_order_date,
        at_as_of.last_return_day as last_return_date,
        at_as_of.cum_order_days as order_days_total,
        at_as_of.cum_order_days - coalesce(at_window_start.cum_order_days, 0) as frequency,
        at_as_of.cum_completed_orders - coalesce(at_window_start.cum_completed_orders, 0) as orders_year,
        at_as_of.cum_net_revenue - coalesce(at_window_start.cum_net_revenue, 0) as revenue_year,
        {%- if with_previous_year %}
        coalesce(at_window_start.cum_net_revenue, 0)
        - coalesce(at_previous_window_start.cum_net_revenue, 0) as previous_revenue_year,
        {%- else %}
        null as previous_revenue_year,
        {%- endif %}
        at_as_of.cum_gross_margin - coalesce(at_window_start.cum_gross_margin, 0) as known_gross_margin_year,
        at_as_of.cum_costed_revenue - coalesce(at_window_start.cum_costed_revenue, 0) as costed_revenue_year

    from at_as_of
    left join at_window_start
        on at_as_of.as_of_date = at_window_start.as_of_date and at_as_of.customer_id = at_window_start.customer_id
    {%- if with_previous_year %}
    left join at_previous_window_start
        on
            at_as_of.as_of_date = at_previous_window_start.as_of_date
            and at_as_of.customer_id = at_previous_window_start.customer_id
    {%- endif %}

),

median_gaps as (

    select
        as_of_dates.as_of_date,
        order_days.customer_id,
        {{ vector_crm.percentile_cont('order_days.gap_days', 0.5) }} as median_gap_days

    from as_of_dates
    inner join order_days
        on order_days.order_date <= as_of_dates.as_of_date
    where order_days.gap_days is not null

    group by 1, 2

),

profile_bands as (

    select
        as_of_dates.as_of_date,
        profiles.customer_id,
        profiles.customer_type,
        profiles.region_group_code,
        case
            when profiles.customer_type = 'person' then
                case
                    when profiles.birth_year is null then '0'
                    {%- for edge in age_band_edges %}
                    when extract(year from as_of_dates.as_of_date) - profiles.birth_year < {{ edge }}
                        then '{{ loop.index }}'
                    {%- endfor %}
                    else '{{ age_band_edges | length + 1 }}'
                end
            when profiles.customer_type = 'company' then profiles.activity_code
            else '0'
        end as profile_band,
        profiles.type_letter

    from as_of_dates
    inner join {{ ref('int_customers__profiles') }} as profiles
        on profiles.first_seen_date <= as_of_dates.as_of_date

),

profiles_at as (

    select
        as_of_date,
        customer_id,
        customer_type,
        region_group_code,
        profile_band,
        {{ dbt.concat(['type_letter', 'region_group_code', 'profile_band']) }} as profile_code

    from profile_bands

),

-- the first rule of seed segment_activity_minimums (by priority) whose
-- pattern matches the profile code
activity_minimums as (
    {{ vector_crm.first_matching_rule(
        'select distinct profile_code from profiles_at', 'profile_code',
        ref('segment_activity_minimums'), 'profile_pattern', 'min_orders_active'
    ) }}
),

-- seed lifecycle_stages lists these rules in the same order
classified as (

    select
        profiles_at.as_of_date,
        profiles_at.customer_id,
        profiles_at.customer_type,
        profiles_at.region_group_code,
        profiles_at.profile_band,
        profiles_at.profile_code,
        purchases.first_order_date,
        purchases.last_order_date,
        purchases.last_return_date,
        coalesce(purchases.order_days_total, 0) as order_days_total,
        median_gaps.median_gap_days,
        {{ dbt.datediff('purchases.first_order_date', 'profiles_at.as_of_date', 'day') }} as days_since_first_order,
        {{ dbt.datediff('purchases.last_order_date', 'profiles_at.as_of_date', 'day') }} as recency_days,
        coalesce(purchases.frequency, 0) as frequency,
        coalesce(purchases.orders_year, 0) as orders_year,
        coalesce(purchases.revenue_year, 0) as revenue_year,
        coalesce(purchases.previous_revenue_year, 0) as previous_revenue_year,
        purchases.known_gross_margin_year,
        coalesce(purchases.costed_revenue_year, 0) as costed_revenue_year,
        activity_minimums.min_orders_active,
        coalesce(coalesce(purchases.orders_year, 0) >= activity_minimums.min_orders_active, false) as is_active,
        case
            when purchases.last_order_date is null then 'prospect'
            when
                {{ dbt.datediff('purchases.last_order_date', 'profiles_at.as_of_date', 'day') }}
                >= {{ var('desertion_window_days') }}
                then 'deserted'
            when
                {{ dbt.datediff('purchases.first_order_date', 'profiles_at.as_of_date', 'day') }}
                < {{ var('new_customer_days') }}
                then 'new'
            when
                {{ dbt.datediff('purchases.last_return_date', 'profiles_at.as_of_date', 'day') }}
                < {{ var('recovery_window_days') }}
                then 'recovered'
            when
                purchases.order_days_total >= {{ var('at_risk_min_order_days') }}
                and {{ dbt.datediff('purchases.last_order_date', 'profiles_at.as_of_date', 'day') }}
                > {{ var('at_risk_factor') }} * median_gaps.median_gap_days
                then 'at_risk'
            when
                purchases.order_days_total < {{ var('at_risk_min_order_days') }}
                and {{ dbt.datediff('purchases.last_order_date', 'profiles_at.as_of_date', 'day') }}
                > {{ var('at_risk_days') }}
                then 'at_risk'
            else 'active'
        end as lifecycle_stage

    from profiles_at
    left join purchases
        on profiles_at.as_of_date = purchases.as_of_date and profiles_at.customer_id = purchases.customer_id
    left join median_gaps
        on profiles_at.as_of_date = median_gaps.as_of_date and profiles_at.customer_id = median_gaps.customer_id
    left join activity_minimums
        on profiles_at.profile_code = activity_minimums.profile_code

),

{%- for level, columns in [
    ('group', profile_columns),
    ('type', ['customer_type']),
    ('overall', [])
] %}

{{ level }}_potentials as (

    select
        as_of_date,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        count(*) as active_customers,
        {{ vector_crm.percentile_cont('revenue_year', percentile) }} as potential

    from classified
    where is_active

    group by as_of_date{% for column in columns %}, {{ column }}{% endfor %}

),
{%- endfor %}

valued as (

    select
        classified.*,
        case
            when group_potentials.active_customers >= {{ min_group_actives }} then 'profile_group'
            when type_potentials.active_customers >= {{ min_group_actives }} then 'customer_type'
            when overall_potentials.potential is not null then 'all_customers'
            else 'none'
        end as potential_source,
        case
            when group_potentials.active_customers >= {{ min_group_actives }} then group_potentials.potential
            when type_potentials.active_customers >= {{ min_group_actives }} then type_potentials.potential
            else overall_potentials.potential
        end as peer_potential

    from classified
    left join group_potentials
        on
            classified.as_of_date = group_potentials.as_of_date
            {%- for column in profile_columns %}
            and classified.{{ column }} = group_potentials.{{ column }}
            {%- endfor %}
    left join type_potentials
        on
            classified.as_of_date = type_potentials.as_of_date
            and classified.customer_type = type_potentials.customer_type
    left join overall_potentials
        on classified.as_of_date = overall_potentials.as_of_date

),

scored as (

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

-- ranks on narrow rows (a window carries every column of its input), joined back
value_ranks as (

    select
        as_of_date,
        customer_id,
        rank() over (partition by as_of_date order by potential_revenue_year) as potential_rank,
        count(*) over (partition by as_of_date) as customers

    from scored

),

{%- if with_rfm %}

rfm_ranks as (

    select
        as_of_date,
        customer_id,
        rank() over (partition by as_of_date order by recency_days desc) as recency_rank,
        rank() over (partition by as_of_date order by frequency) as frequency_rank,
        rank() over (partition by as_of_date order by revenue_year) as monetary_rank,
        count(*) over (partition by as_of_date) as rfm_scored_customers

    from scored
    where frequency > 0

),
{%- endif %}

final as (

    select
        scored.*,
        {{ vector_crm.tile_score('value_ranks.potential_rank', 'value_ranks.customers') }} as value_tier,
        {%- if with_rfm %}
        {{ vector_crm.tile_score('rfm_ranks.recency_rank', 'rfm_ranks.rfm_scored_customers') }} as r_score,
        {{ vector_crm.tile_score('rfm_ranks.frequency_rank', 'rfm_ranks.rfm_scored_customers') }} as f_score,
        {{ vector_crm.tile_score('rfm_ranks.monetary_rank', 'rfm_ranks.rfm_scored_customers') }} as m_score
        {%- else %}
        cast(null as {{ dbt.type_int() }}) as r_score,
        cast(null as {{ dbt.type_int() }}) as f_score,
        cast(null as {{ dbt.type_int() }}) as m_score
        {%- endif %}

    from scored
    inner join value_ranks
        on scored.as_of_date = value_ranks.as_of_date and scored.customer_id = value_ranks.customer_id
    {%- if with_rfm %}
    left join rfm_ranks
        on scored.as_of_date = rfm_ranks.as_of_date and scored.customer_id = rfm_ranks.customer_id
    {%- endif %}

)

select
    final.as_of_date,
    profiles.customer_key,
    final.customer_type,
    final.region_group_code,
    final.profile_band,
    final.profile_code,
    final.first_order_date,
    final.last_order_date,
    final.last_return_date,
    cast(final.order_days_total as {{ dbt.type_bigint() }}) as order_days_total,
    cast(final.median_gap_days as {{ dbt.type_numeric() }}) as median_gap_days,
    cast(final.days_since_first_order as {{ dbt.type_int() }}) as days_since_first_order,
    cast(final.recency_days as {{ dbt.type_int() }}) as recency_days,
    cast(final.frequency as {{ dbt.type_bigint() }}) as frequency,
    cast(final.orders_year as {{ dbt.type_bigint() }}) as orders_year,
    cast(final.revenue_year as {{ dbt.type_numeric() }}) as revenue_year,
    cast(final.previous_revenue_year as {{ dbt.type_numeric() }}) as previous_revenue_year,
    cast(
        case when final.costed_revenue_year <> 0 then final.known_gross_margin_year end
        as {{ dbt.type_numeric() }}
    ) as gross_margin_year,
    cast(final.costed_revenue_year as {{ dbt.type_numeric() }}) as costed_revenue_year,
    final.lifecycle_stage,
    lifecycle_stages.stage_letter,
    final.min_orders_active,
    final.is_active,
    final.frequency > 0 as is_rfm_scored,
    final.r_score,
    final.f_score,
    final.m_score,
    case
        when final.frequency > 0
            then {{ dbt.concat([
                'cast(final.r_score as ' ~ dbt.type_string() ~ ')',
                'cast(final.f_score as ' ~ dbt.type_string() ~ ')',
                'cast(final.m_score as ' ~ dbt.type_string() ~ ')'
            ]) }}
    end as rfm_cell,
    final.potential_source,
    cast(final.peer_potential as {{ dbt.type_numeric() }}) as peer_potential,
    final.potential_revenue_year,
    case
        when final.potential_revenue_year > 0
            then cast(final.revenue_year / final.potential_revenue_year as {{ dbt.type_numeric() }})
    end as share_of_wallet,
    final.value_tier,
    {{ dbt.concat([
        'final.profile_code',
        'cast(final.value_tier as ' ~ dbt.type_string() ~ ')',
        'lifecycle_stages.stage_letter'
    ]) }} as segment_code

from final
inner join {{ ref('int_customers__profiles') }} as profiles
    on final.customer_id = profiles.customer_id
left join {{ ref('lifecycle_stages') }} as lifecycle_stages
    on final.lifecycle_stage = lifecycle_stages.lifecycle_stage
{% endmacro %}


{#- The customer's latest int_customers__order_days row on or before as_of_dates.<date_column>. -#}
{% macro segment_latest_order_row(date_column) %}
    select
        as_of_dates.as_of_date,
        order_days.customer_id,
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
