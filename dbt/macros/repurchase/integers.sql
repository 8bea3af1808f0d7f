{#-
    The integers 0 .. 10^digits - 1 as a column `n`, from cross joins of ten
    literal rows: a portable number table (no generate_series, no recursive
    CTE, no dbt.date_spine, which queries the warehouse at compile time).
-#}
{% macro integers(digits=4) -%}
    select
        {%- for position in range(digits) %}
        {% if not loop.first %}+ {% endif %}d{{ position }}.digit * {{ 10 ** position }}
        {%- endfor %} as n
    from
        {%- for position in range(digits) %}
        (
            {%- for digit in range(10) %}
            select {{ digit }} as digit{% if not loop.last %} union all{% endif %}
            {%- endfor %}
        ) as d{{ position }}{% if not loop.last %}
        cross join{% endif %}
        {%- endfor %}
{%- endmacro %}
