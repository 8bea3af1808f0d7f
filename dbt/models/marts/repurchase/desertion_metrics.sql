{#-
    Desertion metrics per calendar period (definitions in
    _repurchase__models.yml). A customer is active on day d when they have an
    order day in (d - W, d], W = desertion_window_days: on the days of one of
    their activity spells (int_repurchase__activity_spells). For each period
    the customer's state is read on two days: the day before period_start and
    period_end.
-#}

with

periods as (

    select
        period_grain,
        period_index,
        period_start,
        period_end,
        is_complete,
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date) as day_before_start

    from {{ ref('int_repurchase__periods') }}

),

spells as (

    select * from {{ ref('int_repurchase__activity_spells') }}

),

-- each spell against the periods it touches: those where it covers the day
-- before the start, or starts within the period, or covers the end
spell_periods as (

    select
        periods.period_grain,
        periods.period_index,
        spells.customer_id,
        spells.first_order_day,
        periods.period_start,
        case
            when spells.spell_start <= periods.day_before_start and periods.day_before_start < spells.spell_end
                then 1
            else 0
        end as active_at_start,
        case
            when spells.spell_start <= periods.period_end and periods.period_end < spells.spell_end then 1
            else 0
        end as active_at_end,
        case
            when spells.spell_start >= periods.period_start and spells.spell_start <= periods.period_end then 1
            else 0
        end as started_in_period

    from spells
    inner join periods
        on
            spells.spell_start <= periods.period_end
            and spells.spell_end > periods.day_before_start

),

customer_states as (

    select
        period_grain,
        period_index,
        customer_id,
        max(active_at_start) as active_at_start,
        max(active_at_end) as active_at_end,
        max(started_in_period) as started_in_period,
        max(case when first_order_day < period_start then 1 else 0 end) as bought_before_period

    from spell_periods

    group by 1, 2, 3

),

states as (

    select
        period_grain,
        period_index,
        sum(active_at_start) as active_at_start,
        sum(active_at_end) as active_at_end,
        sum(case when active_at_start = 1 and active_at_end = 0 then 1 else 0 end) as deserted_customers,
        sum(
            case when active_at_start = 0 and started_in_period = 1 and bought_before_period = 1 then 1 else 0 end
        ) as recovered_customers

    from customer_states

    group by 1, 2

),

-- customers with an order day on or before each period's end
buyers as (

    select
        periods.period_grain,
        periods.period_index,
        count(spells.customer_id) as buyers_at_end

    from periods
    inner join spells
        on
            periods.period_end >= spells.spell_start
            and spells.spell_number = 1

    group by 1, 2

)

select
    periods.period_grain,
    periods.period_start,
    periods.period_end,
    periods.period_index,
    periods.is_complete,
    cast(coalesce(states.active_at_start, 0) as {{ dbt.type_int() }}) as active_at_start,
    cast(coalesce(states.deserted_customers, 0) as {{ dbt.type_int() }}) as deserted_customers,
    cast(
        case
            when states.active_at_start > 0
                then cast(states.deserted_customers as {{ dbt.type_numeric() }}) / states.active_at_start
        end
        as {{ dbt.type_numeric() }}
    ) as desertion_rate,
    cast(coalesce(states.recovered_customers, 0) as {{ dbt.type_int() }}) as recovered_customers,
    cast(coalesce(states.active_at_end, 0) as {{ dbt.type_int() }}) as active_at_end,
    cast(coalesce(buyers.buyers_at_end, 0) as {{ dbt.type_int() }}) as buyers_at_end,
    cast(
        coalesce(buyers.buyers_at_end, 0) - coalesce(states.active_at_end, 0) as {{ dbt.type_int() }}
    ) as lapsed_base_at_end

from periods
left join states
    on
        periods.period_grain = states.period_grain
        and periods.period_index = states.period_index
left join buyers
    on
        periods.period_grain = buyers.period_grain
        and periods.period_index = buyers.period_index
