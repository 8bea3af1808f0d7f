{{ config(materialized='table') }}

{#-
    Every customer's segmentation as of the as-of date (one row per customer
    known by then): the single source of customer_rfm, customer_lifecycle,
    customer_value, customer_segments and segment_summary. The logic is macro
    segment_customers, shared with customer_segment_history.
-#}

{{ vector_crm.segment_customers('select as_of_date from ' ~ ref('int_as_of__windows')) }}
