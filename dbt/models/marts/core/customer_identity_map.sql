-- One row per source record: the customer it belongs to and how it was matched.

with

record_keys as (

    select * from {{ ref('int_identity__record_keys') }}

),

rules as (

    select * from {{ ref('identity_match_rules') }}

),

final as (

    select
        k.source_system,
        k.source_feed,
        k.source_record_id,
        k.customer_key,
        k.match_rule,
        cast(r.match_confidence as decimal(4, 2)) as match_confidence,
        k.is_resolved,
        k.first_seen_date

    from record_keys as k
    inner join rules as r on k.match_rule = r.match_rule

)

select * from final
