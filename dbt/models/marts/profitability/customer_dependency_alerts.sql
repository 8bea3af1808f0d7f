{#-
    Customers the business depends on: one row per period (current and previous
    window) and customer whose net revenue in the period is above var
    dependency_share (0.05) of all customers' net revenue in it. Formulas in
    _profitability__models.yml.
-#}

with

profitability as (

    select * from {{ ref('customer_profitability') }}

),

customer_periods as (

    select
        'current' as period,
        customer_key,
        as_of_date,
        segment_code,
        customer_type,
        net_revenue,
        net_contribution

    from profitability

    union all

    select
        'previous' as period,
        customer_key,
        as_of_date,
        segment_code,
        customer_type,
        previous_net_revenue as net_revenue,
        previous_net_contribution as net_contribution

    from profitability

),

totals as (

    select
        period,
        sum(net_revenue) as net_revenue,
        sum(net_contribution) as net_contribution

    from customer_periods

    group by 1

),

final as (

    select
        customer_periods.period,
        customer_periods.customer_key,
        customer_periods.as_of_date,
        customer_periods.segment_code,
        customer_periods.customer_type,
        customer_periods.net_revenue,
        {{ vector_crm.positive_ratio('customer_periods.net_revenue', 'totals.net_revenue') }} as revenue_share,
        customer_periods.net_contribution,
        {{ vector_crm.positive_ratio('customer_periods.net_contribution', 'totals.net_contribution') }}
            as contribution_share

    from customer_periods
    inner join totals
        on customer_periods.period = totals.period
    where
        totals.net_revenue > 0
        and customer_periods.net_revenue
        > {{ var('dependency_share') }} * cast(totals.net_revenue as {{ dbt.type_numeric() }})

)

select * from final
