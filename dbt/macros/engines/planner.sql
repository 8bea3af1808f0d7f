{#-
    What PostgreSQL's planner needs to plan this warehouse's queries well (a
    pre-hook and a post-hook of every model, dbt_project.yml). DuckDB and Spark
    (adaptive execution) need neither.

    The warehouse has no indexes: every join is a hash or merge join over whole
    tables, and a nested loop is only ever chosen because the planner believes
    an input is a handful of rows. It believes so of a table that `create table
    as` has just written (no statistics until autovacuum comes by, minutes
    later) and of a CTE with several filters, and it is then wrong by orders of
    magnitude: identity resolution's self-joins (name_city_birth, email blocks)
    became nested loops over all pairs, quadratic in the customers.
-#}

{#- Pre-hook: no nested loops for the model's statement (set local: until its transaction commits). -#}
{% macro planner_settings() %}
    {{- return(adapter.dispatch('planner_settings', 'vector_crm')()) -}}
{% endmacro %}

{% macro default__planner_settings() %}{% endmacro %}

{% macro postgres__planner_settings() %}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        set local enable_nestloop = off
    {%- endif -%}
{% endmacro %}


{#- Post-hook: fresh statistics of the table the model just wrote, for the models that read it. -#}
{% macro analyze_table() %}
    {{- return(adapter.dispatch('analyze_table', 'vector_crm')()) -}}
{% endmacro %}

{% macro default__analyze_table() %}{% endmacro %}

{% macro postgres__analyze_table() %}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{% endmacro %}
