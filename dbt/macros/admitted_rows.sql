{#-
    The rows of a raw feed that staging may read: those of batches (landed
    files) whose newest verdict admits them (stg_lake__admitted_batches), with
    the verdict's time as _admitted_at. A batch held back by an error rule of
    the feed's GX raw suite, or not judged yet, stays out, whatever loads after
    it; it enters when a person accepts it (its verdict becomes `accepted`). A
    corrected re-send is a new batch of its own and replaces the held rows by
    business key.

    changed_key (a raw column): in an incremental build, only the rows whose
    cleaned key a batch the table has not built carries (macros/incremental.sql);
    every admitted version of such a key is read, so it is ranked again in full.

      source as (
          {{ admitted_rows('sales', 'order_lines', changed_key='order_id') }}
      ),
-#}
{% macro admitted_rows(source_name, table_name, changed_key=none) -%}
    {%- set feed = source_name ~ '/' ~ table_name -%}
    select
        raw.*,
        admitted.judged_at as _admitted_at
    from {{ source(source_name, table_name) }} as raw
    inner join {{ ref('stg_lake__admitted_batches') }} as admitted
        on raw._batch_id = admitted.batch_id
    where
        admitted.feed = '{{ feed }}'
        {%- if changed_key and is_incremental() %}
        and {{ clean_string('raw.' ~ changed_key) }} in (
            select {{ clean_string('fresh.' ~ changed_key) }}
            from {{ source(source_name, table_name) }} as fresh
            inner join {{ ref('stg_lake__admitted_batches') }} as fresh_batches
                on fresh._batch_id = fresh_batches.batch_id
            where
                fresh_batches.feed = '{{ feed }}'
                and {{ not_built_yet('fresh_batches.batch_id', 'fresh_batches.judged_at') }}
        )
        {%- endif %}
{%- endmacro %}
