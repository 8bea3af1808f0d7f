{{ config(materialized='table') }}

-- Each record's anchor: the first of its nodes (smallest node id). The record
-- links its other nodes to it (int_identity__links), so the anchor's cluster
-- is the record's.

with

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}

),

final as (

    select
        record_id,
        min(node_id) as anchor_node_id,
        count(*) as nodes

    from record_nodes
    group by 1

)

select * from final
