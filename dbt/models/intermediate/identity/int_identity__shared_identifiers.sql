{{ config(materialized='table') }}

-- Contact identifiers (email, phone) used by more than one person, and records
-- that name more than one person. Neither links anything on its own: a
-- household phone or a shared mailbox would otherwise merge a family or a
-- company's staff into one customer.
--
-- "People" behind an identifier are counted by the ERP records reachable from
-- the records that carry it: their own name and document (ERP records) or
-- those of the customer numbers they carry. An identifier is shared when it
-- reaches more than `identity_shared_contact_max_people` distinct given names,
-- or as many distinct document numbers.
--
-- Joins run on the integer ids of records and nodes (identity_id); node_id is
-- the shared node's id, or the record's id for a record naming several people.

-- record identifiers are read where they are used: a CTE read several times
-- would be copied whole first
with

erp_people as (

    select
        {{ identity_id(dbt.concat(["'customer_number:'", 'source_record_id'])) }} as customer_node_id,
        given_name,
        document_number

    from {{ ref('int_identity__source_records') }}
    where source_feed = 'customers'

),

-- the people each record points at, through the customer numbers it carries
record_people as (

    select
        i.record_id,
        p.given_name,
        p.document_number

    from {{ ref('int_identity__record_identifiers') }} as i
    inner join erp_people as p on i.node_id = p.customer_node_id
    where i.identifier_type = 'customer_number'

),

-- only a value on two or more records can be shared (its text is looked up
-- for the shared ones only, in shared_contact_values)
contact_values as (

    select
        node_id,
        identifier_type,
        count(*) as records

    from {{ ref('int_identity__record_identifiers') }}
    where identifier_type in ('email', 'phone')
    group by 1, 2
    having count(*) > 1

),

-- people counted per node id alone (a node is one type and one value)
contact_people as (

    select
        v.node_id,
        count(distinct p.given_name) as given_names,
        count(distinct p.document_number) as documents

    from contact_values as v
    inner join {{ ref('int_identity__record_identifiers') }} as i on v.node_id = i.node_id
    inner join record_people as p on i.record_id = p.record_id
    group by 1

),

shared_contacts as (

    select
        v.node_id,
        v.identifier_type,
        v.records,
        p.given_names,
        p.documents

    from contact_values as v
    inner join contact_people as p on v.node_id = p.node_id
    where
        p.given_names > {{ var('identity_shared_contact_max_people') }}
        or p.documents > {{ var('identity_shared_contact_max_people') }}

),

-- the text of each shared contact (every row of a node carries the same value)
shared_contact_values as (

    select
        i.node_id,
        max(i.identifier_value) as identifier_value

    from {{ ref('int_identity__record_identifiers') }} as i
    inner join shared_contacts as c on i.node_id = c.node_id
    where i.identifier_type in ('email', 'phone')
    group by 1

),

-- only a record with two or more customer numbers can name several people
-- (record_identifiers holds the integer record_id; the text is in source_records)
multi_customer_records as (

    select
        m.record_id,
        r.record_uid

    from (
        select record_id
        from {{ ref('int_identity__record_identifiers') }}
        where identifier_type = 'customer_number'
        group by 1
        having count(*) > 1
    ) as m
    inner join {{ ref('int_identity__source_records') }} as r on m.record_id = r.record_id

),

record_conflicts as (

    select
        m.record_id as node_id,
        'record' as identifier_type,
        m.record_uid as identifier_value,
        1 as records,
        count(distinct p.given_name) as given_names,
        count(distinct p.document_number) as documents

    from record_people as p
    inner join multi_customer_records as m on p.record_id = m.record_id
    group by 1, 2, 3, 4

),

final as (

    select
        c.identifier_type,
        v.identifier_value,
        c.records,
        c.given_names,
        c.documents,
        c.node_id

    from shared_contacts as c
    inner join shared_contact_values as v on c.node_id = v.node_id

    union all

    select
        identifier_type,
        identifier_value,
        records,
        given_names,
        documents,
        node_id

    from record_conflicts
    where
        given_names > {{ var('identity_shared_contact_max_people') }}
        or documents > {{ var('identity_shared_contact_max_people') }}

)

select * from final
