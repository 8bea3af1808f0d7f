{#-
    What an engine needs before the build (dbt_project.yml on-run-start).
    PostgreSQL: fuzzystrmatch for levenshtein (identity resolution's fuzzy rules;
    it ships with PostgreSQL's contrib modules). Others: nothing.
-#}
{% macro engine_setup() -%}
    {{ return(adapter.dispatch('engine_setup', 'vector_crm')()) }}
{%- endmacro %}

{% macro default__engine_setup() -%}
    select 1
{%- endmacro %}

{% macro postgres__engine_setup() -%}
    create extension if not exists fuzzystrmatch
{%- endmacro %}
