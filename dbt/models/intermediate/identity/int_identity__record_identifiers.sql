{{ config(materialized='table') }}

-- Every identifier a source record carries, one row per (record, identifier):
-- customer numbers, document numbers, emails and phones, normalised as staging
-- normalises them. A web visitor carries every customer number and email it
-- logged in with. observed_at: the latest time the record showed the identifier.

with

customers as (

    select
        customer_id as source_record_id,
        'customers' as source_feed,
        customer_id as customer_number,
        {{ normalize_document('document_id') }} as document_number,
        email_normalized as email,
        phone_normalized as phone,
        coalesce(updated_at, cast(created_date as {{ dbt.type_timestamp() }})) as observed_at

    from {{ ref('stg_sales__customers') }}

),

order_customers as (

    select
        customer_id as source_record_id,
        'order_lines' as source_feed,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(max(order_date) as {{ dbt.type_timestamp() }}) as observed_at

    from {{ ref('stg_sales__order_lines') }}
    group by customer_id

),

interactions as (

    select
        interaction_id as source_record_id,
        'interactions' as source_feed,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        caller_email_normalized as email,
        caller_phone_normalized as phone,
        started_at as observed_at

    from {{ ref('stg_contact_center__interactions') }}

),

cases as (

    select
        case_id as source_record_id,
        'cases' as source_feed,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        contact_email_normalized as email,
        contact_phone_normalized as phone,
        coalesce(updated_at, opened_at) as observed_at

    from {{ ref('stg_contact_center__cases') }}

),

campaign_members as (

    select
        {{ dbt.concat(['campaign_id', "'|'", 'customer_id']) }} as source_record_id,
        'campaign_members' as source_feed,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        contacted_at as observed_at

    from {{ ref('stg_contact_center__campaign_members') }}

),

web_logins as (

    select
        anonymous_id as source_record_id,
        'events' as source_feed,
        customer_id as customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        user_email_normalized as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        max(event_at) as observed_at

    from {{ ref('stg_web__events') }}
    where customer_id is not null or user_email_normalized is not null
    group by anonymous_id, customer_id, user_email_normalized

),

wide as (

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
    select * from web_logins

),

-- wide to long: one row per identifier present
long as (

    select source_feed, source_record_id, 'customer_number' as identifier_type, customer_number as identifier_value, observed_at
    from wide where customer_number is not null
    union all
    select source_feed, source_record_id, 'document' as identifier_type, document_number as identifier_value, observed_at
    from wide where document_number is not null
    union all
    select source_feed, source_record_id, 'email' as identifier_type, email as identifier_value, observed_at
    from wide where email is not null
    union all
    select source_feed, source_record_id, 'phone' as identifier_type, phone as identifier_value, observed_at
    from wide where phone is not null

),

final as (

    select
        {{ dbt.concat(['source_feed', "':'", 'source_record_id']) }} as record_uid,
        identifier_type,
        identifier_value,
        max(observed_at) as observed_at

    from long
    group by source_feed, source_record_id, identifier_type, identifier_value

)

select * from final
