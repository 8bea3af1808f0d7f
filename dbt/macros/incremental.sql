{#-
    Incremental builds by admission (docs/DECISIONLOG.md, "Incremental by admission").

    A batch enters staging when its verdict admits it (stg_lake__admitted_batches.judged_at,
    kept on every staged row as _admitted_at). An incremental build reads the business keys
    that batches its table does not hold yet carry, among those admitted after the latest
    _admitted_at it holds less var admission_lookback_hours; recomputes those keys from
    everything admitted; and replaces them (delete+insert on the key). A late or
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
    The admission time after which an incremental build of `relation` looks for batches it
    has not built: the latest _admitted_at it holds, less the lookback. The lookback covers a
    verdict that became visible after a build had read the verdicts although its judged_at
    precedes others that build saw (seconds, while its file was written); it also bounds how
    far back a batch whose rows all lost to newer versions is read again (harmless, as is
    every re-read). An empty table reads everything.
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
    The batches this model's table already holds rows of. A batch that is not among them
    has not been built yet, or every row of it lost to a newer version.
-#}
{% macro built_batches() -%}
    select distinct built._batch_id
    from {{ this }} as built
{%- endmacro %}


{#-
    `where` condition, the one rule of what is new to this model: a batch (`batch_id`) this
    table has not built, admitted (`admitted_at`) after its watermark, whenever it was loaded.
-#}
{% macro not_built_yet(batch_id, admitted_at) -%}
    {{ admitted_at }} > {{ admission_watermark() }}
    and {{ batch_id }} not in ({{ built_batches() }})
{%- endmacro %}


{#-
    The keys (column `key`) that rows of `changed_from` (a staging model, or a fact for the
    models built on it) carry from batches not built yet.
-#}
{% macro keys_admitted_since_last_build(key, changed_from) -%}
    select changed.{{ key }}
    from {{ changed_from }} as changed
    where {{ not_built_yet('changed._batch_id', 'changed._admitted_at') }}
{%- endmacro %}


{#-
    The keys (column `key`) of this fact's rows whose source record (column `record_id`,
    customer_identity_map.source_record_id of `source_system`/`source_feed`) now has another
    customer key than the row holds: identity resolution merged or re-dealt it. The pairs
    (record, key) are read once each, so a fact with many rows per record reads one per record;
    the fact is read a second time only when its key is not the record (an order's lines).
-#}
{% macro rekeyed(key, record_id, source_system, source_feed) -%}
    {%- set records -%}
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
    {%- endset -%}
    {%- if key == record_id -%}
        {{ records }}
    {%- else %}
    select held.{{ key }}
    from {{ this }} as held
    where held.{{ record_id }} in ({{ records }})
    {%- endif %}
{%- endmacro %}
