{#-
    The raw lake's lineage columns (dagster_project.contracts.base.LINEAGE_COLUMNS),
    cast with dbt's portable types: where each staged row came from, and when
    its batch was admitted (_admitted_at, from admitted_rows).
-#}
{% macro lineage_columns() -%}
    cast(_source_file as {{ dbt.type_string() }}) as _source_file,
    cast(_source_row as {{ dbt.type_bigint() }}) as _source_row,
    cast(_batch_id as {{ dbt.type_string() }}) as _batch_id,
    cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at,
    cast(_admitted_at as {{ dbt.type_timestamp() }}) as _admitted_at
{%- endmacro %}
