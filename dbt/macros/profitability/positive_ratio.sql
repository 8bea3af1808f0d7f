{#-
    numerator / denominator as dbt.type_numeric(), null when the denominator is
    not positive (zero, negative or null). The numerator is cast to numeric
    first, so integer counts never divide as integers (7 / 2 is 3 on
    PostgreSQL), and a zero denominator gives null instead of DuckDB's inf or
    another engine's error.
-#}
{% macro positive_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then cast(cast({{ numerator }} as {{ dbt.type_numeric() }}) / {{ denominator }} as {{ dbt.type_numeric() }})
    end
{%- endmacro %}
