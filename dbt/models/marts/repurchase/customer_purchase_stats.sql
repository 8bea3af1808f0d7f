{#-
    One row per customer with at least one order day on or before the as-of
    date: the customer's purchase history summarised (definitions in
    _repurchase__models.yml). Read from int_repurchase__order_days: the rows of
    int_customers__order_days (the one place where an order day is defined)
    up to the as-of date.
-#}

with

history as (

    select * from {{ ref('int_repurchase__order_days') }}

),

order_days as (

    select
        customer_id,
        order_date,
        as_of_date,
        net_revenue,
        gap_days,
        row_number() over (partition by customer_id order by order_date) as order_day_number

    from history
    where is_order_day

),

per_customer as (

    select
        customer_id,
        max(as_of_date) as as_of_date,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as order_days,
        max(case when order_day_number = 2 then order_date end) as second_order_date,
        {{ percentile_cont('gap_days', 0.5) }} as median_gap_days

    from order_days

    group by 1

),

totals as (

    -- every completed order up to the as-of date, credit notes included
    select
        history.customer_id,
        sum(history.completed_orders) as orders,
        sum(history.net_revenue) as net_revenue,
        sum(
            case when history.order_date > per_customer.first_order_date then history.net_revenue end
        ) as repeat_net_revenue

    from history
    inner join per_customer
        on history.customer_id = per_customer.customer_id

    group by 1

)

select
    profiles.customer_key,
    per_customer.first_order_date,
    per_customer.last_order_date,
    cast(per_customer.order_days as {{ dbt.type_int() }}) as order_days,
    cast(totals.orders as {{ dbt.type_int() }}) as orders,
    cast(totals.net_revenue as {{ dbt.type_numeric() }}) as net_revenue,
    cast(coalesce(totals.repeat_net_revenue, 0) as {{ dbt.type_numeric() }}) as repeat_net_revenue,
    cast(
        {{ dbt.datediff('per_customer.first_order_date', 'per_customer.second_order_date', 'day') }}
        as {{ dbt.type_int() }}
    ) as days_to_second_order,
    case
        when per_customer.order_days > 1
            then cast(
                cast(
                    {{ dbt.datediff('per_customer.first_order_date', 'per_customer.last_order_date', 'day') }}
                    as {{ dbt.type_numeric() }}
                ) / (per_customer.order_days - 1)
                as {{ dbt.type_numeric() }}
            )
    end as avg_interpurchase_days,
    cast(per_customer.median_gap_days as {{ dbt.type_numeric() }}) as median_gap_days,
    cast(
        {{ dbt.datediff('per_customer.last_order_date', 'per_customer.as_of_date', 'day') }}
        as {{ dbt.type_int() }}
    ) as days_since_last_order,
    per_customer.order_days >= 2 as is_repeat_customer,
    per_customer.as_of_date

from per_customer
inner join totals
    on per_customer.customer_id = totals.customer_id
inner join {{ ref('int_customers__profiles') }} as profiles
    on per_customer.customer_id = profiles.customer_id
