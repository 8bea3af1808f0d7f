{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ admitted_rows('sales', 'order_lines', changed_key='order_id') }}

),

renamed as (

    select

        ---------- ids
        {{ clean_string('order_id') }} as order_id,
        cast(order_line as {{ dbt.type_bigint() }}) as landed_order_line,
        {{ clean_string('customer_id') }} as customer_id,
        {{ clean_string('branch') }} as branch,
        {{ clean_string('product_sku') }} as product_sku,

        ---------- strings
        {{ clean_code('channel') }} as channel,
        {{ clean_string('product_line') }} as product_line,
        {{ clean_code('status') }} as status,

        ---------- numerics
        cast(quantity as {{ dbt.type_numeric() }}) as quantity,
        cast(unit_price as {{ dbt.type_numeric() }}) as unit_price,
        cast(discount as {{ dbt.type_numeric() }}) as discount,
        cast(net_amount as {{ dbt.type_numeric() }}) as net_amount,
        cast(unit_cost as {{ dbt.type_numeric() }}) as unit_cost,

        ---------- dates
        cast(order_date as date) as order_date,
        cast(payment_due_date as date) as payment_due_date,
        cast(paid_date as date) as paid_date,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- exports without line numbers: number the lines of each order in file order,
-- within the batch, so that a re-sent order numbers its lines the same way
numbered as (

    select
        *,
        coalesce(
            landed_order_line,
            row_number() over (
                partition by order_id, _batch_id
                order by _source_row
            )
        ) as order_line,
        landed_order_line is null as is_order_line_inferred

    from renamed

),

-- a line may arrive again in a later batch (e.g. returned): newest batch wins
versioned as (

    select
        *,
        {{ latest_version(['order_id', 'order_line']) }} as version_rank

    from numbered

),

final as (

    select
        order_id,
        order_line,
        is_order_line_inferred,
        customer_id,
        branch,
        product_sku,
        channel,
        product_line,
        status,
        quantity,
        unit_price,
        discount,
        net_amount,
        unit_cost,
        order_date,
        payment_due_date,
        paid_date,
        _source_file,
        _source_row,
        _batch_id,
        _loaded_at,
        _admitted_at

    from versioned
    where version_rank = 1

)

select * from final
