{{ config(materialized='ephemeral') }}

-- What each source record says about who it is: the one description of
-- identity resolution's view of the staged feeds, inlined (ephemeral) into
-- int_identity__source_records and int_identity__record_identifiers, each of
-- which reads only the rows it needs (observation_kind): writing these ~8M
-- rows to a table and reading them back cost more than computing them where
-- they are used. Rows:
--   * 'record': one per source record of every feed but web events;
--   * 'visit': one per web visitor (anonymous_id), over all its events;
--   * 'login': one per web visitor and customer number it logged in with, and
--     one per visitor and email (each carries that one identifier).
-- The web rows come from int_identity__web_observations (ephemeral too).

with

-- ERP cities are few (tens): normalised once per distinct value, joined back
customer_cities as (

    select
        city,
        {{ normalize_name('city') }} as city_normalized

    from (
        select distinct city from {{ ref('stg_sales__customers') }}
        where city is not null
    ) as cities

),

customers as (

    select
        'sales' as source_system,
        'customers' as source_feed,
        'record' as observation_kind,
        c.customer_id as source_record_id,
        coalesce(c.created_date, cast(c.updated_at as date)) as first_seen_date,
        coalesce(c.updated_at, cast(c.created_date as {{ dbt.type_timestamp() }})) as observed_at,
        c.customer_id as customer_number,
        {{ normalize_document('c.document_id') }} as document_number,
        c.email_normalized as email,
        c.phone_normalized as phone,
        {{ normalize_name('c.customer_name') }} as name_normalized,
        cc.city_normalized,
        c.birth_date,
        cast(null as boolean) as has_login

    from {{ ref('stg_sales__customers') }} as c
    left join customer_cities as cc on c.city = cc.city

),

order_customers as (

    select
        'sales' as source_system,
        'order_lines' as source_feed,
        'record' as observation_kind,
        customer_id as source_record_id,
        first_order_date as first_seen_date,
        cast(last_order_date as {{ dbt.type_timestamp() }}) as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        cast(null as boolean) as has_login

    from {{ ref('int_identity__order_customers') }}

),

interactions as (

    select
        'contact_center' as source_system,
        'interactions' as source_feed,
        'record' as observation_kind,
        interaction_id as source_record_id,
        cast(started_at as date) as first_seen_date,
        started_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        caller_email_normalized as email,
        caller_phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        cast(null as boolean) as has_login

    from {{ ref('stg_contact_center__interactions') }}

),

cases as (

    select
        'contact_center' as source_system,
        'cases' as source_feed,
        'record' as observation_kind,
        case_id as source_record_id,
        cast(opened_at as date) as first_seen_date,
        coalesce(updated_at, opened_at) as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        contact_email_normalized as email,
        contact_phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        cast(null as boolean) as has_login

    from {{ ref('stg_contact_center__cases') }}

),

campaign_members as (

    select
        'contact_center' as source_system,
        'campaign_members' as source_feed,
        'record' as observation_kind,
        {{ dbt.concat(['campaign_id', "'|'", 'customer_id']) }} as source_record_id,
        cast(contacted_at as date) as first_seen_date,
        contacted_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        cast(null as boolean) as has_login

    from {{ ref('stg_contact_center__campaign_members') }}

),

records as (

    select * from customers
    union all
    select * from order_customers
    union all
    select * from interactions
    union all
    select * from cases
    union all
    select * from campaign_members

),

unioned as (

    select * from records
    union all
    select * from {{ ref('int_identity__web_observations') }}

),

final as (

    select
        source_system,
        source_feed,
        observation_kind,
        source_record_id,
        first_seen_date,
        observed_at,
        customer_number,
        document_number,
        email,
        phone,
        name_normalized,
        city_normalized,
        birth_date,
        case
            when observation_kind = 'record' then coalesce(customer_number, document_number, email, phone) is not null
            else has_login
        end as has_identifier,
        {{ dbt.concat(['source_feed', "':'", 'source_record_id']) }} as record_uid

    from unioned

)

select * from final
