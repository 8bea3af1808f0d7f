{#-
    numerator / denominator as dbt.type_numeric(), null when the denominator is
    not positive (zero, negative or null). The division is done in double
    precision and rounded once, by the final cast: integer counts never divide
    as integers (7 / 2 is 3 on PostgreSQL), and no engine rounds twice (Spark
    divides decimals at a scale of its own, then the cast rounds again, which
    moved the sixth decimal). A zero denominator gives null instead of DuckDB's
    inf or another engine's error. See double_to_numeric for the rounding.
-#}
{% macro positive_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then {{ vector_crm.double_to_numeric(
                'cast(' ~ numerator ~ ' as ' ~ vector_crm.type_double() ~ ') / ' ~ denominator
            ) }}
    end
{%- endmacro %}
