{#-
    Service cases, conformed: one row per case_id of stg_contact_center__cases,
    with the customer's key, resolution time and service-level outcome.

    is_closed   the case has a closed_at (status closed or cancelled)
    met_sla     closed on or before sla_due_at: true; closed after it: false;
                null while open, for cancelled cases and without an SLA due
                time (an open case is not judged: the fact does not depend on
                when it is built)
    The contact's raw email and phone stay in staging.
    Incremental (macros/incremental.sql): a build replaces the cases that
    batches not built yet carry, and those whose customer
    got another key.
-#}

{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='case_id',
    on_schema_change='fail',
) }}

with

cases as (

    select * from {{ ref('stg_contact_center__cases') }}
    {%- if is_incremental() %}
        where
            case_id in ({{ keys_admitted_since_last_build('case_id', ref('stg_contact_center__cases')) }})
            or case_id in ({{ rekeyed('case_id', 'case_id', 'contact_center', 'cases') }})
    {%- endif %}

),

identity_map as (

    select
        source_record_id,
        customer_key

    from {{ ref('customer_identity_map') }}
    where
        source_system = 'contact_center'
        and source_feed = 'cases'

),

measured as (

    select
        *,
        closed_at is not null as is_closed,
        case
            when closed_at is not null
                then {{ dbt.datediff('opened_at', 'closed_at', 'second') }}
        end as resolution_seconds,
        case
            when closed_at is null or sla_due_at is null or status = 'cancelled' then null
            else closed_at <= sla_due_at
        end as met_sla

    from cases

),

final as (

    select
        coalesce(identity_map.customer_key, '{{ var("missing_customer_key") }}') as customer_key,
        measured.case_id,
        measured.case_type,
        measured.category,
        measured.priority,
        measured.status,
        coalesce(measured.is_escalated, false) as is_escalated,
        measured.opened_at,
        cast(measured.opened_at as date) as opened_date,
        measured.closed_at,
        measured.sla_due_at,
        measured.is_closed,
        cast(measured.resolution_seconds as {{ dbt.type_bigint() }}) as resolution_seconds,
        cast(
            cast(measured.resolution_seconds as {{ dbt.type_numeric() }}) / 3600 as {{ dbt.type_numeric() }}
        ) as resolution_hours,
        measured.met_sla,
        measured._source_file,
        measured._batch_id,
        measured._admitted_at

    from measured
    left join identity_map
        on measured.case_id = identity_map.source_record_id

)

select * from final
