{#-
    An 8-byte floating-point type. dbt.type_float() is 4-byte on DuckDB and
    Spark (STACK.md), too coarse for sums of squared revenues (the Herfindahl
    index); `double precision` is 8-byte on DuckDB and PostgreSQL, Spark spells
    it `double`.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'vector_crm')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
