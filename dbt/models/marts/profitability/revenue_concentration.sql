{#-
    How much of the business a few customers carry: one row per period (the
    current window and the previous one). Formulas in _profitability__models.yml.
-#}

-- the jinja loops over measures confuse the layout rule
-- noqa: disable=LT02
with

profitability as (

    select * from {{ ref('customer_profitability') }}

),

customer_periods as (

    select
        'current' as period,
        customer_key,
        net_revenue,
        net_contribution

    from profitability

    union all

    select
        'previous' as period,
        customer_key,
        previous_net_revenue as net_revenue,
        previous_net_contribution as net_contribution

    from profitability

),

{%- for short, measure in [('revenue', 'net_revenue'), ('contribution', 'net_contribution')] %}

-- customers with a positive {{ short }}, numbered from the largest; ties in any
-- order (the sum of the top k does not depend on it), only the value is sorted
{{ short }}_ranked as (

    select
        period,
        {{ measure }} as measure_value,
        row_number() over (partition by period order by {{ measure }} desc) as value_position,
        count(*) over (partition by period) as positive_customers

    from customer_periods
    where {{ measure }} > 0

),

{{ short }}_tops as (

    select
        period,
        max(positive_customers) as positive_customers,
        sum(case when value_position <= ceiling(0.01 * positive_customers) then measure_value end) as top_1pct,
        sum(case when value_position <= ceiling(0.10 * positive_customers) then measure_value end) as top_10pct,
        sum(case when value_position <= 10 then measure_value end) as top_10_customers,
        sum(cast(measure_value as {{ vector_crm.type_double() }})) as positive_total,
        sum(
            cast(measure_value as {{ vector_crm.type_double() }})
            * cast(measure_value as {{ vector_crm.type_double() }})
        ) as squares

    from {{ short }}_ranked

    group by 1

),
{%- endfor %}

totals as (

    select
        all_customers.period,
        all_customers.customers,
        all_customers.net_revenue,
        coalesce(revenue_tops.positive_customers, 0) as revenue_customers,
        coalesce(contribution_tops.positive_customers, 0) as contributing_customers,
        revenue_tops.positive_total as positive_revenue,
        revenue_tops.squares as revenue_squares,
        {%- for short in ['revenue', 'contribution'] %}
        {%- for top in ['top_1pct', 'top_10pct', 'top_10_customers'] %}
        coalesce({{ short }}_tops.{{ top }}, 0) as {{ top }}_{{ short }},
        {%- endfor %}
        {%- endfor %}
        all_customers.net_contribution

    from (
        select
            period,
            count(*) as customers,
            sum(net_revenue) as net_revenue,
            sum(net_contribution) as net_contribution

        from customer_periods

        group by 1
    ) as all_customers
    left join revenue_tops
        on all_customers.period = revenue_tops.period
    left join contribution_tops
        on all_customers.period = contribution_tops.period

),

alerts as (

    select
        period,
        count(*) as dependency_alerts

    from {{ ref('customer_dependency_alerts') }}

    group by 1

),

final as (

    select
        totals.period,
        as_of.as_of_date,
        case
            when totals.period = 'current' then as_of.current_window_start
            else as_of.previous_window_start
        end as period_start,
        case
            when totals.period = 'current' then as_of.as_of_date
            else as_of.previous_window_end
        end as period_end,
        totals.customers,
        cast(totals.revenue_customers as {{ dbt.type_bigint() }}) as revenue_customers,
        cast(totals.contributing_customers as {{ dbt.type_bigint() }}) as contributing_customers,
        cast(totals.net_revenue as {{ dbt.type_numeric() }}) as net_revenue,
        cast(totals.net_contribution as {{ dbt.type_numeric() }}) as net_contribution,
        {%- for short in ['revenue', 'contribution'] %}
        {%- for top in ['top_1pct', 'top_10pct', 'top_10_customers'] %}
        {{ vector_crm.positive_ratio('totals.' ~ top ~ '_' ~ short, 'totals.net_' ~ short) }}
            as {{ top }}_{{ short }}_share,
        {%- endfor %}
        {%- endfor %}
        case
            when totals.positive_revenue > 0
                then totals.revenue_squares / (totals.positive_revenue * totals.positive_revenue)
        end as revenue_hhi,
        coalesce(alerts.dependency_alerts, 0) as dependency_alerts

    from totals
    cross join {{ ref('int_as_of__windows') }} as as_of
    left join alerts
        on totals.period = alerts.period

)

select * from final
