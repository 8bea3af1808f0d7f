{{ config(materialized='table') }}

-- Every resolved source record with its cluster and its cluster's anchor
-- record, what int_identity__key_history deals keys from. The anchor (rule 3
-- of the key register) is the cluster's earliest record by first_seen_date
-- (nulls last), then the smallest record_uid: a new customer key is the hash
-- of the anchor, so keys depend on the data only, never on row order or run
-- timing. The anchor sorts first by first_seen_date, so its date is the
-- cluster's earliest one: one ranking, no second window for the minimum.

with

clusters as (

    select * from {{ ref('int_identity__clusters') }}

),

records as (

    select * from {{ ref('int_identity__source_records') }}

),

resolved as (

    select
        r.record_uid,
        r.record_id,
        c.cluster_id,
        r.first_seen_date,
        row_number() over (
            partition by c.cluster_id
            order by r.first_seen_date asc nulls last, r.record_uid asc
        ) as anchor_rank

    from clusters as c
    inner join records as r on c.record_id = r.record_id
    where c.cluster_id is not null

),

anchors as (

    select
        cluster_id,
        record_uid as anchor_record_uid,
        first_seen_date as cluster_first_seen_date

    from resolved
    where anchor_rank = 1

),

final as (

    select
        resolved.record_uid,
        resolved.record_id,
        resolved.cluster_id,
        resolved.first_seen_date,
        anchors.anchor_record_uid,
        anchors.cluster_first_seen_date

    from resolved
    inner join anchors on resolved.cluster_id = anchors.cluster_id

)

select * from final
