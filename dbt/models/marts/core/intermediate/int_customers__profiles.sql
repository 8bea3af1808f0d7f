{{ config(materialized='table') }}

{#-
    One row per customer (the missing member excluded) with what segmentation
    needs of dim_customers, and customer_id: a dense integer standing for
    customer_key inside the segment computations. Joins, sorts and windows over
    tens of millions of customer-dates run several times faster on an integer
    than on the 32-character key. customer_id is numbered anew on every build;
    it never leaves the intermediate layer (marts carry customer_key).

    The static part of the profile is resolved here: the type letter, the
    region group (seed region_groups, X when unknown) and a company's activity
    group (seed economic_activity_groups, 0 when unknown). A person's age band
    depends on the as-of date and is computed by int_segments__profiles.
-#}

select
    customers.customer_key,
    customers.customer_type,
    customers.birth_year,
    customers.first_seen_date,
    row_number() over (order by customers.customer_key) as customer_id,
    case customers.customer_type
        when 'person' then 'P'
        when 'company' then 'C'
        else 'U'
    end as type_letter,
    coalesce(region_groups.region_group_code, 'X') as region_group_code,
    case
        when customers.customer_type = 'company' then coalesce(activity_groups.activity_code, '0')
    end as activity_code

from {{ ref('dim_customers') }} as customers
left join {{ ref('region_groups') }} as region_groups
    on customers.region = region_groups.region
left join {{ ref('economic_activity_groups') }} as activity_groups
    on customers.economic_activity = activity_groups.economic_activity
where not customers.is_missing_member
