{#-
    No two rows share the same combination of `columns` (a composite business
    key). Rows where any of the columns is null are left to not_null tests.

      data_tests:
        - unique_combination:
            arguments:
              columns: [order_id, order_line]
-#}
{% test unique_combination(model, columns) %}

with

grouped as (

    select
        {{ columns | join(',\n        ') }},
        count(*) as row_count

    from {{ model }}

    group by {{ columns | join(', ') }}

)

select * from grouped
where row_count > 1

{% endtest %}
