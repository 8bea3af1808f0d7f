{{ config(materialized='table') }}

-- What each source record says about who it is: the one pass of identity
-- resolution over the staged feeds. One row per source record, except web
-- visitors: one row per (visitor, customer number, email) they showed, the
-- anonymous part included. int_identity__source_records and
-- int_identity__record_identifiers are cut from here.

with

customers as (

    select
        'sales' as source_system,
        'customers' as source_feed,
        customer_id as source_record_id,
        coalesce(created_date, cast(updated_at as date)) as first_seen_date,
        coalesce(updated_at, cast(created_date as {{ dbt.type_timestamp() }})) as observed_at,
        customer_id as customer_number,
        {{ normalize_document('document_id') }} as document_number,
        email_normalized as email,
        phone_normalized as phone,
        {{ normalize_name('customer_name') }} as name_normalized,
        {{ normalize_name('city') }} as city_normalized,
        birth_date

    from {{ ref('stg_sales__customers') }}

),

orders_by_customer as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date

    from {{ ref('stg_sales__order_lines') }}
    group by 1

),

order_customers as (

    select
        'sales' as source_system,
        'order_lines' as source_feed,
        customer_id as source_record_id,
        first_order_date as first_seen_date,
        cast(last_order_date as {{ dbt.type_timestamp() }}) as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from orders_by_customer

),

interactions as (

    select
        'contact_center' as source_system,
        'interactions' as source_feed,
        interaction_id as source_record_id,
        cast(started_at as date) as first_seen_date,
        started_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        caller_email_normalized as email,
        caller_phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_contact_center__interactions') }}

),

cases as (

    select
        'contact_center' as source_system,
        'cases' as source_feed,
        case_id as source_record_id,
        cast(opened_at as date) as first_seen_date,
        coalesce(updated_at, opened_at) as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        contact_email_normalized as email,
        contact_phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_contact_center__cases') }}

),

campaign_members as (

    select
        'contact_center' as source_system,
        'campaign_members' as source_feed,
        {{ dbt.concat(['campaign_id', "'|'", 'customer_id']) }} as source_record_id,
        cast(contacted_at as date) as first_seen_date,
        contacted_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_contact_center__campaign_members') }}

),

web_logins as (

    select
        anonymous_id,
        customer_id,
        user_email_normalized,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at

    from {{ ref('stg_web__events') }}
    group by 1, 2, 3

),

web_visitors as (

    select
        'web' as source_system,
        'events' as source_feed,
        anonymous_id as source_record_id,
        cast(first_event_at as date) as first_seen_date,
        last_event_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        user_email_normalized as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from web_logins

),

unioned as (

    select * from customers
    union all
    select * from order_customers
    union all
    select * from interactions
    union all
    select * from cases
    union all
    select * from campaign_members
    union all
    select * from web_visitors

),

final as (

    select
        *,
        {{ dbt.concat(['source_feed', "':'", 'source_record_id']) }} as record_uid

    from unioned

)

select * from final
