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

    Speed (the monthly history back-fills tens of millions of customer-month
    rows, most of them customers who have not bought yet):
      - customers with an int_customers__order_days row on or before the date
        ("buyers") are classified row by row; the others ("prospects") differ
        only by their profile, so they are classified once per date and
        profile (prospect_groups) and each prospect row takes its group's
        result. Both go through the same rules and formulas, with a prospect's
        purchase columns null, as the customer's row would have them. A
        group is a date and a profile kind (customers sharing type, region,
        birth year and activity), joined back on integers;
      - the median gap is aggregated once per int_customers__order_days row
        that some date reads (it only changes at order days), not once per
        date and customer;
      - the value tier is tile_score of the rank by potential, applied through
        each tier's lowest potential (macro tile_thresholds), so no window
        sorts the customer rows;
      - joins run on the integer customer_id; customer_key rides along from
        the profile;
      - each CTE that the buyers' rows flow through is read by one step only
        where possible: DuckDB materializes a CTE read twice, and copying 10M
        buyer rows costs seconds (the list of profile codes for the activity
        rules is built from the profile kinds, not read off the buyers).
    var value_profile_columns must be drawn from customer_type,
    region_group_code, profile_band and profile_code (the profile group).
-#}
{% macro segment_customers(as_of_dates, with_rfm=true, with_previous_year=true) %}
{%- set window_days = var('segment_window_days') | int %}
{%- set profile_columns = var('value_profile_columns') %}
{%- set age_band_edges = var('age_band_edges') %}
{%- set percentile = var('value_potential_percentile') %}
{%- set min_group_actives = var('value_min_group_actives') %}
{%- set row_columns = [
    'customer_type',
    'region_group_code',
    'profile_band',
    'profile_code',
    'first_order_date',
    'last_order_date',
    'last_return_date',
    'order_days_total',
    'median_gap_days',
    'days_since_first_order',
    'recency_days',
    'frequency',
    'orders_year',
    'revenue_year',
    'previous_revenue_year',
    'known_gross_margin_year',
    'costed_revenue_year',
    'lifecycle_stage',
    'min_orders_active',
    'is_active',
    'r_score',
    'f_score',
    'm_score',
    'potential_source',
    'peer_potential',
    'potential_revenue_year',
    'value_tier'
] %}
{%- for column in profile_columns %}
    {%- if column not in ['customer_type', 'region_group_code', 'profile_band', 'profile_code'] %}
        {{ exceptions.raise_compiler_error(
            "var value_profile_columns: '" ~ column ~ "' is not a profile column "
            ~ "(customer_type, region_group_code, profile_band, profile_code)"
        ) }}
    {%- endif %}
{%- endfor %}

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

-- the median gap at each row some as-of date reads (it only changes at order
-- days, so it is computed once per such row, not once per as-of date)
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
            and order_days.order_date <= median_rows.order_date
    where order_days.gap_days is not null

    group by 1, 2

),

-- one row per as-of date and customer who bought on or before it
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
        {%- if with_previous_year %}
        coalesce(at_window_start.cum_net_revenue, 0)
        - coalesce(at_previous_window_start.cum_net_revenue, 0) as previous_revenue_year,
        {%- else %}
        cast(null as {{ dbt.type_numeric() }}) as previous_revenue_year,
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
    left join median_gaps
        on at_as_of.customer_id = median_gaps.customer_id and at_as_of.order_date = median_gaps.order_date

),

-- a customer is a prospect at the dates before their first order-day row
first_rows as (

    select
        customer_id,
        min(order_date) as first_row_date

    from {{ ref('int_customers__order_days') }}

    group by 1

),

profiles as (

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
        -- customers of the same kind share every profile column at every date
        dense_rank() over (
            order by
                profiles.customer_type,
                profiles.region_group_code,
                profiles.birth_year,
                profiles.activity_code,
                profiles.type_letter
        ) as profile_kind

    from {{ ref('int_customers__profiles') }} as profiles
    left join first_rows
        on profiles.customer_id = first_rows.customer_id

),

-- buyers: one row per as-of date and customer known then with a row on or before it
buyers as (

    select
        purchases.*,
        profiles.customer_key,
        profiles.customer_type,
        profiles.region_group_code,
        {{ vector_crm.segment_profile_band('purchases.as_of_date', 'profiles', age_band_edges) }} as profile_band,
        profiles.type_letter

    from purchases
    inner join profiles
        on purchases.customer_id = profiles.customer_id
    where profiles.first_seen_date <= purchases.as_of_date

),

