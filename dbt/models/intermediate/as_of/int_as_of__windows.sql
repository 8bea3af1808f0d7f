{{ config(materialized='table') }}

{#-
    The as-of date of every segment, value and profitability metric, and the
    window bounds that more than one model uses (one row). The as-of date is
    the var as_of_date when set, else the latest order date of the sales
    order lines (every staged line reaches fct_order_lines, so this is the
    latest date of fct_orders too). Never the wall clock: the same history
    gives the same answer on any day.

    "The window" is the segment_window_days (N) days ending at the as-of date:
    order dates d with 0 <= as_of_date - d < N. Bounds are inclusive dates:
    current window [current_window_start, as_of_date], previous window
    [previous_window_start, previous_window_end], the N days before it.
-#}

-- the two branches render differently, which the layout rule cannot follow
-- noqa: disable=LT02

{%- set as_of_date = var('as_of_date', none) %}
{%- set window_days = var('segment_window_days') | int %}

with

as_of as (

{%- if as_of_date %}

    select cast('{{ as_of_date }}' as date) as as_of_date

{%- else %}

    select max(order_date) as as_of_date

    from {{ ref('stg_sales__order_lines') }}

{%- endif %}

),

final as (

    select
        as_of_date,
        cast({{ window_days }} as {{ dbt.type_int() }}) as window_days,
        cast({{ dbt.dateadd('day', 1 - window_days, 'as_of_date') }} as date) as current_window_start,
        cast({{ dbt.dateadd('day', 1 - 2 * window_days, 'as_of_date') }} as date) as previous_window_start,
        cast({{ dbt.dateadd('day', -window_days, 'as_of_date') }} as date) as previous_window_end

    from as_of

)

select * from final
