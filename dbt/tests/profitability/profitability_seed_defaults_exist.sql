{#-
    The profitability seeds keep their fallback rows: product_lines has the row of
    var profitability_default_product_line (the margin rate of lines without cost
    whose product line is missing or unlisted), and channel_costs has an any/any
    row for each of the four cost drivers (the unit cost of channels it does not
    list). Returns the missing defaults.
-#}

with

expected as (

    select
        'product_lines' as seed_name,
        '{{ var("profitability_default_product_line") }}' as default_row
    {%- for driver in ['contact', 'handle_minute', 'order', 'return'] %}
        union all
        select
            'channel_costs' as seed_name,
            '{{ driver }}' as default_row
    {%- endfor %}

),

present as (

    select
        'product_lines' as seed_name,
        product_line as default_row
    from {{ ref('product_lines') }}
    where product_line = '{{ var("profitability_default_product_line") }}'

    union all

    select
        'channel_costs' as seed_name,
        cost_driver as default_row
    from {{ ref('channel_costs') }}
    where channel = 'any' and direction = 'any'

)

select expected.*

from expected
left join present
    on expected.seed_name = present.seed_name and expected.default_row = present.default_row
where present.seed_name is null
