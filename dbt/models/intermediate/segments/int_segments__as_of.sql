{{ config(materialized='table') }}

{#-
    The as-of date of every segment and value metric (one row): the var
    as_of_date when set, else the latest order date in fct_orders. Never the
    wall clock, so the same history gives the same answer on any day.
-#}

-- depends_on: {{ ref('fct_orders') }}
-- the two branches render differently, which the layout rule cannot follow
-- noqa: disable=LT02

{%- set as_of_date = var('as_of_date', none) %}

{%- if as_of_date %}

select cast('{{ as_of_date }}' as date) as as_of_date

{%- else %}

select max(order_date) as as_of_date

from {{ ref('fct_orders') }}

{%- endif %}
