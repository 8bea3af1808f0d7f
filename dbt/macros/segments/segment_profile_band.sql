{#-
    A customer's profile band at a date: a person's age band at `as_of_column`
    (var age_band_edges: band k when the age is below the k-th edge, 0 when the
    birth year is unknown), a company's activity group, 0 otherwise.
    `profiles` is an alias carrying customer_type, birth_year and activity_code
    (int_segments__profiles).
-#}
{% macro segment_profile_band(as_of_column, profiles, age_band_edges) -%}
    case
        when {{ profiles }}.customer_type = 'person' then
            case
                when {{ profiles }}.birth_year is null then '0'
                {%- for edge in age_band_edges %}
                when extract(year from {{ as_of_column }}) - {{ profiles }}.birth_year < {{ edge }}
                    then '{{ loop.index }}'
                {%- endfor %}
                else '{{ age_band_edges | length + 1 }}'
            end
        when {{ profiles }}.customer_type = 'company' then {{ profiles }}.activity_code
        else '0'
    end
{%- endmacro %}
