{#-
    Integrity: the segment card counts every customer exactly once. The sum of
    segment_summary.records equals the customers of dim_customers known by the
    as-of date (the missing member excluded). Returns a row when they differ.
-#}

with

card as (

    select sum(records) as records from {{ ref('segment_summary') }}

),

customers as (

    select count(*) as customers

    from {{ ref('dim_customers') }} as dim_customers
    cross join {{ ref('int_as_of__windows') }} as as_of
    where
        not dim_customers.is_missing_member
        and dim_customers.first_seen_date <= as_of.as_of_date

)

select
    card.records,
    customers.customers

from card
cross join customers
where card.records <> customers.customers
