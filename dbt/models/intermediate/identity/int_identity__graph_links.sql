{{ config(materialized='table') }}

-- The links the graph walk needs: those that can join two records. A node that
-- one record carries (not as its anchor) and that no fuzzy rule touches hangs
-- off that record's anchor alone, so its link is left out (about half of L's
-- links). A table, not a view: on Spark the walk's rounds are materialised
-- from it (macros/connected_components.sql).

with

node_usage as (

    select
        node_id,
        count(*) as records
    from {{ ref('int_identity__record_nodes') }}
    group by 1

),

fuzzy_nodes as (

    select node_a as node_id
    from {{ ref('int_identity__fuzzy_links') }}
    union
    select node_b as node_id
    from {{ ref('int_identity__fuzzy_links') }}

),

leaf_nodes as (

    select u.node_id
    from node_usage as u
    left join fuzzy_nodes as f on u.node_id = f.node_id
    where u.records = 1 and f.node_id is null

),

final as (

    select
        l.node_a,
        l.node_b

    from {{ ref('int_identity__links') }} as l
    left join leaf_nodes as leaf on l.node_b = leaf.node_id
    where leaf.node_id is null

)

select * from final
