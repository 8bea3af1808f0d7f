{#- First day of the calendar period (month, quarter, year) holding a date, as a date
    (date_trunc returns a timestamp on some engines). -#}
{% macro period_start(grain, date_expression) -%}
    cast({{ dbt.date_trunc(grain, date_expression) }} as date)
{%- endmacro %}
