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

{#-
    A double-precision result as dbt.type_numeric(), rounded the same way on every
    engine. Casting a double straight to 6 decimals rounds a value that lies on a
    half (an allocation of cents by whole lines often does) by its binary
    neighbour on DuckDB (14.1534374999… → …437) but by its shortest decimal
    form on PostgreSQL and Spark (14.1534375 → …438). Going through 12 decimals
    first gives every engine the same exact decimal, which then rounds once.
-#}
{% macro double_to_numeric(expression) -%}
    cast(cast({{ expression }} as decimal(38, 12)) as {{ dbt.type_numeric() }})
{%- endmacro %}
