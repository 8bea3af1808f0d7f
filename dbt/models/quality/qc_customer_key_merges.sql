{#-
    The frame GX suite marts.customer_key_merges validates (expectations/marts/customer_key_merges.json):
    totals of the key merges, and retired keys still in dim_customers. Columns in _quality__models.yml.
-#}
with

merge_rows as (

    select
        retired_customer_key,
        surviving_customer_key

    from {{ ref('customer_key_merges') }}

),

totals as (

    select
        count(*) as key_merges,
        count(case when retired_customer_key = surviving_customer_key then 1 end) as self_merges

    from merge_rows

),

still_customers as (

    select count(*) as retired_keys_still_customers

    from {{ ref('dim_customers') }} as customers
    inner join merge_rows
        on customers.customer_key = merge_rows.retired_customer_key

)

select
    totals.key_merges,
    totals.self_merges,
    still_customers.retired_keys_still_customers

from totals
cross join still_customers
