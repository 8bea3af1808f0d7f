{#-
    Revenue and inter-purchase gaps per calendar period, for repurchase_metrics:
    one row per grain of var period_grains and period start with at least one
    completed-order row up to the as-of date. Returning revenue is the revenue of
    customers whose first order day falls in an earlier period than the order;
    gaps are those of int_repurchase__order_days (set on order days only), by the
    period of the order day that ends them. Definitions in _repurchase__models.yml.
-#}

-- the union over grains renders from a Jinja loop, which the layout rule cannot follow
-- noqa: disable=LT02

with

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
        -- typed here (the mart casts them the same way): an engine's own average type
        -- (PostgreSQL's numeric with 16 decimals, DuckDB's double) stays in this model
        cast(avg(cast(gap_days as {{ dbt.type_numeric() }})) as {{ dbt.type_numeric() }}) as avg_interpurchase_days,
        cast({{ percentile_cont('gap_days', 0.5) }} as {{ dbt.type_numeric() }}) as median_interpurchase_days

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

)

select * from by_period
