{#-
    Repurchase metrics per calendar period (definitions in
    _repurchase__models.yml): one row per grain of var period_grains and
    period of int_repurchase__periods, periods without orders included:
    customer counts from int_repurchase__customer_periods, revenue and gaps
    from int_repurchase__period_revenue.
-#}

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

by_period as (

    select * from {{ ref('int_repurchase__period_revenue') }}

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
