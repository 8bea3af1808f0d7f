{{ config(materialized='table') }}

-- The nodes of the identity graph each record carries, one row per (record,
-- node), a node being '<identifier type>:<value>', held as integer ids
-- (identity_id of record_uid and of the node; the text is in
-- int_identity__record_identifiers). Only identifiers that may link are here:
-- an email or phone shared by several people is left out, and a record that
-- names several people carries nothing (it stays unresolved). A shared phone
-- on an ERP record still counts together with the record's given name (node
-- type phone_and_name), which keeps a household apart and still joins two
-- registrations of the same person.

-- record identifiers are read where they are used: a CTE read twice would be
-- copied whole first
with

shared as (

    select * from {{ ref('int_identity__shared_identifiers') }}

),

shared_contacts as (

    select node_id from shared
    where identifier_type <> 'record'

),

conflict_records as (

    select node_id as record_id from shared
    where identifier_type = 'record'

),

-- identifiers that link on their own, from records that name at most one person
usable as (

    select
        i.record_id,
        i.node_id,
        i.identifier_type

    from {{ ref('int_identity__record_identifiers') }} as i
    left join shared_contacts as s on i.node_id = s.node_id
    left join conflict_records as c on i.record_id = c.record_id
    where s.node_id is null and c.record_id is null

),

erp_given_names as (

    select
        record_id,
        given_name,
        document_number

    from {{ ref('int_identity__source_records') }}
    where source_feed = 'customers' and given_name is not null

),

-- a shared phone still links ERP records of the same given name, unless
-- their documents say they are different people
phone_and_name_candidates as (

    select
        i.record_id,
        {{ identity_id(dbt.concat(["'phone_and_name:'", 'i.identifier_value', "'|'", 'r.given_name'])) }} as node_id,
        r.document_number

    from {{ ref('int_identity__record_identifiers') }} as i
    inner join shared_contacts as s on i.node_id = s.node_id
    inner join erp_given_names as r on i.record_id = r.record_id
    where i.identifier_type = 'phone'

),

phone_and_name_documents as (

    select
        node_id,
        count(distinct document_number) as documents

    from phone_and_name_candidates
    group by 1

),

phone_and_name as (

    select
        p.record_id,
        p.node_id,
        'phone_and_name' as identifier_type

    from phone_and_name_candidates as p
    inner join phone_and_name_documents as d on p.node_id = d.node_id
    where d.documents <= {{ var('identity_shared_contact_max_people') }}

),

final as (

    select * from usable
    union all
    select * from phone_and_name

)

select * from final
