{#-
    Repurchase metrics per calendar period (definitions in
    _repurchase__models.yml): one row per grain of var period_grains and
    period of int_repurchase__periods, periods without orders included.
-#}

-- the union over grains renders from a Jinja loop, which the layout rule cannot follow
-- noqa: disable=LT02

with

periods as (

    select * from {{ ref('int_repurchase__periods') }}

),

customers as (

    select
        customer_periods.period_grain,
        customer_periods.period_index,
        count(*) as active_customers,
        count(case when customer_periods.order_days >= 2 then 1 end) as repeat_customers,
        count(
            case when customer_periods.first_order_day >= customer_periods.period_start then 1 end
        ) as new_customers,
        count(case when customer_periods.was_active_in_previous_period then 1 end) as retained_customers,
        count(
            case
                when customer_periods.active_periods_in_lookback >= {{ var('loyal_min_periods') }} then 1
            end
        ) as loyal_customers

    from {{ ref('int_repurchase__customer_periods') }} as customer_periods

    group by 1, 2

),

order_rows as (

    -- every completed-order row up to the as-of date (credit notes included), for
    -- revenue; gap_days is set on order days only
    select
        order_days.order_date,
        order_days.net_revenue,
        order_days.first_order_day,
        order_days.gap_days

    from {{ ref('int_repurchase__order_days') }} as order_days

),

-- revenue by order month and first-order month: a few hundred rows that every grain
-- rolls up (a row is returning revenue when the customer's first order day falls in an
-- earlier period than the order: first_order_day < period_start, since periods are
-- whole months)
monthly_revenue as (

    select
        {{ period_start('month', 'order_date') }} as order_month,
        {{ period_start('month', 'first_order_day') }} as first_order_month,
        sum(net_revenue) as net_revenue

    from order_rows

    group by 1, 2

),

gaps as (

    select
        order_date,
        gap_days

    from order_rows
    where gap_days is not null

),

{%- for grain in var('period_grains') %}

revenue_by_{{ grain }} as (

    select
        {{ period_start(grain, 'order_month') }} as period_start,
        sum(net_revenue) as net_revenue,
        sum(
            case
                when {{ period_start(grain, 'first_order_month') }} < {{ period_start(grain, 'order_month') }}
                    then net_revenue
                else 0
            end
        ) as returning_net_revenue

    from monthly_revenue

    group by 1

),

gaps_by_{{ grain }} as (

    select
        {{ period_start(grain, 'order_date') }} as period_start,
        count(*) as gaps,
        avg(cast(gap_days as {{ dbt.type_numeric() }})) as avg_interpurchase_days,
        {{ percentile_cont('gap_days', 0.5) }} as median_interpurchase_days

    from gaps

    group by 1

),
{%- endfor %}

by_period as (
    {%- for grain in var('period_grains') %}

    select
        '{{ grain }}' as period_grain,
        revenue_by_{{ grain }}.period_start,
        revenue_by_{{ grain }}.net_revenue,
        revenue_by_{{ grain }}.returning_net_revenue,
        gaps_by_{{ grain }}.gaps,
        gaps_by_{{ grain }}.avg_interpurchase_days,
        gaps_by_{{ grain }}.median_interpurchase_days

    from revenue_by_{{ grain }}
    left join gaps_by_{{ grain }}
        on revenue_by_{{ grain }}.period_start = gaps_by_{{ grain }}.period_start
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

joined as (

    select
        periods.period_grain,
        periods.period_index,
        periods.period_start,
        periods.period_end,
        periods.is_complete,
        by_period.avg_interpurchase_days,
        by_period.median_interpurchase_days,
        coalesce(customers.active_customers, 0) as active_customers,
        coalesce(customers.repeat_customers, 0) as repeat_customers,
        coalesce(customers.new_customers, 0) as new_customers,
        coalesce(
            lag(customers.active_customers) over (
                partition by periods.period_grain
                order by periods.period_index
            ),
            0
        ) as prior_period_customers,
        coalesce(customers.retained_customers, 0) as retained_customers,
        coalesce(customers.loyal_customers, 0) as loyal_customers,
        coalesce(by_period.net_revenue, 0) as net_revenue,
        coalesce(by_period.returning_net_revenue, 0) as returning_net_revenue,
        coalesce(by_period.gaps, 0) as interpurchase_gaps

    from periods
    left join customers
        on
            periods.period_grain = customers.period_grain
            and periods.period_index = customers.period_index
    left join by_period
        on
            periods.period_grain = by_period.period_grain
            and periods.period_start = by_period.period_start

)

select
    period_grain,
    period_start,
    period_end,
    cast(period_index as {{ dbt.type_int() }}) as period_index,
    is_complete,
    cast(active_customers as {{ dbt.type_int() }}) as active_customers,
    cast(repeat_customers as {{ dbt.type_int() }}) as repeat_customers,
    cast(
        case when active_customers > 0 then cast(repeat_customers as {{ dbt.type_numeric() }}) / active_customers end
        as {{ dbt.type_numeric() }}
    ) as repeat_customer_rate,
    cast(new_customers as {{ dbt.type_int() }}) as new_customers,
    cast(prior_period_customers as {{ dbt.type_int() }}) as prior_period_customers,
    cast(retained_customers as {{ dbt.type_int() }}) as retained_customers,
    cast(
        case
            when prior_period_customers > 0
                then cast(retained_customers as {{ dbt.type_numeric() }}) / prior_period_customers
        end
        as {{ dbt.type_numeric() }}
    ) as repurchase_rate,
    cast(net_revenue as {{ dbt.type_numeric() }}) as net_revenue,
    cast(
        case when net_revenue <> 0 then returning_net_revenue / net_revenue end
        as {{ dbt.type_numeric() }}
    ) as returning_revenue_share,
    cast(interpurchase_gaps as {{ dbt.type_int() }}) as interpurchase_gaps,
    cast(avg_interpurchase_days as {{ dbt.type_numeric() }}) as avg_interpurchase_days,
    cast(median_interpurchase_days as {{ dbt.type_numeric() }}) as median_interpurchase_days,
    cast(loyal_customers as {{ dbt.type_int() }}) as loyal_customers,
    cast(
        case when active_customers > 0 then cast(loyal_customers as {{ dbt.type_numeric() }}) / active_customers end
        as {{ dbt.type_numeric() }}
    ) as loyal_share

from joined
