{#-
    Connected components of an undirected graph, in plain SQL, as a chain of CTEs.

    Arguments are the names of two CTEs (or relations) defined before the call:
      nodes: one row per node, column node_id (integer);
      edges: one row per edge, columns node_a, node_b (integers).
    The macro emits CTEs named <prefix>_...; the last one, <prefix>_<iterations>,
    has one row per node: node_id, component_id, where component_id is the
    smallest node_id of the node's component.

    Each round works on the graph the round before left (contraction):
      1. hook: every node takes the smallest id among itself and its neighbours;
      2. jump: every node takes its label's label (pointer jumping), which halves
         long chains;
      3. contract: every edge is replaced by the edge between its ends' labels;
         edges inside one label go, duplicates go.
    So the first round walks the whole graph and later rounds only what is still
    unjoined (on L data a few per cent of it). A node's label only ever gets
    smaller and the smallest node of a component always keeps its own id, so once
    no edge is left every node's label is its component's smallest node_id.
    The labels of the rounds are then composed, from the last round down, into
    one label per node (one join over all nodes, the others over the small
    later graphs).
    The rounds are unrolled (portable: no recursive CTE, no loop in the engine).
    When `iterations` rounds are not enough some edge still joins two labels;
    the test `identity_components_converged` fails and says to raise the var.
-#}
{% macro connected_components(nodes, edges, iterations, prefix='cc') -%}
    {{ prefix }}_edges_0 as (
        select node_a, node_b from {{ edges }}
        where node_a <> node_b
        union all
        select node_b as node_a, node_a as node_b from {{ edges }}
        where node_a <> node_b
    ),
    {%- for i in range(1, iterations + 1) %}

    {{ prefix }}_hook_{{ i }} as (
        select
            node_a as node_id,
            case when min(node_b) < node_a then min(node_b) else node_a end as label
        from {{ prefix }}_edges_{{ i - 1 }}
        group by node_a
    ),

    {{ prefix }}_label_{{ i }} as (
        select
            h.node_id,
            p.label
        from {{ prefix }}_hook_{{ i }} as h
        inner join {{ prefix }}_hook_{{ i }} as p on h.label = p.node_id
    ),

    {{ prefix }}_edges_{{ i }} as (
        select distinct
            a.label as node_a,
            b.label as node_b
        from {{ prefix }}_edges_{{ i - 1 }} as e
        inner join {{ prefix }}_label_{{ i }} as a on e.node_a = a.node_id
        inner join {{ prefix }}_label_{{ i }} as b on e.node_b = b.node_id
        where a.label <> b.label
    ),
    {%- endfor %}

    {{ prefix }}_composed_{{ iterations }} as (
        select node_id, label from {{ prefix }}_label_{{ iterations }}
    ),
    {%- for i in range(iterations - 1, 0, -1) %}

    {{ prefix }}_composed_{{ i }} as (
        select
            l.node_id,
            coalesce(c.label, l.label) as label
        from {{ prefix }}_label_{{ i }} as l
        left join {{ prefix }}_composed_{{ i + 1 }} as c on l.label = c.node_id
    ),
    {%- endfor %}

    {{ prefix }}_{{ iterations }} as (
        select
            n.node_id,
            coalesce(c.label, n.node_id) as component_id
        from {{ nodes }} as n
        left join {{ prefix }}_composed_1 as c on n.node_id = c.node_id
    )
{%- endmacro %}
