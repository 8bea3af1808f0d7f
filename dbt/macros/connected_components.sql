{#-
    Connected components of an undirected graph, in plain SQL, as a chain of CTEs.

    Arguments are the names of two CTEs (or relations) defined before the call:
      nodes: one row per node, column node_id (integer);
      edges: one row per edge, columns node_a, node_b (integers).
    The macro emits CTEs named <prefix>_0 .. <prefix>_<iterations>; the last one,
    <prefix>_<iterations>, has one row per node: node_id, component_id, where
    component_id is the smallest node_id of the node's component.

    Each round is min-label propagation followed by a shortcut:
      1. every node takes the smallest label among itself and its neighbours;
      2. every node takes its label's label (pointer jumping), which halves
         long chains, so a component of diameter d needs about log2(d) + 1 rounds
         instead of d.
    The rounds are unrolled (portable: no recursive CTE, no loop in the engine).
    When `iterations` rounds are not enough some edge still joins two labels;
    the test `identity_components_converged` fails and says to raise the var.
-#}
{% macro connected_components(nodes, edges, iterations, prefix='cc') -%}
    {{ prefix }}_edges as (
        select node_a, node_b from {{ edges }}
        union all
        select node_b as node_a, node_a as node_b from {{ edges }}
    ),

    {{ prefix }}_0 as (
        select node_id, node_id as component_id from {{ nodes }}
    ),
    {%- for i in range(1, iterations + 1) %}

    {{ prefix }}_{{ i }}_neighbours as (
        select
            e.node_a as node_id,
            min(l.component_id) as component_id
        from {{ prefix }}_edges as e
        inner join {{ prefix }}_{{ i - 1 }} as l on e.node_b = l.node_id
        group by e.node_a
    ),

    {{ prefix }}_{{ i }}_hooked as (
        select
            l.node_id,
            case
                when n.component_id < l.component_id then n.component_id
                else l.component_id
            end as component_id
        from {{ prefix }}_{{ i - 1 }} as l
        left join {{ prefix }}_{{ i }}_neighbours as n on l.node_id = n.node_id
    ),

    {{ prefix }}_{{ i }} as (
        select
            h.node_id,
            p.component_id
        from {{ prefix }}_{{ i }}_hooked as h
        inner join {{ prefix }}_{{ i }}_hooked as p on h.component_id = p.node_id
    ){{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
