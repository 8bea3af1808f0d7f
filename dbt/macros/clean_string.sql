{#-
    A landed text cell as staging keeps it: cast to the engine's string type,
    trimmed, and null when nothing is left. Portable on every engine.
-#}
{% macro clean_string(column_name) -%}
    nullif(trim(cast({{ column_name }} as {{ dbt.type_string() }})), '')
{%- endmacro %}


{#- An allowed-value (enumerated) column: a clean string, lower-cased. -#}
{% macro clean_code(column_name) -%}
    lower({{ clean_string(column_name) }})
{%- endmacro %}
