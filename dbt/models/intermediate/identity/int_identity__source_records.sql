{{ config(materialized='table') }}

-- One row per source record that can name a customer: the unit the identity map
-- resolves. Grain per feed is documented in _identity__models.yml. Order lines
-- fold into one record per customer number, web events into one per visitor.
-- record_id is the integer id of record_uid (identity_id) on which the identity
-- graph joins.

with

-- feeds with one staged row per record
single_rows as (

    select
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

    from {{ ref('int_identity__observations') }}
    where source_feed not in ('order_lines', 'events')

),

folded_rows as (

    select
        source_system,
        source_feed,
        source_record_id,
        min(first_seen_date) as first_seen_date,
        cast(null as {{ dbt.type_string() }}) as name_normalized,
        cast(null as {{ dbt.type_string() }}) as given_name,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as city_normalized,
        cast(null as date) as birth_date,
        max(case when customer_number is not null or email is not null then 1 else 0 end) = 1 as has_identifier

    from {{ ref('int_identity__observations') }}
    where source_feed in ('order_lines', 'events')
    group by 1, 2, 3

),

unioned as (

    select * from single_rows
    union all
    select * from folded_rows

),

with_uid as (

    select
        {{ dbt.concat(['source_feed', "':'", 'source_record_id']) }} as record_uid,
        *

    from unioned

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

    from with_uid

)

select * from final