-- prospects: one row per as-of date and customer known then without any row
-- yet, with their profile kind
prospects as (

    select
        as_of_dates.as_of_date,
        profiles.customer_key,
        profiles.profile_kind

    from as_of_dates
    inner join profiles
        on
            profiles.first_seen_date <= as_of_dates.as_of_date
            and profiles.first_row_date > as_of_dates.as_of_date

),

profile_kinds as (

    select distinct
        profile_kind,
        customer_type,
        region_group_code,
        birth_year,
        activity_code,
        type_letter

    from profiles

),

prospect_counts as (

    select
        as_of_date,
        profile_kind,
        count(*) as customers

    from prospects

    group by 1, 2

),

prospect_bands as (

    select
        prospect_counts.as_of_date,
        prospect_counts.profile_kind,
        prospect_counts.customers,
        profiles.customer_type,
        profiles.region_group_code,
        {{ vector_crm.segment_profile_band('prospect_counts.as_of_date', 'profiles', age_band_edges) }} as profile_band,
        profiles.type_letter

    from prospect_counts
    inner join profile_kinds as profiles
        on prospect_counts.profile_kind = profiles.profile_kind

),

-- prospects of the same date and profile kind are classified once, as a group
prospect_groups as (

    select
        as_of_date,
        profile_kind,
        customers,
        customer_type,
        region_group_code,
        profile_band,
        {{ dbt.concat(['type_letter', 'region_group_code', 'profile_band']) }} as profile_code

    from prospect_bands

),

-- what the rules read: one row per buyer, and one per prospect group (purchase
-- columns null, as a prospect's own row would have them). Both go through the
-- same steps (macros segment_classify and segment_value); they stay apart so
-- that each prospect joins its group on a small table.
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
        {{ dbt.concat(['type_letter', 'region_group_code', 'profile_band']) }} as profile_code,
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

    from buyers

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

    from prospect_groups

),

-- every profile code some customer can have at some date: each profile kind
-- at each date (small; reading the codes off buyer_rows instead would make
-- DuckDB materialize the buyers, the largest CTE, for this one list)
profile_codes as (

    select distinct
        {{ dbt.concat([
            'profiles.type_letter',
            'profiles.region_group_code',
            vector_crm.segment_profile_band('as_of_dates.as_of_date', 'profiles', age_band_edges)
        ]) }} as profile_code

    from as_of_dates
    cross join profile_kinds as profiles

),

-- the first rule of seed segment_activity_minimums (by priority) whose
-- pattern matches the profile code
activity_minimums as (
    {{ vector_crm.first_matching_rule(
        'select profile_code from profile_codes', 'profile_code',
        ref('segment_activity_minimums'), 'profile_pattern', 'min_orders_active'
    ) }}
),

{%- for part in ['buyer', 'group'] %}

{{ part }}_classified as (
    {{ vector_crm.segment_classify(part ~ '_rows') }}
),
{%- endfor %}

-- prospect groups that a seed minimum of 0 orders makes active (usually none)
active_prospect_groups as (

    select prospect_groups.*

    from prospect_groups
    inner join activity_minimums
        on prospect_groups.profile_code = activity_minimums.profile_code
    where activity_minimums.min_orders_active <= 0

),

-- the revenue of each active customer: buyers' rows, and each prospect's own
-- row only when a seed minimum of 0 orders makes prospects active
active_revenues as (

    select
        as_of_date,
        customer_type,
        region_group_code,
        profile_band,
        profile_code,
        revenue_year

    from buyer_classified
    where is_active

    union all

    select
        prospects.as_of_date,
        active_prospect_groups.customer_type,
        active_prospect_groups.region_group_code,
        active_prospect_groups.profile_band,
        active_prospect_groups.profile_code,
        0 as revenue_year

    from prospects
    inner join active_prospect_groups
        on
            prospects.as_of_date = active_prospect_groups.as_of_date
            and prospects.profile_kind = active_prospect_groups.profile_kind
    -- a semi join first, so that the prospects are probed against the
    -- (usually empty) active groups instead of hashed
    where exists (
        select 1
        from active_prospect_groups as active_groups
        where
            active_groups.as_of_date = prospects.as_of_date
            and active_groups.profile_kind = prospects.profile_kind
    )

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

    from active_revenues

    group by as_of_date{% for column in columns %}, {{ column }}{% endfor %}

),
{%- endfor %}

{%- for part in ['buyer', 'group'] %}

{{ part }}_valued as (
    {{ vector_crm.segment_value(part ~ '_classified') }}
),

{{ part }}_scored as (
    {{ vector_crm.segment_potential(part ~ '_valued') }}
),
{%- endfor %}

