{#-
    Incremental builds by admission (docs/DECISIONLOG.md, "Incremental by admission").

    A batch enters staging when its verdict admits it (stg_lake__admitted_batches.judged_at,
    kept on every staged row as _admitted_at). An incremental model remembers how far it got
    as the latest _admitted_at in its own table; the next build reads the business keys that
    batches admitted after that (less var admission_lookback_hours) touch, recomputes those
    keys from everything admitted, and replaces them (delete+insert on the key). A late or
    corrected record is an ordinary new batch: its key is recomputed, and the newest version
    wins exactly as in a full build. Spark has no delete+insert on Parquet tables: there the
    models stay full builds (incremental_materialization).
-#}

{#- 'incremental', or 'table' on engines without delete+insert (Spark). -#}
{% macro incremental_materialization() %}
    {{- return(adapter.dispatch('incremental_materialization', 'vector_crm')()) -}}
{% endmacro %}

{% macro default__incremental_materialization() %}{{ return('incremental') }}{% endmacro %}

{% macro spark__incremental_materialization() %}{{ return('table') }}{% endmacro %}


{#-
    The admission time from which an incremental build of `relation` re-reads: the latest
    _admitted_at it holds, less the lookback. The lookback covers a verdict committed while a
    build was reading (its judged_at then precedes rows already processed); re-reading a key
    twice is harmless. An empty table re-reads everything.
-#}
{% macro admission_watermark(relation=this) -%}
    (
        select
            {{ dbt.dateadd(
                'hour',
                -1 * var('admission_lookback_hours'),
                "coalesce(max(_admitted_at), cast('1900-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ "))"
            ) }}
        from {{ relation }}
    )
{%- endmacro %}


{#-
    The keys (column `key`) that rows of `changed_from` admitted since this model's
    watermark carry: a staging model, or a fact for the models built on it.
-#}
{% macro keys_admitted_since_last_build(key, changed_from) -%}
    select changed.{{ key }}
    from {{ changed_from }} as changed
    where changed._admitted_at > {{ admission_watermark() }}
{%- endmacro %}


{#-
    The keys (column `key`) of this fact's rows whose source record (column `record_id`,
    customer_identity_map.source_record_id of `source_system`/`source_feed`) now has another
    customer key than the row holds: identity resolution merged or re-dealt it. The pairs
    (record, key) are read once each, so a fact with many rows per record reads one per record.
-#}
{% macro rekeyed(key, record_id, source_system, source_feed) -%}
    select held.{{ key }}
    from {{ this }} as held
    where held.{{ record_id }} in (
        select pairs.{{ record_id }}
        from (
            select distinct
                {{ record_id }},
                customer_key
            from {{ this }}
        ) as pairs
        left join {{ ref('customer_identity_map') }} as identity_map
            on
                pairs.{{ record_id }} = identity_map.source_record_id
                and identity_map.source_system = '{{ source_system }}'
                and identity_map.source_feed = '{{ source_feed }}'
        where pairs.customer_key <> coalesce(identity_map.customer_key, '{{ var("missing_customer_key") }}')
    )
{%- endmacro %}
