{#-
    Connected components of an undirected graph, in plain SQL, as a chain of CTEs.

    Argument edges: a relation with one row per edge, columns node_a, node_b
    (integers); the graph's nodes are the edges' ends. The macro emits CTEs named
    <prefix>_...; the last one, <prefix>_<iterations>, has one row per node:
    node_id, component_id, where component_id is the smallest node_id of the
    node's component.

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
    Spark inlines every CTE at each use, so a round that reads the round before
    three times makes the plan grow threefold per round (planning time with it;
    measured in docs/DECISIONLOG.md). There each round's edges and labels are materialised as
    tables <model>__<prefix>_<step>_<i> while the model compiles (run_query), and
    the rounds stop early once no edge is left; the post-hook
    drop_connected_components_rounds removes them.
    When `iterations` rounds are not enough some edge still joins two labels;
    the test `identity_components_converged` fails and says to raise the var.
-#}
{% macro connected_components(edges, iterations, prefix='cc') -%}
    {{ return(adapter.dispatch('connected_components', 'vector_crm')(edges, iterations, prefix)) }}
{%- endmacro %}

{#- one round's three steps, each reading the step before (names of CTEs or tables) -#}
{% macro cc_hook(edges) -%}
    select
        node_a as node_id,
        case when min(node_b) < node_a then min(node_b) else node_a end as label
    from {{ edges }}
    group by node_a
{%- endmacro %}

{% macro cc_label(hook) -%}
    select
        h.node_id,
        p.label
    from {{ hook }} as h
    inner join {{ hook }} as p on h.label = p.node_id
{%- endmacro %}

{% macro cc_contract(edges, label) -%}
    select distinct
        a.label as node_a,
        b.label as node_b
    from {{ edges }} as e
    inner join {{ label }} as a on e.node_a = a.node_id
    inner join {{ label }} as b on e.node_b = b.node_id
    where a.label <> b.label
{%- endmacro %}

{% macro cc_both_ways(edges) -%}
    select node_a, node_b from {{ edges }}
    where node_a <> node_b
    union all
    select node_b as node_a, node_a as node_b from {{ edges }}
    where node_a <> node_b
{%- endmacro %}

{#- a round's labels: the CTE <prefix>_label_<i>, or on Spark its table -#}
{% macro cc_labels(prefix, i, tables) -%}
    {{ cc_table(prefix, 'label', i) if tables else prefix ~ '_label_' ~ i }}
{%- endmacro %}

{% macro cc_table(prefix, step, i) -%}
    {{ this.schema }}.{{ this.identifier }}__{{ prefix }}_{{ step }}_{{ i }}
{%- endmacro %}

{#- the rounds' labels composed, from the last round down, into one label per node -#}
{% macro cc_compose(edges, rounds, iterations, prefix, tables=false) -%}
    {{ prefix }}_composed_{{ rounds }} as (
        select node_id, label from {{ cc_labels(prefix, rounds, tables) }}
    ),
    {%- for i in range(rounds - 1, 0, -1) %}

    {{ prefix }}_composed_{{ i }} as (
        select
            l.node_id,
            coalesce(c.label, l.label) as label
        from {{ cc_labels(prefix, i, tables) }} as l
        left join {{ prefix }}_composed_{{ i + 1 }} as c on l.label = c.node_id
    ),
    {%- endfor %}

    {{ prefix }}_nodes as (
        select node_a as node_id from {{ edges }}
        union
        select node_b as node_id from {{ edges }}
    ),

    {{ prefix }}_{{ iterations }} as (
        select
            n.node_id,
            coalesce(c.label, n.node_id) as component_id
        from {{ prefix }}_nodes as n
        left join {{ prefix }}_composed_1 as c on n.node_id = c.node_id
    )
{%- endmacro %}

{% macro default__connected_components(edges, iterations, prefix) -%}
    {{ prefix }}_edges_0 as (
        {{ cc_both_ways(edges) }}
    ),
    {%- for i in range(1, iterations + 1) %}

    {{ prefix }}_hook_{{ i }} as (
        {{ cc_hook(prefix ~ '_edges_' ~ (i - 1)) }}
    ),

    {{ prefix }}_label_{{ i }} as (
        {{ cc_label(prefix ~ '_hook_' ~ i) }}
    ),

    {{ prefix }}_edges_{{ i }} as (
        {{ cc_contract(prefix ~ '_edges_' ~ (i - 1), prefix ~ '_label_' ~ i) }}
    ),
    {%- endfor %}

    {{ cc_compose(edges, iterations, iterations, prefix) }}
{%- endmacro %}

{% macro spark__connected_components(edges, iterations, prefix) -%}
    {%- set rounds = namespace(done=iterations) -%}
    {%- if execute -%}
        {%- do drop_connected_components_rounds(prefix) -%}
        {%- set first_edges = cc_table(prefix, 'edges', 0) -%}
        {%- do run_query('create table ' ~ first_edges ~ ' using parquet as ' ~ cc_both_ways(edges)) -%}
        {%- for i in range(1, iterations + 1) if rounds.done == iterations -%}
            {%- set steps = [
                ('hook', cc_hook(cc_table(prefix, 'edges', i - 1))),
                ('label', cc_label(cc_table(prefix, 'hook', i))),
                ('edges', cc_contract(cc_table(prefix, 'edges', i - 1), cc_table(prefix, 'label', i))),
            ] -%}
            {%- for step, sql in steps -%}
                {%- do run_query('create table ' ~ cc_table(prefix, step, i) ~ ' using parquet as ' ~ sql) -%}
            {%- endfor -%}
            {%- if run_query('select count(*) from ' ~ cc_table(prefix, 'edges', i)).columns[0].values()[0] == 0 -%}
                {%- set rounds.done = i -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ cc_compose(edges, rounds.done, iterations, prefix, tables=true) }}
{%- endmacro %}

{#- Spark: remove the rounds' tables (before the walk, and as the model's post-hook) -#}
{% macro drop_connected_components_rounds(prefix='cc') -%}
    {%- if execute and target.type == 'spark' -%}
        {%- set pattern = this.identifier ~ '__' ~ prefix ~ '_*' -%}
        {%- for table in run_query('show tables in ' ~ this.schema ~ " like '" ~ pattern ~ "'").columns[1].values() -%}
            {%- do run_query('drop table if exists ' ~ this.schema ~ '.' ~ table) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
