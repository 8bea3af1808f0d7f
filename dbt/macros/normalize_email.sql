{#-
    Email as a matching key: trimmed, lower-cased, null when empty.
    The default implementation is portable (DuckDB, PostgreSQL, Spark); the
    dispatch lets an engine with a different collation or function override it.
-#}
{% macro normalize_email(column_name) -%}
    {{ return(adapter.dispatch('normalize_email', 'vector_crm')(column_name)) }}
{%- endmacro %}

{% macro default__normalize_email(column_name) -%}
    nullif(lower(trim(cast({{ column_name }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}
