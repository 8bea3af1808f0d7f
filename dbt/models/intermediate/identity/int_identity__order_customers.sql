{{ config(materialized='table') }}

-- One row per customer number the order lines reference, with its first and
-- last order date: what identity resolution knows of an order-lines record. A
-- table of its own because int_identity__observations is ephemeral, inlined
-- into both int_identity__source_records and int_identity__record_identifiers:
-- computed there, this group-by over every order line would run twice.

select
    customer_id,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date

from {{ ref('stg_sales__order_lines') }}

group by 1
