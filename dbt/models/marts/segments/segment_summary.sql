{#-
    The VECTOR segment card: one row per segment code as of the as-of date.
    Formulas are in _segments__models.yml; the score weights in seed
    segment_score_weights.
-#}

with

customers as (

    select * from {{ ref('int_segments__customers') }}

),

totals as (

    select
        segment_code,
        max(as_of_date) as as_of_date,
        max(profile_code) as profile_code,
        max(value_tier) as value_tier,
        max(lifecycle_stage) as lifecycle_stage,
        count(*) as records,
        count(case when is_active then 1 end) as active_customers,
        cast(sum(revenue_year) as {{ dbt.type_numeric() }}) as actual_revenue_year,
        cast(sum(previous_revenue_year) as {{ dbt.type_numeric() }}) as previous_revenue_year,
        cast(sum(gross_margin_year) as {{ dbt.type_numeric() }}) as gross_margin_year,
        cast(sum(costed_revenue_year) as {{ dbt.type_numeric() }}) as costed_revenue_year,
        cast(sum(potential_revenue_year) as {{ dbt.type_numeric() }}) as model_potential_revenue_year

    from customers

    group by 1

),

card as (

    select
        totals.*,
        cast(
            case when totals.active_customers > 0 then totals.actual_revenue_year / totals.active_customers end
            as {{ dbt.type_numeric() }}
        ) as revenue_per_active,
        cast(
            case
                when totals.active_customers > 0
                    then totals.records * (totals.actual_revenue_year / totals.active_customers)
            end as {{ dbt.type_numeric() }}
        ) as potential_revenue_year,
        cast(
            case
                when totals.previous_revenue_year > 0
                    then (totals.actual_revenue_year - totals.previous_revenue_year) / totals.previous_revenue_year
            end as {{ dbt.type_numeric() }}
        ) as growth,
        cast(
            case when totals.costed_revenue_year > 0 then totals.gross_margin_year / totals.costed_revenue_year end
            as {{ dbt.type_numeric() }}
        ) as margin_pct

    from totals

),

names as (
    {{ vector_crm.first_matching_rule(
        'select segment_code from totals', 'segment_code',
        ref('segment_names'), 'code_pattern', 'segment_name'
    ) }}
),

-- each component as a percent rank among segments in [0, 1]; a segment without
-- the value (no previous revenue, no known cost) ranks 0
components as (

    select
        *,
        case
            when model_potential_revenue_year is not null
                then percent_rank() over (
                    partition by model_potential_revenue_year is null order by model_potential_revenue_year
                )
            else 0
        end as potential_component,
        case
            when growth is not null
                then percent_rank() over (partition by growth is null order by growth)
            else 0
        end as growth_component,
        case
            when margin_pct is not null
                then percent_rank() over (partition by margin_pct is null order by margin_pct)
            else 0
        end as margin_component

    from card

),

weights as (

    select
        sum(case when component = 'potential' then weight else 0 end) as potential_weight,
        sum(case when component = 'growth' then weight else 0 end) as growth_weight,
        sum(case when component = 'margin' then weight else 0 end) as margin_weight,
        sum(weight) as total_weight

    from {{ ref('segment_score_weights') }}

)

select
    components.segment_code,
    names.segment_name,
    components.as_of_date,
    components.profile_code,
    components.value_tier,
    components.lifecycle_stage,
    components.records,
    components.active_customers,
    components.actual_revenue_year,
    components.revenue_per_active,
    components.potential_revenue_year,
    components.model_potential_revenue_year,
    components.previous_revenue_year,
    components.growth,
    components.gross_margin_year,
    components.margin_pct,
    cast(
        round(
            cast(
                1000 * (
                    weights.potential_weight * components.potential_component
                    + weights.growth_weight * components.growth_component
                    + weights.margin_weight * components.margin_component
                ) / weights.total_weight
                as {{ dbt.type_numeric() }}
            ),
            0
        ) as {{ dbt.type_int() }}
    ) as score

from components
cross join weights
left join names
    on components.segment_code = names.segment_code
