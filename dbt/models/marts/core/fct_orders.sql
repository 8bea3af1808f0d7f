{#-
    Orders: one row per order_id, rolled up from fct_order_lines.

    order_status, from the statuses of the order's lines:
      cancelled           every line is cancelled
      completed           no line is returned (some lines may be cancelled)
      returned            every line that is not cancelled is returned
      partially_returned  some lines completed, some returned
    Revenue, cost and margin count completed lines only; cost (and so margin)
    is null when a completed line has no unit cost. The order is paid when
    every line with a due date is paid: paid_date is then the latest paid
    date; days_late compares it with the earliest due date, as on lines.
    Header attributes (customer, date, channel, branch) come from the
    order's first line.
    Incremental (macros/incremental.sql): a build replaces the orders with
    lines from batches no row names yet (_batch_id is the batch of the
    order's most recently admitted line), and those whose customer got
    another key.
-#}

{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
) }}

-- depends_on: {{ ref('customer_identity_map') }} (read by rekeyed, on incremental builds only)

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    {%- if is_incremental() %}
        where
            order_id in ({{ keys_admitted_since_last_build('order_id', ref('fct_order_lines')) }})
            or order_id in ({{ rekeyed('order_id', 'customer_id', 'sales', 'order_lines') }})
    {%- endif %}

),

lines_ranked as (

    select
        order_id,
        customer_key,
        customer_id,
        order_date,
        channel,
        branch,
        row_number() over (
            partition by order_id
            order by order_line
        ) as line_rank

    from order_lines

),

-- the order's most recently admitted line: what an incremental build compares with
latest_admissions as (

    select
        order_id,
        _batch_id,
        _admitted_at,
        row_number() over (
            partition by order_id
            order by _admitted_at desc, _batch_id desc
        ) as admission_rank

    from order_lines

),

headers as (

    select
        order_id,
        customer_key,
        customer_id,
        order_date,
        channel,
        branch

    from lines_ranked
    where line_rank = 1

),

totals as (

    select
        order_id,
        count(*) as order_lines,
        count(case when status = 'completed' then 1 end) as completed_lines,
        count(case when status = 'cancelled' then 1 end) as cancelled_lines,
        count(case when status = 'returned' then 1 end) as returned_lines,
        sum(quantity) as quantity,
        sum(case when status = 'completed' then quantity end) as completed_quantity,
        sum(case when status = 'completed' then net_amount end) as net_revenue,
        sum(case when status = 'cancelled' then net_amount end) as cancelled_amount,
        sum(case when status = 'returned' then net_amount end) as returned_amount,
        sum(case when status = 'completed' then cost_amount end) as known_cost_amount,
        count(case when status = 'completed' and cost_amount is null then 1 end) as completed_lines_without_cost,
        min(payment_due_date) as payment_due_date,
        count(case when payment_due_date is not null and paid_date is null then 1 end) as unpaid_lines,
        max(paid_date) as last_paid_date

    from order_lines

    group by 1

),

derived as (

    select
        order_id,
        order_lines,
        completed_lines,
        cancelled_lines,
        returned_lines,
        cast(quantity as {{ dbt.type_numeric() }}) as quantity,
        cast(coalesce(completed_quantity, 0) as {{ dbt.type_numeric() }}) as completed_quantity,
        cast(coalesce(net_revenue, 0) as {{ dbt.type_numeric() }}) as net_revenue,
        cast(coalesce(cancelled_amount, 0) as {{ dbt.type_numeric() }}) as cancelled_amount,
        cast(coalesce(returned_amount, 0) as {{ dbt.type_numeric() }}) as returned_amount,
        cast(
            case
                when completed_lines_without_cost = 0 then coalesce(known_cost_amount, 0)
            end as {{ dbt.type_numeric() }}
        ) as cost_amount,
        case
            when cancelled_lines = order_lines then 'cancelled'
            when returned_lines = 0 then 'completed'
            when completed_lines = 0 then 'returned'
            else 'partially_returned'
        end as order_status,
        payment_due_date,
        case when unpaid_lines = 0 then last_paid_date end as paid_date

    from totals

),

final as (

    select
        headers.customer_key,
        headers.order_id,
        headers.customer_id,
        headers.order_date,
        headers.channel,
        headers.branch,
        derived.order_status,
        derived.order_lines,
        derived.completed_lines,
        derived.cancelled_lines,
        derived.returned_lines,
        derived.quantity,
        derived.completed_quantity,
        derived.net_revenue,
        derived.cancelled_amount,
        derived.returned_amount,
        derived.cost_amount,
        cast(derived.net_revenue - derived.cost_amount as {{ dbt.type_numeric() }}) as gross_margin,
        derived.payment_due_date,
        derived.paid_date,
        derived.paid_date is not null as is_paid,
        cast(
            case
                when derived.paid_date is null or derived.payment_due_date is null then null
                when derived.paid_date <= derived.payment_due_date then 0
                else {{ dbt.datediff('derived.payment_due_date', 'derived.paid_date', 'day') }}
            end as {{ dbt.type_bigint() }}
        ) as days_late,
        latest_admissions._batch_id,
        latest_admissions._admitted_at

    from headers
    inner join derived
        on headers.order_id = derived.order_id
    inner join latest_admissions
        on
            headers.order_id = latest_admissions.order_id
            and latest_admissions.admission_rank = 1

)

select * from final
