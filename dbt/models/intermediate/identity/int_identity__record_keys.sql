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

-- each record's latest row of the register: a record's rows after the
-- register's first run are few (the first run holds every key then dealt, later
-- runs only the changes), so only they are grouped; every other record's one
-- row is its latest. The register joins on record_uid as it is stored (no hash
-- of millions of record_uid, no window over the whole register).
later_runs as (

    select
        record_uid,
        max(run_sequence) as run_sequence

    from {{ ref('int_identity__key_history') }}
    where
        run_sequence > (
            select min(first_run.run_sequence) as run_sequence
            from {{ ref('int_identity__key_history') }} as first_run
        )
    group by 1

),

current_key as (

    select
        h.record_uid,
        h.customer_key

    from {{ ref('int_identity__key_history') }} as h
    left join later_runs as l on h.record_uid = l.record_uid
    where l.record_uid is null or h.run_sequence = l.run_sequence

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
