{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ admitted_rows('web', 'events', changed_key='event_id') }}

),

renamed as (

    select

        ---------- ids
        {{ clean_string('event_id') }} as event_id,
        {{ clean_string('anonymous_id') }} as anonymous_id,
        {{ clean_string('customer_id') }} as customer_id,
        {{ clean_string('product_sku') }} as product_sku,

        ---------- strings
        {{ clean_code('event_type') }} as event_type,
        {{ clean_string('user_email') }} as user_email,
        {{ normalize_email('user_email') }} as user_email_normalized,
        {{ clean_string('page') }} as page,
        {{ clean_string('utm_source') }} as utm_source,
        {{ clean_string('utm_campaign') }} as utm_campaign,
        {{ clean_code('device') }} as device,

        ---------- timestamps
        cast(event_at as {{ dbt.type_timestamp() }}) as event_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- trackers retry: the same event id may land twice, keep one copy
versioned as (

    select
        *,
        {{ latest_version('event_id') }} as version_rank

    from renamed

),

final as (

    select
        event_id,
        anonymous_id,
        customer_id,
        product_sku,
        event_type,
        user_email,
        user_email_normalized,
        page,
        utm_source,
        utm_campaign,
        device,
        event_at,
        _source_file,
        _source_row,
        _batch_id,
        _loaded_at,
        _admitted_at

    from versioned
    where version_rank = 1

)

select * from final
