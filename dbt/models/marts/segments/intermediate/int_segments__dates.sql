{{ config(materialized='table') }}

{#-
    The dates the segmentation computes in this run, the parameter of every
    int_segments step model: the current as-of date (int_as_of__windows),
    always recomputed, and the month ends of int_segments__month_ends that
    customer_segment_history has not stored yet (all of them on its first
    build, usually none afterwards).

    Why one dates model for both: the current models (int_segments__customers)
    and the monthly history read the same step models, so a month end in the
    history is exactly what the current models say when the as-of date is that
    month end, with one definition of each rule.

    The stored month ends are read from the history table itself (its relation
    from the graph, not ref(): the history is downstream of this model, and
    this is the state it had before the run, as an incremental model reads
    its own table). When the history does not exist yet every month end is new.
-#}

{%- set window_days = var('segment_window_days') | int %}
{%- set history = none %}
{%- if execute %}
    {%- set history_node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'customer_segment_history')
        | first %}
    {%- set history = adapter.get_relation(
        database=history_node.database,
        schema=history_node.schema,
        identifier=history_node.alias
    ) %}
{%- endif %}

with

current_as_of as (

    select as_of_date

    from {{ ref('int_as_of__windows') }}

),

new_month_ends as (

    select month_end

    from {{ ref('int_segments__month_ends') }}
    {%- if history is not none %}
        where month_end > (select max(stored_history.month_end) as last_stored from {{ history }} as stored_history)
    {%- endif %}

),

requested as (

    select
        coalesce(current_as_of.as_of_date, new_month_ends.month_end) as as_of_date,
        current_as_of.as_of_date is not null as is_current,
        new_month_ends.month_end is not null as is_new_month_end

    from current_as_of
    full outer join new_month_ends
        on current_as_of.as_of_date = new_month_ends.month_end

)

select
    as_of_date,
    is_current,
    is_new_month_end,
    -- the year is (window_start, as_of_date]; the previous year is
    -- (previous_window_start, window_start]
    cast({{ dbt.dateadd('day', -window_days, 'as_of_date') }} as date) as window_start,
    cast({{ dbt.dateadd('day', -2 * window_days, 'as_of_date') }} as date) as previous_window_start

from requested
