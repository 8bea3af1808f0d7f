{#-
    Profitability of every customer as of the as-of date, current and previous
    window. Formulas column by column in _profitability__models.yml.
-#}

-- the jinja loops over columns confuse the layout rule
-- noqa: disable=LT02
with

customers as (

    select
        customer_key,
        as_of_date,
        segment_code,
        customer_type

    from {{ ref('customer_segments') }}

),

-- both windows of a customer in one row: one join per source instead of one per window
lines as (

    select
        customer_key,
        {%- for period in ['current', 'previous'] %}
        {%- for column in ['net_revenue', 'cost_of_goods', 'gross_margin', 'estimated_cost_revenue'] %}
        sum(case when period = '{{ period }}' then {{ column }} else 0 end) as {{ period }}_{{ column }},
        {%- endfor %}
        {%- endfor %}
        count(*) as line_rows

    from {{ ref('int_profitability__customer_lines') }}

    group by 1

),

costs as (

    select
        customer_key,
        {%- for period in ['current', 'previous'] %}
        {%- for column in [
            'contacts', 'handle_minutes', 'handled_orders', 'return_orders',
            'contact_cost', 'handle_time_cost', 'order_cost', 'return_cost', 'cost_to_serve'
        ] %}
        sum(case when period = '{{ period }}' then {{ column }} else 0 end) as {{ period }}_{{ column }},
        {%- endfor %}
        {%- endfor %}
        count(*) as cost_rows

    from {{ ref('int_profitability__service_costs') }}

    group by 1

),

windows as (

    select
        customers.customer_key,
        customers.as_of_date,
        customers.segment_code,
        {%- for period in ['current', 'previous'] %}
        {%- for column in ['net_revenue', 'cost_of_goods', 'gross_margin', 'estimated_cost_revenue'] %}
        coalesce(lines.{{ period }}_{{ column }}, 0) as {{ period }}_{{ column }},
        {%- endfor %}
        {%- for column in [
            'contacts', 'handle_minutes', 'handled_orders', 'return_orders',
            'contact_cost', 'handle_time_cost', 'order_cost', 'return_cost', 'cost_to_serve'
        ] %}
        coalesce(costs.{{ period }}_{{ column }}, 0) as {{ period }}_{{ column }},
        {%- endfor %}
        {%- endfor %}
        customers.customer_type

    from customers
    left join lines
        on customers.customer_key = lines.customer_key
    left join costs
        on customers.customer_key = costs.customer_key

),

contributions as (

    select
        *,
        current_gross_margin - current_cost_to_serve as current_net_contribution,
        previous_gross_margin - previous_cost_to_serve as previous_net_contribution

    from windows

),

final as (

    select
        customer_key,
        as_of_date,
        segment_code,
        customer_type,
        {%- for column in ['net_revenue', 'cost_of_goods', 'gross_margin', 'estimated_cost_revenue'] %}
        cast(current_{{ column }} as {{ dbt.type_numeric() }}) as {{ column }},
        {%- endfor %}
        {%- for column in ['contacts', 'handled_orders', 'return_orders'] %}
        cast(current_{{ column }} as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        {%- for column in [
            'handle_minutes', 'contact_cost', 'handle_time_cost', 'order_cost', 'return_cost', 'cost_to_serve',
            'net_contribution'
        ] %}
        cast(current_{{ column }} as {{ dbt.type_numeric() }}) as {{ column }},
        {%- endfor %}
        {{ vector_crm.positive_ratio('current_gross_margin', 'current_net_revenue') }} as margin_pct,
        {{ vector_crm.positive_ratio('current_net_contribution', 'current_net_revenue') }} as contribution_margin_pct,
        {{ vector_crm.positive_ratio('current_net_contribution', 'current_handled_orders') }}
            as contribution_per_order,
        {%- for column in ['net_revenue', 'cost_of_goods', 'gross_margin', 'cost_to_serve'] %}
        cast(previous_{{ column }} as {{ dbt.type_numeric() }}) as previous_{{ column }},
        {%- endfor %}
        cast(previous_handled_orders as {{ dbt.type_bigint() }}) as previous_handled_orders,
        cast(previous_net_contribution as {{ dbt.type_numeric() }}) as previous_net_contribution,
        {{ vector_crm.positive_ratio('previous_gross_margin', 'previous_net_revenue') }} as previous_margin_pct,
        {{ vector_crm.positive_ratio('previous_net_contribution', 'previous_handled_orders') }}
            as previous_contribution_per_order,
        cast(current_net_revenue - previous_net_revenue as {{ dbt.type_numeric() }}) as net_revenue_change,
        cast(current_net_contribution - previous_net_contribution as {{ dbt.type_numeric() }})
            as net_contribution_change

    from contributions

)

select * from final
