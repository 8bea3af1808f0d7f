{{ config(materialized='table') }}

-- The nodes of the identity graph each record carries, one row per (record,
-- node), a node being '<identifier type>:<value>'. Only identifiers that may
-- link are here: an email or phone shared by several people is left out, and
-- a record that names several people carries nothing (it stays unresolved).
-- A shared phone on an ERP record still counts together with the record's
-- given name (node type phone_and_name), which keeps a household apart and
-- still joins two registrations of the same person.

with

identifiers as (

    select * from {{ ref('int_identity__record_identifiers') }}

),

records as (

    select * from {{ ref('int_identity__source_records') }}

),

shared as (

    select * from {{ ref('int_identity__shared_identifiers') }}

),

-- identifiers that link on their own, from records that name at most one person
usable as (

    select
        i.record_uid,
        i.identifier_type,
        i.identifier_value,
        {{ dbt.concat(['i.identifier_type', "':'", 'i.identifier_value']) }} as node

    from identifiers as i
    left join shared as s
        on i.identifier_type = s.identifier_type and i.identifier_value = s.identifier_value
    left join shared as record_conflict
        on record_conflict.identifier_type = 'record' and i.record_uid = record_conflict.identifier_value
    where s.identifier_value is null and record_conflict.identifier_value is null

),

-- a shared phone still links ERP records of the same given name, unless
-- their documents say they are different people
phone_and_name_candidates as (

    select
        i.record_uid,
        'phone_and_name' as identifier_type,
        {{ dbt.concat(['i.identifier_value', "'|'", 'r.given_name']) }} as identifier_value,
        {{ dbt.concat(["'phone_and_name:'", 'i.identifier_value', "'|'", 'r.given_name']) }} as node,
        r.document_number

    from identifiers as i
    inner join shared as s
        on i.identifier_type = s.identifier_type and i.identifier_value = s.identifier_value
    inner join records as r on i.record_uid = r.record_uid
    where i.identifier_type = 'phone' and r.given_name is not null

),

phone_and_name_documents as (

    select
        node,
        count(distinct document_number) as documents

    from phone_and_name_candidates
    group by 1

),

phone_and_name as (

    select
        p.record_uid,
        p.identifier_type,
        p.identifier_value,
        p.node

    from phone_and_name_candidates as p
    inner join phone_and_name_documents as d on p.node = d.node
    where d.documents <= {{ var('identity_shared_contact_max_people') }}

),

final as (

    select * from usable
    union all
    select * from phone_and_name

)

select * from final
