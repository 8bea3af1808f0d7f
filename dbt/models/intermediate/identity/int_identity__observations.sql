{{ config(materialized='view') }}

-- What each staged row says about who its record is: one row per source row,
-- in the shape of a record (source_feed, source_record_id) and its identifiers.
-- Order lines and web events are rows of a coarser record (the customer number
-- they reference, the visitor's cookie); int_identity__source_records and
-- int_identity__record_identifiers fold them. A view: each of those two tables
-- reads the staged feeds once through it, and each reads only the columns it
-- needs (names are normalised for source_records only).

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

order_customers as (

    select
        'sales' as source_system,
        'order_lines' as source_feed,
        customer_id as source_record_id,
        order_date as first_seen_date,
        cast(order_date as {{ dbt.type_timestamp() }}) as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_sales__order_lines') }}

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

web_visitors as (

    select
        'web' as source_system,
        'events' as source_feed,
        anonymous_id as source_record_id,
        cast(event_at as date) as first_seen_date,
        event_at as observed_at,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        user_email_normalized as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_web__events') }}

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

    select * from unioned

)

select * from final
