{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='campaign_id',
    on_schema_change='fail',
) }}

with

source as (

    {{ admitted_rows('contact_center', 'campaign_members', changed_key='campaign_id') }}

),

renamed as (

    select

        ---------- ids
        {{ clean_string('campaign_id') }} as campaign_id,
        {{ clean_string('customer_id') }} as customer_id,

        ---------- strings
        {{ clean_code('test_group') }} as test_group,
        {{ clean_string('campaign_name') }} as campaign_name,
        {{ clean_code('campaign_type') }} as campaign_type,
        {{ clean_string('product_line') }} as product_line,

        ---------- booleans
        cast(responded as {{ dbt.type_boolean() }}) as has_responded,

        ---------- timestamps
        cast(contacted_at as {{ dbt.type_timestamp() }}) as contacted_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- a member may be sent again (e.g. after responding): newest batch wins
versioned as (

    select
        *,
        {{ latest_version(['campaign_id', 'customer_id']) }} as version_rank

    from renamed

),

final as (

    select
        campaign_id,
        customer_id,
        test_group,
        campaign_name,
        campaign_type,
        product_line,
        has_responded,
        contacted_at,
        _source_file,
        _source_row,
        _batch_id,
        _loaded_at,
        _admitted_at

    from versioned
    where version_rank = 1

)

select * from final
