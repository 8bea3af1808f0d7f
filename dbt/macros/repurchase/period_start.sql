{#- First day of the calendar period (month, quarter, year) holding a date, as a date
    (date_trunc returns a timestamp on some engines). -#}
{% macro period_start(grain, date_expression) -%}
    cast({{ dbt.date_trunc(grain, date_expression) }} as date)
{%- endmacro %}

{#- Months in one period of a grain. Period arithmetic is done in months on every engine:
    PostgreSQL has no 'quarter' interval, and dbt-spark's dateadd renders `n + 1 * 3`
    without parentheses and its quarter datediff counts one period too many. -#}
{% macro period_months(grain) -%}
    {{ return({'month': 1, 'quarter': 3, 'year': 12}[grain]) }}
{%- endmacro %}

{#- The date `n` periods after a date (n: a SQL expression). -#}
{% macro period_add(grain, n, date_expression) -%}
    {{ dbt.dateadd('month', '(' ~ n ~ ') * ' ~ period_months(grain), date_expression) }}
{%- endmacro %}

{#- Whole periods from one period start to a later one (exact: both are period starts). -#}
{% macro periods_between(grain, first_start, last_start) -%}
    {#- parenthesised: dbt-spark's datediff is a sum of two case expressions #}
    cast(({{ dbt.datediff(first_start, last_start, 'month') }}) / {{ period_months(grain) }} as {{ dbt.type_bigint() }})
{%- endmacro %}
