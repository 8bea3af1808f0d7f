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

{#-
    Spark: the lake stays Parquet. Each source table (the generated sources YAML,
    meta.lake_path) becomes an external table raw.<source>__<feed> over its folder,
    with the contract's column types, so a feed without data files still has its
    columns and part files written before a column existed read it as null. Dropped
    and made again at every build: it is metadata only, and Spark then lists the
    folder afresh (a new batch is read without a refresh).
-#}
{% macro spark__engine_setup() -%}
    {%- if execute -%}
        {#- where Spark reads the data directory: the same path, or (a cluster) VECTOR_CRM_SPARK_LAKE -#}
        {%- set root = env_var('VECTOR_CRM_SPARK_LAKE', env_var('VECTOR_CRM_DATA_DIR')) -%}
        {#- not `create database if not exists`: Hive's metastore logs an error with a trace for it -#}
        {%- if run_query("show databases like 'raw'") | length == 0 -%}
            {%- do run_query('create database raw') -%}
        {%- endif -%}
        {%- for node in graph.sources.values() if node.meta.lake_path -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do columns.append(column.name ~ ' ' ~ spark_type(column.data_type)) -%}
            {%- endfor -%}
            {%- do run_query('drop table if exists raw.' ~ node.identifier) -%}
            {%- do run_query(
                'create table raw.' ~ node.identifier ~ ' (' ~ columns | join(', ') ~ ')'
                ~ " using parquet options (recursiveFileLookup 'true')"
                ~ " location '" ~ root ~ '/' ~ node.meta.lake_path ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- A contract type (DuckDB's spelling) in Spark's; the lake's timestamps carry no zone. -#}
{% macro spark_type(duckdb_type) -%}
    {%- set t = duckdb_type | lower -%}
    {{- {'varchar': 'string', 'integer': 'int', 'timestamp': 'timestamp'}.get(t, t) -}}
{%- endmacro %}

{#-
    How a mart that is a view on DuckDB and PostgreSQL is materialised: a table on
    Spark, where the steps after dbt read each mart from its Parquet folder (a view
    has none; dagster_project/engines/spark.py).
-#}
{% macro mart_view() -%}
    {{ return('table' if target.type == 'spark' else 'view') }}
{%- endmacro %}
