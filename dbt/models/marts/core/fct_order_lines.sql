{#-
    Order lines, conformed: one row per (order_id, order_line) of
    stg_sales__order_lines, with the customer's key, cost, margin and payment
    timeliness. Amounts are the line as ordered, whatever its status: filter
    on status = 'completed' for realised revenue and margin (fct_orders does).
    Incremental (macros/incremental.sql): a build replaces the orders that
    batches not built yet touch, and those whose customer
    got another key.
-#}

{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
) }}

with

order_lines as (

    select * from {{ ref('stg_sales__order_lines') }}
    {%- if is_incremental() %}
        where
            order_id in ({{ keys_admitted_since_last_build('order_id', ref('stg_sales__order_lines')) }})
            or order_id in ({{ rekeyed('order_id', 'customer_id', 'sales', 'order_lines') }})
    {%- endif %}

),

-- one row per customer number referenced by order lines
identity_map as (

    select
        source_record_id,
        customer_key

    from {{ ref('customer_identity_map') }}
    where
        source_system = 'sales'
        and source_feed = 'order_lines'

),

costed as (

    select
        *,
        cast(quantity * unit_cost as {{ dbt.type_numeric() }}) as cost_amount,
        paid_date is not null as is_paid,
        -- whole days paid after the due date; 0 when paid on or before it;
        -- null while unpaid or when no due date is known
        case
            when paid_date is null or payment_due_date is null then null
            when paid_date <= payment_due_date then 0
            else {{ dbt.datediff('payment_due_date', 'paid_date', 'day') }}
        end as days_late

    from order_lines

),

final as (

    select
        coalesce(identity_map.customer_key, '{{ var("missing_customer_key") }}') as customer_key,
        costed.order_id,
        costed.order_line,
        costed.order_date,
        costed.customer_id,
        costed.channel,
        costed.branch,
        costed.product_sku,
        costed.product_line,
        costed.status,
        costed.quantity,
        costed.unit_price,
        costed.discount,
        costed.net_amount,
        costed.unit_cost,
        costed.cost_amount,
        cast(costed.net_amount - costed.cost_amount as {{ dbt.type_numeric() }}) as gross_margin,
        costed.payment_due_date,
        costed.paid_date,
        costed.is_paid,
        cast(costed.days_late as {{ dbt.type_bigint() }}) as days_late,
        costed.is_order_line_inferred,
        costed._source_file,
        costed._batch_id,
        costed._admitted_at

    from costed
    left join identity_map
        on costed.customer_id = identity_map.source_record_id

)

select * from final
