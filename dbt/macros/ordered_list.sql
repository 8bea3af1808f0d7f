{#-
    The values of a group joined into one text, in the order of `order_by` (an
    expression; ties by the value). dbt's listagg on Spark ignores the order, so
    Spark sorts an array of (key, value) pairs instead.
-#}
{% macro ordered_list(value, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_list', 'vector_crm')(value, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list(value, delimiter, order_by) -%}
    {{ dbt.listagg(value, delimiter, 'order by ' ~ order_by ~ ', ' ~ value) }}
{%- endmacro %}

{% macro spark__ordered_list(value, delimiter, order_by) -%}
    array_join(
        transform(array_sort(collect_list(named_struct('k', {{ order_by }}, 'v', {{ value }}))), x -> x.v),
        {{ delimiter }}
    )
{%- endmacro %}
