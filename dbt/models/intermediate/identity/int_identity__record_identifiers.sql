{{ config(materialized='table') }}

-- Every identifier a source record carries, one row per (record, identifier):
-- customer numbers, document numbers, emails and phones, normalised as staging
-- normalises them. A web visitor carries every customer number and email it
-- logged in with. observed_at: the latest time the record showed the identifier.
-- record_id and node_id are the integer ids (identity_id) of the record and of
-- the graph node '<identifier_type>:<identifier_value>'.

with

observations as (

    select * from {{ ref('int_identity__observations') }}

),

long as (

    {%- for identifier_type, column in [
        ('customer_number', 'customer_number'), ('document', 'document_number'),
        ('email', 'email'), ('phone', 'phone')
    ] %}

        select
            record_uid,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_value,
            observed_at
        from observations
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- one row per record and identifier already, except web visitors, whose
-- observations may repeat a customer number or an email
deduplicated as (

    select
        record_uid,
        identifier_type,
        identifier_value,
        observed_at

    from long
    where record_uid not like 'events:%'

    union all

    select
        record_uid,
        identifier_type,
        identifier_value,
        max(observed_at) as observed_at

    from long
    where record_uid like 'events:%'
    group by 1, 2, 3

),

final as (

    select
        {{ identity_id('record_uid') }} as record_id,
        identifier_type,
        identifier_value,
        observed_at,
        {{ identity_id(dbt.concat(['identifier_type', "':'", 'identifier_value'])) }} as node_id

    from deduplicated

)

select * from final
