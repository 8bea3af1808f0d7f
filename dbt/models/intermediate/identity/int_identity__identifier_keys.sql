{{ config(materialized='table') }}

-- Lookup from an identifier to the customer it belongs to, for facts that hold
-- an identifier rather than a source record (a web session's login). Only
-- customer numbers and emails (what a login shows), only identifiers that link
-- (not shared) and whose records all carry one key.

with

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}
    where identifier_type in ('customer_number', 'email')

),

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}
    where is_resolved

),

identifier_key as (

    select
        n.identifier_type,
        n.identifier_value,
        min(k.customer_key) as customer_key,
        count(distinct k.customer_key) as customer_keys

    from record_nodes as n
    inner join record_keys as k on n.record_uid = k.record_uid
    group by 1, 2

),

final as (

    select
        identifier_type,
        identifier_value,
        customer_key

    from identifier_key
    where customer_keys = 1

)

select * from final
