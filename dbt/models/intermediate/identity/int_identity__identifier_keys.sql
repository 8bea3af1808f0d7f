{{ config(materialized='table') }}

-- Lookup from an identifier to the customer it belongs to, for facts that hold
-- an identifier rather than a source record (a web session's login). Only
-- customer numbers and emails (what a login shows), only identifiers that link
-- (not shared). Every record carrying such a node sits in the node's cluster
-- and so carries the cluster's one key: any of its records gives the key.

with

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}
    where identifier_type in ('customer_number', 'email')

),

node_records as (

    select
        node_id,
        min(record_id) as record_id

    from record_nodes
    group by 1

),

final as (

    select
        i.identifier_type,
        i.identifier_value,
        k.customer_key

    from node_records as n
    inner join {{ ref('int_identity__record_identifiers') }} as i
        on n.record_id = i.record_id and n.node_id = i.node_id
    inner join {{ ref('int_identity__record_keys') }} as k on n.record_id = k.record_id
    where k.is_resolved and i.identifier_type in ('customer_number', 'email')

)

select * from final
