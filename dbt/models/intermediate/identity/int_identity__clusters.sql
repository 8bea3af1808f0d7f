{{ config(materialized='table') }}

-- Every source record with the cluster (connected component of the identity
-- graph) it belongs to and the rule that ties it in. cluster_id is only
-- meaningful within one run; customer keys that survive runs are assigned by
-- int_identity__key_history.

with

links as (

    select * from {{ ref('int_identity__links') }}

),

records as (

    select * from {{ ref('int_identity__source_records') }}

),

rules as (

    select * from {{ ref('identity_match_rules') }}

),

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}

),

-- only nodes on a link need the graph walk; any other node is its own cluster
linked_nodes as (

    select node_a as node from links
    union
    select node_b as node from links

),

nodes as (

    select
        node,
        row_number() over (order by node) as node_id

    from linked_nodes

),

edges as (

    select
        a.node_id as node_a,
        b.node_id as node_b

    from links as l
    inner join nodes as a on l.node_a = a.node
    inner join nodes as b on l.node_b = b.node

),

{{ connected_components('nodes', 'edges', var('identity_max_iterations')) }},

node_clusters as (

    select
        n.node,
        {{ dbt.concat(["'#'", 'cast(c.component_id as ' ~ dbt.type_string() ~ ')']) }} as cluster_id

    from nodes as n
    inner join cc_{{ var('identity_max_iterations') }} as c on n.node_id = c.node_id

),

-- a record's nodes all sit in one cluster (the record links them to its
-- anchor), so the anchor's cluster is the record's; an anchor on no link is a
-- record's only node, and its own cluster
record_clusters as (

    select
        a.record_uid,
        coalesce(nc.cluster_id, a.anchor_node) as cluster_id

    from {{ ref('int_identity__record_anchors') }} as a
    left join node_clusters as nc on a.anchor_node = nc.node

),

-- how many records carry each node, and which fuzzy rules touch it
node_usage as (

    select
        node,
        count(distinct record_uid) as records
    from record_nodes
    group by 1

),

fuzzy_nodes as (

    select
        node_a as node,
        match_rule
    from links
    where match_rule in ('email_one_edit', 'name_city_birth')
    union
    select
        node_b as node,
        match_rule
    from links
    where match_rule in ('email_one_edit', 'name_city_birth')

),

-- the evidence tying each record to others: identifier types it shares with
-- another record, and fuzzy rules on its nodes; the strongest one names it
record_evidence as (

    select
        rn.record_uid,
        {{ dbt.split_part('rn.node', "':'", 1) }} as match_rule

    from record_nodes as rn
    inner join node_usage as u on rn.node = u.node
    where u.records > 1

    union all

    select
        rn.record_uid,
        f.match_rule

    from record_nodes as rn
    inner join fuzzy_nodes as f on rn.node = f.node

),

record_rule as (

    select
        e.record_uid,
        min(r.priority) as priority

    from record_evidence as e
    inner join rules as r on e.match_rule = r.match_rule
    group by 1

),

final as (

    select
        rec.record_uid,
        rec.source_system,
        rec.source_feed,
        rec.source_record_id,
        rec.first_seen_date,
        rc.cluster_id,
        case
            when rc.record_uid is not null then coalesce(winning_rule.match_rule, 'single_record')
            when rec.has_identifier then 'ambiguous'
            else 'no_identifier'
        end as match_rule

    from records as rec
    left join record_clusters as rc on rec.record_uid = rc.record_uid
    left join record_rule as rr on rec.record_uid = rr.record_uid
    left join rules as winning_rule on rr.priority = winning_rule.priority

)

select * from final
