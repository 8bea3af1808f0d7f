{{ config(materialized='table') }}

-- One row per source record that can name a customer: the unit the identity map
-- resolves. Grain per feed is documented in _identity__models.yml. Only web
-- visitors have several observations to fold into one row. record_id is the
-- integer id of record_uid (identity_id) on which the identity graph joins.

with

observations as (

    select * from {{ ref('int_identity__observations') }}

),

single_observation as (

    select
        record_uid,
        source_system,
        source_feed,
        source_record_id,
        first_seen_date,
        name_normalized,
        {{ first_word('name_normalized') }} as given_name,
        document_number,
        city_normalized,
        birth_date,
        coalesce(customer_number, document_number, email, phone) is not null as has_identifier

    from observations
    where source_feed <> 'events'

),

web_visitors as (

    select
        record_uid,
        min(source_system) as source_system,
        min(source_feed) as source_feed,
        min(source_record_id) as source_record_id,
        min(first_seen_date) as first_seen_date,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as given_name,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        max(case when customer_number is not null or email is not null then 1 else 0 end) = 1 as has_identifier

    from observations
    where source_feed = 'events'
    group by 1

),

unioned as (

    select * from single_observation
    union all
    select * from web_visitors

),

final as (

    select
        record_uid,
        {{ identity_id('record_uid') }} as record_id,
        source_system,
        source_feed,
        source_record_id,
        first_seen_date,
        name_normalized,
        given_name,
        document_number,
        city_normalized,
        birth_date,
        has_identifier

    from unioned

)

select * from final