-- value tier: tile_score of rank() over the date's customers by potential,
-- computed on the distinct potentials of each date (rank = 1 + customers with a
-- lower potential) and applied through each tier's lowest potential (macro
-- tile_thresholds), so the customer rows are neither sorted nor joined back
value_counts as (

    select
        as_of_date,
        potential_revenue_year,
        sum(customers) as value_customers

    from (
        select as_of_date, potential_revenue_year, customers from buyer_scored
        union all
        select as_of_date, potential_revenue_year, customers from group_scored
    ) as scored

    group by 1, 2

),

value_ranks as (

    select
        as_of_date,
        potential_revenue_year,
        sum(value_customers) over (
            partition by as_of_date
            order by potential_revenue_year
            rows between unbounded preceding and current row
        ) - value_customers + 1 as potential_rank,
        sum(value_customers) over (partition by as_of_date) as customers

    from value_counts

),

value_thresholds as (

    select
        as_of_date,
        {{ vector_crm.tile_thresholds('potential_rank', 'customers', 'potential_revenue_year') }}

    from value_ranks

    group by as_of_date

),

{%- if with_rfm %}

-- ranks on narrow rows (a window carries every column of its input), joined
-- back; only buyers can have order days in the year
rfm_ranks as (

    select
        as_of_date,
        customer_id,
        rank() over (partition by as_of_date order by recency_days desc) as recency_rank,
        rank() over (partition by as_of_date order by frequency) as frequency_rank,
        rank() over (partition by as_of_date order by revenue_year) as monetary_rank,
        count(*) over (partition by as_of_date) as rfm_scored_customers

    from buyer_scored
    where frequency > 0

),
{%- endif %}

buyer_final as (

    select
        buyer_scored.*,
        {{ vector_crm.tile_from_thresholds('buyer_scored.potential_revenue_year', 'value_thresholds') }} as value_tier,
        {%- if with_rfm %}
        {{ vector_crm.tile_score('rfm_ranks.recency_rank', 'rfm_ranks.rfm_scored_customers') }} as r_score,
        {{ vector_crm.tile_score('rfm_ranks.frequency_rank', 'rfm_ranks.rfm_scored_customers') }} as f_score,
        {{ vector_crm.tile_score('rfm_ranks.monetary_rank', 'rfm_ranks.rfm_scored_customers') }} as m_score
        {%- else %}
        cast(null as {{ dbt.type_int() }}) as r_score,
        cast(null as {{ dbt.type_int() }}) as f_score,
        cast(null as {{ dbt.type_int() }}) as m_score
        {%- endif %}

    from buyer_scored
    inner join value_thresholds
        on buyer_scored.as_of_date = value_thresholds.as_of_date
    {%- if with_rfm %}
    left join rfm_ranks
        on buyer_scored.as_of_date = rfm_ranks.as_of_date and buyer_scored.customer_id = rfm_ranks.customer_id
    {%- endif %}

),

group_final as (

    select
        group_scored.*,
        {{ vector_crm.tile_from_thresholds('group_scored.potential_revenue_year', 'value_thresholds') }} as value_tier,
        cast(null as {{ dbt.type_int() }}) as r_score,
        cast(null as {{ dbt.type_int() }}) as f_score,
        cast(null as {{ dbt.type_int() }}) as m_score

    from group_scored
    inner join value_thresholds
        on group_scored.as_of_date = value_thresholds.as_of_date

),

