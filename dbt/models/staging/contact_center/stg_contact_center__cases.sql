{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='case_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ admitted_rows('contact_center', 'cases', changed_key='case_id') }}

),

renamed as (

    select

        ---------- ids
        {{ clean_string('case_id') }} as case_id,
        {{ clean_string('customer_id') }} as customer_id,

        ---------- strings
        {{ clean_string('contact_email') }} as contact_email,
        {{ normalize_email('contact_email') }} as contact_email_normalized,
        {{ clean_string('contact_phone') }} as contact_phone,
        {{ normalize_phone('contact_phone') }} as contact_phone_normalized,
        {{ clean_code('case_type') }} as case_type,
        {{ clean_code('category') }} as category,
        {{ clean_code('priority') }} as priority,
        {{ clean_code('status') }} as status,

        ---------- booleans
        cast(escalated as {{ dbt.type_boolean() }}) as is_escalated,

        ---------- timestamps
        cast(opened_at as {{ dbt.type_timestamp() }}) as opened_at,
        cast(closed_at as {{ dbt.type_timestamp() }}) as closed_at,
        cast(sla_due_at as {{ dbt.type_timestamp() }}) as sla_due_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- a case is re-exported as it moves on (closed later): newest version wins
versioned as (

    select
        *,
        {{ latest_version('case_id', 'updated_at') }} as version_rank

    from renamed

),

final as (

    select
        case_id,
        customer_id,
        contact_email,
        contact_email_normalized,
        contact_phone,
        contact_phone_normalized,
        case_type,
        category,
        priority,
        status,
        is_escalated,
        opened_at,
        closed_at,
        sla_due_at,
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
