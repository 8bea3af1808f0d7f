{#-
    Continuous percentile (linear interpolation between the two nearest values)
    as an aggregate. The ordered-set syntax works on DuckDB, PostgreSQL and
    Snowflake; Spark spells the same exact percentile `percentile(x, p)`.
-#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'vector_crm')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
