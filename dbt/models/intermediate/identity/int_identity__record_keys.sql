{{ config(materialized='table') }}

-- Every source record with its current customer key (the latest row of the key
-- register) or the missing member when it could not be resolved.

with

clusters as (

    select * from {{ ref('int_identity__clusters') }}

),

records as (

    select * from {{ ref('int_identity__source_records') }}

),

-- each record's latest key in the register (macro latest_register_rows)
current_key as (

    select
        latest.record_uid,
        latest.customer_key

    from ({{ latest_register_rows(ref('int_identity__key_history')) }}) as latest

),

final as (

    select
        r.record_id,
        r.source_system,
        r.source_feed,
        r.source_record_id,
        r.first_seen_date,
        coalesce(k.customer_key, '{{ var("missing_customer_key") }}') as customer_key,
        k.customer_key is not null as is_resolved,
        case
            when c.cluster_id is not null and k.customer_key is null then 'ambiguous'
            else c.match_rule
        end as match_rule

    from clusters as c
    inner join records as r on c.record_id = r.record_id
    left join current_key as k
        on r.record_uid = k.record_uid and c.cluster_id is not null

)

select * from final
