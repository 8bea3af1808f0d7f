-- One row per customer: the golden record. Survivorship rules (documented in
-- _customers__models.yml):
--   * descriptive attributes come from the ERP master only, each the most
--     recently updated non-null value (int_customers__erp_golden);
--   * email and phone take the value of the highest-priority source in the
--     seed customer_contact_survivorship, most recent non-null within it;
--   * contact fields and documents leave as keyed hashes (HMAC) and masks.
-- Plus the missing member, that facts point at when the customer is unknown.

-- int_identity__record_keys is read where it is used (resolved records only):
-- a CTE read twice would be copied whole first
with

-- each customer's email and phone: of the sources in the seed
-- customer_contact_survivorship, the highest-priority one, most recent value
-- within it (ties: the smallest value), as one aggregate per customer
contacts as (

    select
        k.customer_key,
        {{ first_contact('i.identifier_value', 's.priority', 'i.observed_at', "i.identifier_type = 'email'") }}
            as email,
        {{ first_contact('i.identifier_value', 's.priority', 'i.observed_at', "i.identifier_type = 'phone'") }}
            as phone

    from {{ ref('int_identity__record_identifiers') }} as i
    inner join {{ ref('int_identity__record_keys') }} as k on k.is_resolved and i.record_id = k.record_id
    inner join {{ ref('customer_contact_survivorship') }} as s
        on i.identifier_type = s.identifier_type and k.source_feed = s.source_feed
    -- only emails and phones count (first_contact's conditions); said here too, the
    -- identifiers are narrowed before the join to the keys, not after it
    where i.identifier_type in ('email', 'phone')
    group by 1

),

customers as (

    select
        customer_key,
        min(first_seen_date) as first_seen_date,
        count(*) as source_records,
        max(case when source_system = 'sales' then 1 else 0 end) as in_sales,
        max(case when source_system = 'contact_center' then 1 else 0 end) as in_contact_center,
        max(case when source_system = 'web' then 1 else 0 end) as in_web

    from {{ ref('int_identity__record_keys') }}
    where is_resolved
    group by 1

),

golden as (

    select
        c.customer_key,
        false as is_missing_member,
        case
            when erp.is_company then 'company'
            when erp.is_company = false then 'person'
            else 'unknown'
        end as customer_type,
        {{ mask_name('erp.name_normalized') }} as customer_name_masked,
        {{ pii_hash('erp.document_number') }} as document_hash,
        {{ pii_hash('contacts.email') }} as email_hash,
        {{ mask_email('contacts.email') }} as email_masked,
        {{ pii_hash('contacts.phone') }} as phone_hash,
        {{ mask_phone('contacts.phone') }} as phone_masked,
        cast(extract(year from erp.birth_date) as {{ dbt.type_int() }}) as birth_year,
        erp.economic_activity,
        erp.city,
        erp.region,
        erp.primary_customer_number,
        coalesce(erp.erp_customer_numbers, 0) as erp_customer_numbers,
        erp.erp_created_date,
        c.first_seen_date,
        trim(
            {{ dbt.concat([
                "case when c.in_sales = 1 then 'sales ' else '' end",
                "case when c.in_contact_center = 1 then 'contact_center ' else '' end",
                "case when c.in_web = 1 then 'web' else '' end"
            ]) }}
        ) as sources_present_list,
        c.source_records

    from customers as c
    left join {{ ref('int_customers__erp_golden') }} as erp on c.customer_key = erp.customer_key
    left join contacts on c.customer_key = contacts.customer_key

),

missing_member as (

    select
        '{{ var("missing_customer_key") }}' as customer_key,
        true as is_missing_member,
        'unknown' as customer_type,
        cast(null as {{ dbt.type_string() }}) as customer_name_masked,
        cast(null as {{ dbt.type_string() }}) as document_hash,
        cast(null as {{ dbt.type_string() }}) as email_hash,
        cast(null as {{ dbt.type_string() }}) as email_masked,
        cast(null as {{ dbt.type_string() }}) as phone_hash,
        cast(null as {{ dbt.type_string() }}) as phone_masked,
        cast(null as {{ dbt.type_int() }}) as birth_year,
        cast(null as {{ dbt.type_string() }}) as economic_activity,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as primary_customer_number,
        0 as erp_customer_numbers,
        cast(null as date) as erp_created_date,
        cast(null as date) as first_seen_date,
        '' as sources_present_list,
        0 as source_records

),

unioned as (

    select * from golden
    union all
    select * from missing_member

),

final as (

    select
        customer_key,
        is_missing_member,
        customer_type,
        customer_name_masked,
        document_hash,
        email_hash,
        email_masked,
        phone_hash,
        phone_masked,
        birth_year,
        economic_activity,
        city,
        region,
        primary_customer_number,
        erp_customer_numbers,
        erp_created_date,
        first_seen_date,
        source_records,
        replace(sources_present_list, ' ', ',') as sources_present

    from unioned

)

select * from final
