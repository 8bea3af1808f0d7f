{#-
    Every web event with the session it belongs to. A visitor (anonymous_id)
    starts a new session at their first event and whenever more than
    var('web_session_inactivity_minutes') passed since their previous event.
    Events are ordered by event_at, then event_id, so that ties never depend
    on row order; a session is named after its visitor and its first event.
-#}

{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='anonymous_id',
    on_schema_change='fail',
) }}

with

-- the events of batches this table has not built; a full build does not read it
new_events as (  -- noqa: ST03

    select
        event_id,
        anonymous_id

    from {{ ref('stg_web__events') }}
    {%- if is_incremental() %}
        where {{ not_built_yet('_batch_id', '_admitted_at') }}
    {%- endif %}

),

events as (

    select * from {{ ref('stg_web__events') }}
    {%- if is_incremental() %}
        -- their visitors, and the visitor a re-sent event moved away from
        where anonymous_id in (
            select new_events.anonymous_id from new_events
            union
            select held.anonymous_id
            from {{ this }} as held
            where held.event_id in (select new_events.event_id from new_events)
        )
    {%- endif %}

),

-- each event with the time of the same visitor's previous event
lagged as (

    select
        *,
        lag(event_at) over (
            partition by anonymous_id
            order by event_at, event_id
        ) as previous_event_at

    from events

),

gaps as (

    select
        *,
        {{ dbt.datediff('previous_event_at', 'event_at', 'second') }}
            as seconds_since_previous_event

    from lagged

),

flagged as (

    select
        *,
        -- compared as timestamps, not whole seconds: exact at any precision
        coalesce(
            event_at > {{ dbt.dateadd('minute', var('web_session_inactivity_minutes'), 'previous_event_at') }},
            true
        ) as is_session_start

    from gaps

),

-- the visitor's sessions numbered 1, 2, … by a running count of session starts
numbered as (

    select
        *,
        cast(
            sum(case when is_session_start then 1 else 0 end) over (
                partition by anonymous_id
                order by event_at, event_id
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as visitor_session_number

    from flagged

),

-- exactly one event of each session starts it: that event's id names the session
sessions_first_events as (

    select
        *,
        max(case when is_session_start then event_id end) over (
            partition by anonymous_id, visitor_session_number
        ) as session_first_event_id,
        row_number() over (
            partition by anonymous_id, visitor_session_number
            order by event_at, event_id
        ) as event_number_in_session

    from numbered

),

final as (

    select
        event_id,
        {{ dbt.hash(dbt.concat(['anonymous_id', "'|'", 'session_first_event_id'])) }} as session_id,
        anonymous_id,
        visitor_session_number,
        event_number_in_session,
        is_session_start,
        seconds_since_previous_event,
        customer_id,
        user_email_normalized,
        event_type,
        page,
        product_sku,
        utm_source,
        utm_campaign,
        device,
        event_at,
        _source_file,
        _source_row,
        _batch_id,
        _loaded_at,
        _admitted_at

    from sessions_first_events

)

select * from final
