{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ admitted_rows('sales', 'customers', changed_key='customer_id') }}

),

renamed as (

    select

        ---------- ids
        {{ clean_string('customer_id') }} as customer_id,
        {{ clean_string('document_id') }} as document_id,

        ---------- strings
        {{ clean_string('customer_name') }} as customer_name,
        {{ clean_string('email') }} as email,
        {{ normalize_email('email') }} as email_normalized,
        {{ clean_string('phone') }} as phone,
        {{ normalize_phone('phone') }} as phone_normalized,
        {{ clean_string('economic_activity') }} as economic_activity,
        {{ clean_string('city') }} as city,
        {{ clean_string('region') }} as region,

        ---------- booleans
        cast(is_company as {{ dbt.type_boolean() }}) as is_company,

        ---------- dates
        cast(birth_date as date) as birth_date,
        cast(created_date as date) as created_date,

        ---------- timestamps
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- a customer may arrive in several batches: rank its versions, newest first
versioned as (

    select
        *,
        {{ latest_version('customer_id', 'updated_at') }} as version_rank

    from renamed

),

final as (

    select
        customer_id,
        document_id,
        customer_name,
        email,
        email_normalized,
        phone,
        phone_normalized,
        economic_activity,
        city,
        region,
        is_company,
        birth_date,
        created_date,
        updated_at,
        _source_file,
        _source_row,
        _batch_id,
        _loaded_at,
        _admitted_at

    from versioned
    where version_rank = 1

)

select * from final
