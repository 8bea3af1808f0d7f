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

-- ranked per record on the integer id (identity_id), not the record_uid text
ranked_history as (

    select
        record_id,
        customer_key,
        row_number() over (partition by record_id order by run_sequence desc) as recency

    from (
        select
            {{ identity_id('record_uid') }} as record_id,
            customer_key,
            run_sequence
        from {{ ref('int_identity__key_history') }}
    ) as history_ids

),

current_key as (

    select
        record_id,
        customer_key

    from ranked_history
    where recency = 1

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
        on c.record_id = k.record_id and c.cluster_id is not null

)

select * from final
