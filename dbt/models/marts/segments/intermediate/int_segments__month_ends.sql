{{ config(materialized='table') }}

{#-
    Month ends at which customer_segment_history takes its monthly picture:
    the last day of every month that has at least one order line (so at least
    one order in fct_orders), up to and including the as-of date (a month whose
    end is after the as-of date is not over yet).
-#}

with

order_months as (

    select distinct cast({{ dbt.last_day('order_date', 'month') }} as date) as month_end

    from {{ ref('stg_sales__order_lines') }}

)

select order_months.month_end

from order_months
cross join {{ ref('int_as_of__windows') }} as as_of
where order_months.month_end <= as_of.as_of_date
