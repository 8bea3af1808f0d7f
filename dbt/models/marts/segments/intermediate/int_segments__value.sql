{{ config(materialized='table') }}

{#-
    Step 4 of the segmentation, value: the rows of int_segments__lifecycle
    (buyers and prospect groups) with their peer potential, potential revenue
    and value tier.
      - peer_potential: the var value_potential_percentile of the active
        customers' revenue_year in the row's profile group (var
        value_profile_columns) when the group has at least
        value_min_group_actives of them, else in the customer type, else
        among everyone; potential_source says which;
      - potential_revenue_year: the peer potential, never below the actual;
      - value_tier: tile_score of rank() over the date's customers by
        potential, computed on the distinct potentials of each date (rank = 1 +
        customers with a lower potential, a prospect group counting its size)
        and applied through each tier's lowest potential (macro
        tile_thresholds), so no window sorts the customer rows.
-#}

{%- set profile_columns = var('value_profile_columns') %}
{%- set min_group_actives = var('value_min_group_actives') %}
{%- for column in profile_columns %}
    {%- if column not in ['customer_type', 'region_group_code', 'profile_band', 'profile_code'] %}
        {{ exceptions.raise_compiler_error(
            "var value_profile_columns: '" ~ column ~ "' is not a profile column "
            ~ "(customer_type, region_group_code, profile_band, profile_code)"
        ) }}
    {%- endif %}
{%- endfor %}

with

classified as (

    select * from {{ ref('int_segments__lifecycle') }}

),

active_groups as (

    select * from classified
    where profile_kind is not null and is_active

),

-- the revenue of each active customer: buyers' rows, and each prospect's own
-- row (revenue 0) when a seed minimum of 0 orders makes prospects active
active_revenues as (

    select
        as_of_date,
        customer_type,
        region_group_code,
        profile_band,
        profile_code,
        revenue_year

    from classified
    where profile_kind is null and is_active

    union all

    select
        active_groups.as_of_date,
        active_groups.customer_type,
        active_groups.region_group_code,
        active_groups.profile_band,
        active_groups.profile_code,
        0 as revenue_year

    from active_groups
    inner join {{ ref('int_segments__profiles') }} as profiles
        on
            active_groups.profile_kind = profiles.profile_kind
            and active_groups.as_of_date >= profiles.first_seen_date
            and active_groups.as_of_date < profiles.first_row_date

),

-- the jinja loops below render valid layout that the indent rule cannot follow
-- noqa: disable=LT02
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
        {{ vector_crm.percentile_cont('revenue_year', var('value_potential_percentile')) }} as potential

    from active_revenues

    group by 1{% for column in columns %}, {{ loop.index + 1 }}{% endfor %}

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
-- noqa: enable=LT02

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

value_counts as (

    select
        as_of_date,
        potential_revenue_year,
        sum(customers) as value_customers

    from scored

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

    group by 1

)

select
    scored.*,
    {{ vector_crm.tile_from_thresholds('scored.potential_revenue_year', 'value_thresholds') }} as value_tier

from scored
inner join value_thresholds
    on scored.as_of_date = value_thresholds.as_of_date
