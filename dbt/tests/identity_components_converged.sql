{#-
    connected_components ran enough rounds: no link of the identity graph joins
    two different clusters. When this fails, raise the var identity_max_iterations.
-#}
with

nodes as (

    select distinct
        n.node_id,
        c.cluster_id

    from {{ ref('int_identity__record_nodes') }} as n
    inner join {{ ref('int_identity__clusters') }} as c on n.record_id = c.record_id

),

final as (

    select
        l.node_a,
        l.node_b,
        l.match_rule,
        a.cluster_id as cluster_a,
        b.cluster_id as cluster_b

    from {{ ref('int_identity__links') }} as l
    inner join nodes as a on l.node_a = a.node_id
    inner join nodes as b on l.node_b = b.node_id
    where a.cluster_id <> b.cluster_id

)

select * from final
