{#-
    The model represents exactly as many rows as another relation: every
    source row reaches the model once, none is dropped or duplicated.
    `expression` and `compare_expression` default to count(*); pass e.g.
    'count(distinct order_id)' for a roll-up, or 'sum(events)' for a model
    whose rows each stand for several source rows. Fails with one row
    (both counts) when they differ; null counts as 0.

      data_tests:
        - row_count_equals:
            arguments:
              compare_model: ref('stg_sales__order_lines')
              compare_expression: count(distinct order_id)
-#}
{% test row_count_equals(model, compare_model, expression='count(*)', compare_expression='count(*)') %}

with

model_count as (

    select coalesce({{ expression }}, 0) as row_count
    from {{ model }}

),

compare_count as (

    select coalesce({{ compare_expression }}, 0) as row_count
    from {{ compare_model }}

),

final as (

    select
        model_count.row_count as model_rows,
        compare_count.row_count as compare_rows

    from model_count
    cross join compare_count
    where model_count.row_count <> compare_count.row_count

)

select * from final

{% endtest %}
