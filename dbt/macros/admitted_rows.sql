{#-
    The rows of a raw feed that staging may read: those of batches (landed
    files) whose newest verdict admits them (stg_lake__admitted_batches). A
    batch held back by an error rule of the feed's GX raw suite, or not judged
    yet, stays out, whatever loads after it; it enters when a person accepts it
    (its verdict becomes `accepted`). A corrected re-send is a new batch of its
    own and replaces the held rows by business key.

      source as (
          {{ admitted_rows('sales', 'order_lines') }}
      ),
-#}
{% macro admitted_rows(source_name, table_name) -%}
    select * from {{ source(source_name, table_name) }}
    where _batch_id in (
        select admitted.batch_id
        from {{ ref('stg_lake__admitted_batches') }} as admitted
        where admitted.feed = '{{ source_name }}/{{ table_name }}'
    )
{%- endmacro %}
