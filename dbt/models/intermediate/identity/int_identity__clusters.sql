{{ config(materialized='table', post_hook="{{ drop_connected_components_rounds() }}") }}

-- Every source record (by record_id) with the cluster (connected component of
-- the identity graph) it belongs to and the rule that ties it in. cluster_id
-- is only meaningful within one run (an integer node id); customer keys that
-- survive runs are assigned by int_identity__key_history. The graph walk runs
-- on the integer node ids of int_identity__links. Only integers and the rule
-- are stored: the record's text is in int_identity__source_records.

-- links and record nodes are read where they are used: a CTE read several
-- times would be copied whole first
with

records as (

    select * from {{ ref('int_identity__source_records') }}

),

rules as (

    select * from {{ ref('identity_match_rules') }}

),

-- how many records carry each node (a record carries a node once), and which
-- fuzzy rules touch it
node_usage as (

    select
        node_id,
        count(*) as records
    from {{ ref('int_identity__record_nodes') }}
    group by 1

),

fuzzy_nodes as (

    select
        node_a as node_id,
        match_rule
    from {{ ref('int_identity__fuzzy_links') }}
    union
    select
        node_b as node_id,
        match_rule
    from {{ ref('int_identity__fuzzy_links') }}

),

-- the walk over the links that can join two records; any node off it is in
-- its anchor's cluster, or its own
{{ connected_components(ref('int_identity__graph_links'), var('identity_max_iterations')) }},

-- a record's nodes all sit in one cluster (the record links them to its
-- anchor), so the anchor's cluster is the record's; an anchor off the walk
-- (no link, or only links to leaves) is its own cluster
record_clusters as (

    select
        a.record_id,
        coalesce(c.component_id, a.anchor_node_id) as cluster_id

    from {{ ref('int_identity__record_anchors') }} as a
    left join cc_{{ var('identity_max_iterations') }} as c on a.anchor_node_id = c.node_id

),

-- the evidence tying each record to others: identifier types it shares with
-- another record, and fuzzy rules on its nodes; the strongest one names it
record_evidence as (

    select
        rn.record_id,
        rn.identifier_type as match_rule

    from {{ ref('int_identity__record_nodes') }} as rn
    inner join node_usage as u on rn.node_id = u.node_id
    where u.records > 1

    union all

    select
        rn.record_id,
        f.match_rule

    from {{ ref('int_identity__record_nodes') }} as rn
    inner join fuzzy_nodes as f on rn.node_id = f.node_id

),

record_rule as (

    select
        e.record_id,
        min(r.priority) as priority

    from record_evidence as e
    inner join rules as r on e.match_rule = r.match_rule
    group by 1

),

final as (

    select
        rec.record_id,
        rc.cluster_id,
        case
            when rc.record_id is not null then coalesce(winning_rule.match_rule, 'single_record')
            when rec.has_identifier then 'ambiguous'
            else 'no_identifier'
        end as match_rule

    from records as rec
    left join record_clusters as rc on rec.record_id = rc.record_id
    left join record_rule as rr on rec.record_id = rr.record_id
    left join rules as winning_rule on rr.priority = winning_rule.priority

)

select * from final
