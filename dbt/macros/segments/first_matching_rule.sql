{#-
    For each code of `codes` (a query with column `code_column`), the
    `value_column` of the first row of seed `rules` whose `pattern_column` (a
    SQL LIKE pattern, `_` = any one character) matches it, by the seed's
    priority (lower wins; ties by pattern). Used for segment names and activity
    minimums: analysts name one code or a whole family in one seed row.
-#}
{% macro first_matching_rule(codes, code_column, rules, pattern_column, value_column) %}
    select
        {{ code_column }},
        {{ value_column }}

    from (
        select
            codes.{{ code_column }},
            rules.{{ value_column }},
            row_number() over (
                partition by codes.{{ code_column }}
                order by rules.priority, rules.{{ pattern_column }}
            ) as rule_rank

        from ({{ codes }}) as codes
        inner join {{ rules }} as rules
            on codes.{{ code_column }} like rules.{{ pattern_column }}
    ) as ranked_matches

    where rule_rank = 1
{% endmacro %}
