{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='interaction_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ admitted_rows('contact_center', 'interactions', changed_key='interaction_id') }}

),

renamed as (

    select

        ---------- ids
        {{ clean_string('interaction_id') }} as interaction_id,
        {{ clean_string('customer_id') }} as customer_id,
        {{ clean_string('agent_id') }} as agent_id,
        {{ clean_string('campaign_id') }} as campaign_id,
        {{ clean_string('case_id') }} as case_id,

        ---------- strings
        {{ clean_code('channel') }} as channel,
        {{ clean_code('direction') }} as direction,
        {{ clean_string('caller_phone') }} as caller_phone,
        {{ normalize_phone('caller_phone') }} as caller_phone_normalized,
        {{ clean_string('caller_email') }} as caller_email,
        {{ normalize_email('caller_email') }} as caller_email_normalized,
        {{ clean_string('queue') }} as queue_name,
        {{ clean_string('disposition') }} as disposition,

        ---------- numerics
        cast(wait_seconds as {{ dbt.type_bigint() }}) as wait_seconds,
        cast(talk_seconds as {{ dbt.type_bigint() }}) as talk_seconds,
        cast(hold_seconds as {{ dbt.type_bigint() }}) as hold_seconds,
        cast(wrap_seconds as {{ dbt.type_bigint() }}) as wrap_seconds,

        ---------- booleans
        cast(abandoned as {{ dbt.type_boolean() }}) as is_abandoned,
        cast(self_served as {{ dbt.type_boolean() }}) as is_self_served,

        ---------- timestamps
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- the same interaction may be exported twice: keep the newest copy
versioned as (

    select
        *,
        {{ latest_version('interaction_id') }} as version_rank

    from renamed

),

final as (

    select
        interaction_id,
        customer_id,
        agent_id,
        campaign_id,
        case_id,
        channel,
        direction,
        caller_phone,
        caller_phone_normalized,
        caller_email,
        caller_email_normalized,
        queue_name,
        disposition,
        wait_seconds,
        talk_seconds,
        hold_seconds,
        wrap_seconds,
        is_abandoned,
        is_self_served,
        started_at,
        ended_at,
        _source_file,
        _source_row,
        _batch_id,
        _loaded_at,
        _admitted_at

    from versioned
    where version_rank = 1

)

select * from final