-- every customer: the buyers' rows, and each prospect with their group's result
customer_rows as (

    select
        as_of_date,
        customer_key,
        {%- for column in row_columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from buyer_final

    union all

    select
        prospects.as_of_date,
        prospects.customer_key,
        {%- for column in row_columns %}
        prospect_groups.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from prospects
    inner join group_final as prospect_groups
        on prospects.as_of_date = prospect_groups.as_of_date and prospects.profile_kind = prospect_groups.profile_kind

)

select
    customer_rows.as_of_date,
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
{% endmacro %}


{#- The customer's latest int_customers__order_days row on or before as_of_dates.<date_column>. -#}
{% macro segment_latest_order_row(date_column) %}
    select
        as_of_dates.as_of_date,
        order_days.customer_id,
        order_days.order_date,
        order_days.first_order_day,
        order_days.last_order_day,
        order_days.last_return_day,
        order_days.cum_order_days,
        order_days.cum_completed_orders,
        order_days.cum_net_revenue,
        order_days.cum_gross_margin,
        order_days.cum_costed_revenue

    from as_of_dates
    inner join {{ ref('int_customers__order_days') }} as order_days
        on
            order_days.order_date <= as_of_dates.{{ date_column }}
            and (order_days.next_row_date > as_of_dates.{{ date_column }} or order_days.next_row_date is null)
{% endmacro %}


{#- Profile band of `profiles` (an alias of int_customers__profiles columns) as of `as_of_column`. -#}
{% macro segment_profile_band(as_of_column, profiles, age_band_edges) -%}
    case
        when {{ profiles }}.customer_type = 'person' then
            case
                when {{ profiles }}.birth_year is null then '0'
                {%- for edge in age_band_edges %}
                when extract(year from {{ as_of_column }}) - {{ profiles }}.birth_year < {{ edge }}
                    then '{{ loop.index }}'
                {%- endfor %}
                else '{{ age_band_edges | length + 1 }}'
            end
        when {{ profiles }}.customer_type = 'company' then {{ profiles }}.activity_code
        else '0'
    end
{%- endmacro %}


{#- The life-cycle rules (seed lifecycle_stages lists them in the same order) and activity of `rows`. -#}
{% macro segment_classify(rows) %}
    select
        rows.as_of_date,
        rows.customer_id,
        rows.customer_key,
        rows.profile_kind,
        rows.customers,
        rows.customer_type,
        rows.region_group_code,
        rows.profile_band,
        rows.profile_code,
        rows.first_order_date,
        rows.last_order_date,
        rows.last_return_date,
        coalesce(rows.order_days_total, 0) as order_days_total,
        rows.median_gap_days,
        {{ dbt.datediff('rows.first_order_date', 'rows.as_of_date', 'day') }} as days_since_first_order,
        {{ dbt.datediff('rows.last_order_date', 'rows.as_of_date', 'day') }} as recency_days,
        coalesce(rows.frequency, 0) as frequency,
        coalesce(rows.orders_year, 0) as orders_year,
        coalesce(rows.revenue_year, 0) as revenue_year,
        coalesce(rows.previous_revenue_year, 0) as previous_revenue_year,
        rows.known_gross_margin_year,
        coalesce(rows.costed_revenue_year, 0) as costed_revenue_year,
        activity_minimums.min_orders_active,
        coalesce(coalesce(rows.orders_year, 0) >= activity_minimums.min_orders_active, false) as is_active,
        case
            when rows.last_order_date is null then 'prospect'
            when
                {{ dbt.datediff('rows.last_order_date', 'rows.as_of_date', 'day') }}
                >= {{ var('desertion_window_days') }}
                then 'deserted'
            when
                {{ dbt.datediff('rows.first_order_date', 'rows.as_of_date', 'day') }}
                < {{ var('new_customer_days') }}
                then 'new'
            when
                {{ dbt.datediff('rows.last_return_date', 'rows.as_of_date', 'day') }}
                < {{ var('recovery_window_days') }}
                then 'recovered'
            when
                rows.order_days_total >= {{ var('at_risk_min_order_days') }}
                and {{ dbt.datediff('rows.last_order_date', 'rows.as_of_date', 'day') }}
                > {{ var('at_risk_factor') }} * rows.median_gap_days
                then 'at_risk'
            when
                rows.order_days_total < {{ var('at_risk_min_order_days') }}
                and {{ dbt.datediff('rows.last_order_date', 'rows.as_of_date', 'day') }}
                > {{ var('at_risk_days') }}
                then 'at_risk'
            else 'active'
        end as lifecycle_stage

    from {{ rows }} as rows
    left join activity_minimums
        on rows.profile_code = activity_minimums.profile_code

{% endmacro %}


{#- The peer potential of `rows` (classified rows): group, else customer type, else everyone. -#}
{% macro segment_value(rows) %}
{%- set profile_columns = var('value_profile_columns') %}
{%- set min_group_actives = var('value_min_group_actives') %}
    select
        rows.*,
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

    from {{ rows }} as rows
    left join group_potentials
        on
            rows.as_of_date = group_potentials.as_of_date
            {%- for column in profile_columns %}
            and rows.{{ column }} = group_potentials.{{ column }}
            {%- endfor %}
    left join type_potentials
        on
            rows.as_of_date = type_potentials.as_of_date
            and rows.customer_type = type_potentials.customer_type
    left join overall_potentials
        on rows.as_of_date = overall_potentials.as_of_date

{% endmacro %}


{#- potential_revenue_year of `rows` (valued rows): the peer potential, never below the actual. -#}
{% macro segment_potential(rows) %}
    select
        *,
        cast(
            case
                when peer_potential is null or revenue_year > peer_potential then revenue_year
                else peer_potential
            end as {{ dbt.type_numeric() }}
        ) as potential_revenue_year

    from {{ rows }}

{% endmacro %}
