{{ config(materialized='table') }}

-- One row per source record that can name a customer: the unit the identity map
-- resolves. Grain per feed is documented in _identity__models.yml.

with

customers as (

    select
        'sales' as source_system,
        'customers' as source_feed,
        customer_id as source_record_id,
        coalesce(created_date, cast(updated_at as date)) as first_seen_date,
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
        min(order_date) as first_seen_date,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_sales__order_lines') }}
    group by customer_id

),

interactions as (

    select
        'contact_center' as source_system,
        'interactions' as source_feed,
        interaction_id as source_record_id,
        cast(started_at as date) as first_seen_date,
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
        cast(min(event_at) as date) as first_seen_date,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date

    from {{ ref('stg_web__events') }}
    group by anonymous_id

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
        {{ dbt.concat(['source_feed', "':'", 'source_record_id']) }} as record_uid,
        source_system,
        source_feed,
        source_record_id,
        first_seen_date,
        name_normalized,
        {{ first_word('name_normalized') }} as given_name,
        city_normalized,
        birth_date

    from unioned

)

select * from final
