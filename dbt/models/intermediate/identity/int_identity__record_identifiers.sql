{{ config(materialized='table') }}

-- Every identifier a source record carries, one row per (record, identifier):
-- customer numbers, document numbers, emails and phones, normalised as staging
-- normalises them. A web visitor carries every customer number and email it
-- logged in with. observed_at: the latest time the record showed the identifier.
-- record_id and node_id are the integer ids (identity_id) of the record and of
-- the graph node '<identifier_type>:<identifier_value>'.

with

-- feeds with one staged row per record
single_rows as (

    select
        source_feed,
        source_record_id,
        observed_at,
        customer_number,
        document_number,
        email,
        phone

    from {{ ref('int_identity__observations') }}
    where source_feed not in ('order_lines', 'events')

),

-- order lines and web events: each distinct identifier set of a record once
folded_rows as (

    select
        source_feed,
        source_record_id,
        max(observed_at) as observed_at,
        customer_number,
        cast(null as {{ dbt.type_string() }}) as document_number,
        email,
        cast(null as {{ dbt.type_string() }}) as phone

    from {{ ref('int_identity__observations') }}
    where
        source_feed in ('order_lines', 'events')
        and (customer_number is not null or email is not null)
    group by 1, 2, 4, 6

),

records as (

    select * from single_rows
    union all
    select * from folded_rows

),

long as (

    {%- for identifier_type, column in [
        ('customer_number', 'customer_number'), ('document', 'document_number'),
        ('email', 'email'), ('phone', 'phone')
    ] %}

        select
            source_feed,
            source_record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_value,
            observed_at
        from records
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- one row per record and identifier already, except web visitors, who may
-- show one customer number with several emails and the reverse
deduplicated as (

    select
        source_feed,
        source_record_id,
        identifier_type,
        identifier_value,
        observed_at

    from long
    where source_feed <> 'events'

    union all

    select
        source_feed,
        source_record_id,
        identifier_type,
        identifier_value,
        max(observed_at) as observed_at

    from long
    where source_feed = 'events'
    group by 1, 2, 3, 4

),

with_uid as (

    select
        {{ dbt.concat(['source_feed', "':'", 'source_record_id']) }} as record_uid,
        identifier_type,
        identifier_value,
        observed_at

    from deduplicated

),

final as (

    select
        record_uid,
        identifier_type,
        identifier_value,
        observed_at,
        {{ identity_id('record_uid') }} as record_id,
        {{ identity_id(dbt.concat(['identifier_type', "':'", 'identifier_value'])) }} as node_id

    from with_uid

)

select * from final
