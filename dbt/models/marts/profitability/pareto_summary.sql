{#-
    Customers, revenue and contribution by ABC class within each segment, as of
    the as-of date (current window). Formulas in _profitability__models.yml.
-#}

with

pareto as (

    select * from {{ ref('customer_pareto') }}

),

cells as (

    select
        segment_code,
        abc_class,
        max(as_of_date) as as_of_date,
        max(customer_type) as customer_type,
        count(*) as customers,
        sum(net_revenue) as net_revenue,
        sum(gross_margin) as gross_margin,
        sum(cost_to_serve) as cost_to_serve,
        sum(net_contribution) as net_contribution

    from pareto

    group by 1, 2

),

shares as (

    select
        *,
        sum(customers) over (partition by segment_code) as segment_customers,
        sum(net_contribution) over (partition by abc_class) as class_net_contribution,
        sum(net_contribution) over () as total_net_contribution

    from cells

),

final as (

    select
        segment_code,
        abc_class,
        as_of_date,
        customer_type,
        customers,
        cast(net_revenue as {{ dbt.type_numeric() }}) as net_revenue,
        cast(gross_margin as {{ dbt.type_numeric() }}) as gross_margin,
        cast(cost_to_serve as {{ dbt.type_numeric() }}) as cost_to_serve,
        cast(net_contribution as {{ dbt.type_numeric() }}) as net_contribution,
        {{ vector_crm.positive_ratio('customers', 'segment_customers') }} as share_of_segment_customers,
        {{ vector_crm.positive_ratio('net_contribution', 'class_net_contribution') }} as share_of_class_contribution,
        {{ vector_crm.positive_ratio('net_contribution', 'total_net_contribution') }} as share_of_total_contribution

    from shares

)

select * from final
