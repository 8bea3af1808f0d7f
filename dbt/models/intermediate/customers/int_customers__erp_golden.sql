{{ config(materialized='table') }}

{%- set erp_attributes = [
    'name_normalized', 'document_number', 'is_company', 'birth_date',
    'economic_activity', 'city', 'region'
] -%}

-- The ERP master's side of each customer's golden record (dim_customers): one
-- row per customer with at least one resolved ERP record. Descriptive
-- attributes come from the ERP master only (the one source that has them); when
-- a customer has several ERP records, each attribute takes the most recently
-- updated non-null value. Raw values (name, document, birth date): this model
-- stays in the intermediate layer; dim_customers hashes and masks them. A
-- table, so that its key tests read it instead of ranking every record again.

with

erp_records as (

    select
        k.customer_key,
        c.customer_id,
        r.name_normalized,
        r.document_number,
        c.is_company,
        c.birth_date,
        c.economic_activity,
        c.city,
        c.region,
        c.created_date,
        c.updated_at

    from {{ ref('stg_sales__customers') }} as c
    inner join {{ ref('int_identity__record_keys') }} as k
        on k.is_resolved and k.source_feed = 'customers' and c.customer_id = k.source_record_id
    -- normalised once, by identity resolution
    inner join {{ ref('int_identity__source_records') }} as r on k.record_id = r.record_id

),

erp_summary as (

    select
        customer_key,
        count(*) as erp_customer_numbers,
        min(created_date) as erp_created_date,
        min(customer_id) as primary_customer_number

    from erp_records
    group by 1

),

erp_ranked as (

    select
        *,
        row_number() over (
            partition by customer_key
            order by updated_at desc nulls last, created_date desc nulls last, customer_id desc
        ) as recency

    from erp_records

),

-- customers with several ERP records (duplicate registrations) look further
-- than the latest record for each attribute: its most recent non-null value
multi_erp_records as (

    select r.*
    from erp_ranked as r
    inner join erp_summary as s on r.customer_key = s.customer_key
    where s.erp_customer_numbers > 1

),

{% for attribute in erp_attributes %}
    {{ attribute }}_ranked as (

        select
            customer_key,
            {{ attribute }},
            row_number() over (partition by customer_key order by recency) as non_null_recency

        from multi_erp_records
        where {{ attribute }} is not null

    ),

{% endfor %}

-- the attribute loops render a select list and joins the layout rule cannot follow
-- noqa: disable=LT02
erp_golden as (

    select
        latest.customer_key,
        {%- for attribute in erp_attributes %}
        coalesce({{ attribute }}_ranked.{{ attribute }}, latest.{{ attribute }})
            as {{ attribute }}{{ ',' if not loop.last }}
        {%- endfor %}

    from erp_ranked as latest
    {%- for attribute in erp_attributes %}
    left join {{ attribute }}_ranked
        on
            latest.customer_key = {{ attribute }}_ranked.customer_key
            and {{ attribute }}_ranked.non_null_recency = 1
    {%- endfor %}
    where latest.recency = 1

)
-- noqa: enable=LT02

select
    erp_golden.customer_key,
    erp_golden.name_normalized,
    erp_golden.document_number,
    erp_golden.is_company,
    erp_golden.birth_date,
    erp_golden.economic_activity,
    erp_golden.city,
    erp_golden.region,
    erp_summary.primary_customer_number,
    erp_summary.erp_customer_numbers,
    erp_summary.erp_created_date

from erp_golden
inner join erp_summary on erp_golden.customer_key = erp_summary.customer_key
