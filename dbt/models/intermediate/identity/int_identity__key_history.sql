{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false
    )
}}

-- The customer key register: an append-only history of which customer_key each
-- source record carries. Every run appends one row per record whose key
-- changed (or that is new); the latest row per record is its current key.
-- full_refresh is off so that `dbt build --full-refresh` never re-deals keys.
--
-- Rules, applied to each cluster of int_identity__clusters:
--   1. a cluster may keep any key its records already carry; when a key's
--      records now sit in several clusters (a split), the cluster holding most
--      of them keeps it (ties: the cluster whose first record sorts first);
--   2. of the keys a cluster may keep, the oldest survives (earliest
--      key_first_seen_date, then the smallest key); the others are retired and
--      their records move to the survivor: change_reason 'merged';
--   3. a cluster with no key gets a new one: the hash of its anchor record
--      (earliest first_seen_date, then smallest record_uid), so that keys
--      depend on the data only, never on row order or run timing;
--   4. a record that lost every link gets a null key ('unresolved').

with

cluster_records as (

    select * from {{ ref('int_identity__cluster_records') }}

),

-- the register so far (nothing on the first run), read where it is used: a
-- CTE read three times would be copied whole first
{%- set history_relation -%}
    {%- if is_incremental() -%}
        {{ this }}
    {%- else -%}
        (
            select
                cast(null as {{ dbt.type_string() }}) as record_uid,
                cast(null as {{ dbt.type_string() }}) as customer_key,
                cast(null as date) as key_first_seen_date,
                cast(null as {{ dbt.type_int() }}) as run_sequence
            where 1 = 0
        )
    {%- endif -%}
{%- endset %}

this_run as (

    select coalesce(max(history.run_sequence), 0) + 1 as run_sequence
    from {{ history_relation }} as history

),

-- each record's latest key in the register (macro latest_register_rows)
previous as (

    select
        latest.record_uid,
        latest.customer_key,
        latest.key_first_seen_date

    from ({{ latest_register_rows(history_relation) }}) as latest

),

resolved as (

    select
        record_uid,
        record_id,
        cluster_id,
        first_seen_date

    from cluster_records

),

-- every record of this run or of the register: its cluster now and its key
-- before (one join of the two)
record_state as (

    select
        r.cluster_id,
        p.customer_key as previous_customer_key,
        p.key_first_seen_date as previous_key_first_seen_date,
        coalesce(r.record_uid, p.record_uid) as record_uid

    from resolved as r
    full outer join previous as p on r.record_uid = p.record_uid

),

cluster_anchor as (

    select distinct
        cluster_id,
        anchor_record_uid,
        cluster_first_seen_date

    from cluster_records

),

key_claims as (

    select
        cluster_id,
        previous_customer_key as customer_key,
        min(previous_key_first_seen_date) as key_first_seen_date,
        count(*) as records

    from record_state
    where cluster_id is not null and previous_customer_key is not null
    group by 1, 2

),

key_owner as (

    select
        customer_key,
        cluster_id,
        key_first_seen_date

    from (
        select
            c.customer_key,
            c.cluster_id,
            c.key_first_seen_date,
            row_number() over (
                partition by c.customer_key
                order by c.records desc, a.anchor_record_uid asc
            ) as claim_rank
        from key_claims as c
        inner join cluster_anchor as a on c.cluster_id = a.cluster_id
    ) as ranked
    where claim_rank = 1

),

surviving_key as (

    select
        cluster_id,
        customer_key,
        key_first_seen_date

    from (
        select
            cluster_id,
            customer_key,
            key_first_seen_date,
            row_number() over (
                partition by cluster_id
                order by key_first_seen_date asc nulls last, customer_key asc
            ) as age_rank
        from key_owner
    ) as ranked
    where age_rank = 1

),

-- clusters without a key to keep whose new key (the hash of the anchor) some
-- record already had before: they take the '|split' variant instead
taken_new_keys as (

    select a.cluster_id
    from cluster_anchor as a
    left join surviving_key as s on a.cluster_id = s.cluster_id
    where
        s.cluster_id is null
        and {{ dbt.hash('a.anchor_record_uid') }} in (
            select history.customer_key from {{ history_relation }} as history
            where history.customer_key is not null
        )

),

cluster_key as (

    select
        a.cluster_id,
        coalesce(
            s.customer_key,
            case
                when t.cluster_id is null then {{ dbt.hash('a.anchor_record_uid') }}
                else {{ dbt.hash(dbt.concat(['a.anchor_record_uid', "'|split'"])) }}
            end
        ) as customer_key,
        coalesce(s.key_first_seen_date, a.cluster_first_seen_date) as key_first_seen_date

    from cluster_anchor as a
    left join surviving_key as s on a.cluster_id = s.cluster_id
    left join taken_new_keys as t on a.cluster_id = t.cluster_id

),

changes as (

    select
        k.customer_key,
        s.previous_customer_key,
        k.key_first_seen_date,
        s.record_uid,
        case
            when s.previous_customer_key is null then 'new'
            when k.customer_key is null then 'unresolved'
            when o.cluster_id = s.cluster_id then 'merged'
            else 'moved'
        end as change_reason

    from record_state as s
    left join cluster_key as k on s.cluster_id = k.cluster_id
    left join key_owner as o on s.previous_customer_key = o.customer_key
    where
        (k.customer_key is not null or s.previous_customer_key is not null)
        and (
            k.customer_key is null
            or s.previous_customer_key is null
            or k.customer_key <> s.previous_customer_key
        )

),

final as (

    select
        changes.record_uid,
        changes.customer_key,
        changes.previous_customer_key,
        changes.key_first_seen_date,
        changes.change_reason,
        this_run.run_sequence,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as assigned_at

    from changes
    cross join this_run

)

select * from final
