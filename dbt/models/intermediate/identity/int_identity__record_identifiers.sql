{{ config(materialized='table') }}

-- Every identifier a source record carries, one row per (record, identifier):
-- customer numbers, document numbers, emails and phones, normalised as staging
-- normalises them. A web visitor carries every customer number and email it
-- logged in with. observed_at: the latest time the record showed the identifier.
-- record_id and node_id are the integer ids (identity_id) of the record and of
-- the graph node '<identifier_type>:<identifier_value>'. The text of the record
-- (record_uid) is in int_identity__source_records.

with

-- every observation carries each identifier at most once ('login' rows of a
-- web visitor one each), so (record, type, value) is unique without grouping
observations as (

    select * from {{ ref('int_identity__observations') }}
    where observation_kind <> 'visit'

),

identifier_types as (

    select 'customer_number' as identifier_type
    union all
    select 'document' as identifier_type
    union all
    select 'email' as identifier_type
    union all
    select 'phone' as identifier_type

),

-- one pass over the observations, one row per identifier present; the record's
-- id is hashed once per observation, before the fan-out to the four types
long as (

    select
        o.record_id,
        t.identifier_type,
        o.observed_at,
        case t.identifier_type
            when 'customer_number' then o.customer_number
            when 'document' then o.document_number
            when 'email' then o.email
            else o.phone
        end as identifier_value

    from (
        select
            {{ identity_id('record_uid') }} as record_id,
            observed_at,
            customer_number,
            document_number,
            email,
            phone

        from observations
    ) as o
    cross join identifier_types as t

),

final as (

    select
        record_id,
        identifier_type,
        identifier_value,
        observed_at,
        {{ identity_id(dbt.concat(['identifier_type', "':'", 'identifier_value'])) }} as node_id

    from long
    where identifier_value is not null

)

select * from final
