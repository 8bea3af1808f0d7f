{{ config(materialized='ephemeral') }}

-- What the web events say about who each visitor is, the web part of
-- int_identity__observations (ephemeral like it, for the same reason: inlined
-- where it is read, never written out). Rows:
--   * 'visit': one per web visitor (anonymous_id), over all its events;
--   * 'login': one per web visitor and customer number it logged in with, and
--     one per visitor and email (each carries that one identifier).

with

-- a visitor's first and last event, and whether it ever logged in: one group
-- by the visitor alone (source_records reads only these rows)
web_visits as (

    select
        anonymous_id,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(case when customer_id is not null or user_email_normalized is not null then 1 else 0 end) as logins

    from {{ ref('stg_web__events') }}
    group by 1

),

web_visitors as (

    select
        'web' as source_system,
        'events' as source_feed,
        'visit' as observation_kind,
        anonymous_id as source_record_id,
        cast(first_event_at as date) as first_seen_date,
        last_event_at as observed_at,
        cast(null as {{ dbt.type_string() }}) as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        logins = 1 as has_login

    from web_visits

),

-- the customer numbers and emails each visitor logged in with, each once
-- (the latest event showing it), from one group by over the login events only
-- (record_identifiers reads only these rows)
web_login_events as (

    select
        anonymous_id,
        customer_id,
        user_email_normalized,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at

    from {{ ref('stg_web__events') }}
    where customer_id is not null or user_email_normalized is not null
    group by 1, 2, 3

),

web_customer_numbers as (

    select
        anonymous_id,
        customer_id,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at

    from web_login_events
    where customer_id is not null
    group by 1, 2

),

web_emails as (

    select
        anonymous_id,
        user_email_normalized,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at

    from web_login_events
    where user_email_normalized is not null
    group by 1, 2

),

web_logins as (

    select
        'web' as source_system,
        'events' as source_feed,
        'login' as observation_kind,
        anonymous_id as source_record_id,
        cast(first_event_at as date) as first_seen_date,
        last_event_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        true as has_login

    from web_customer_numbers

    union all

    select
        'web' as source_system,
        'events' as source_feed,
        'login' as observation_kind,
        anonymous_id as source_record_id,
        cast(first_event_at as date) as first_seen_date,
        last_event_at as observed_at,
        cast(null as {{ dbt.type_string() }}) as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        user_email_normalized as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        true as has_login

    from web_emails

),

final as (

    select * from web_visitors
    union all
    select * from web_logins

)

select * from final
