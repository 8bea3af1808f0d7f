{#-
    Contact-center interactions, conformed: one row per interaction_id of
    stg_contact_center__interactions, with the customer's key and handle time.
    The caller's raw phone and email stay in staging: marts carry no personal
    contact data.
    Incremental (macros/incremental.sql): a build replaces the interactions
    that batches not built yet carry, and those whose
    customer got another key.
-#}

{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='interaction_id',
    on_schema_change='fail',
) }}

with

interactions as (

    select * from {{ ref('stg_contact_center__interactions') }}
    {%- if is_incremental() %}
        where
            interaction_id in (
                {{ keys_admitted_since_last_build('interaction_id', ref('stg_contact_center__interactions')) }}
            )
            or interaction_id in ({{ rekeyed('interaction_id', 'interaction_id', 'contact_center', 'interactions') }})
    {%- endif %}

),

identity_map as (

    select
        source_record_id,
        customer_key

    from {{ ref('customer_identity_map') }}
    where
        source_system = 'contact_center'
        and source_feed = 'interactions'

),

-- times missing from the export count as 0, flags as false
defaulted as (

    select
        interaction_id,
        started_at,
        ended_at,
        channel,
        direction,
        queue_name,
        agent_id,
        campaign_id,
        case_id,
        disposition,
        _source_file,
        _batch_id,
        _admitted_at,
        coalesce(wait_seconds, 0) as wait_seconds,
        coalesce(talk_seconds, 0) as talk_seconds,
        coalesce(hold_seconds, 0) as hold_seconds,
        coalesce(wrap_seconds, 0) as wrap_seconds,
        coalesce(is_abandoned, false) as is_abandoned,
        coalesce(is_self_served, false) as is_self_served

    from interactions

),

final as (

    select
        coalesce(identity_map.customer_key, '{{ var("missing_customer_key") }}') as customer_key,
        defaulted.interaction_id,
        defaulted.started_at,
        defaulted.ended_at,
        cast(defaulted.started_at as date) as interaction_date,
        defaulted.channel,
        defaulted.direction,
        defaulted.queue_name,
        defaulted.agent_id,
        defaulted.campaign_id,
        defaulted.case_id,
        defaulted.disposition,
        defaulted.wait_seconds,
        defaulted.talk_seconds,
        defaulted.hold_seconds,
        defaulted.wrap_seconds,
        -- handle time: talk + hold + after-contact work; queue wait excluded
        defaulted.talk_seconds + defaulted.hold_seconds + defaulted.wrap_seconds as handle_seconds,
        defaulted.is_abandoned,
        defaulted.is_self_served,
        defaulted._source_file,
        defaulted._batch_id,
        defaulted._admitted_at

    from defaulted
    left join identity_map
        on defaulted.interaction_id = identity_map.source_record_id

)

select * from final
