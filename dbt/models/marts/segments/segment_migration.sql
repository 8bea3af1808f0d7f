{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns'
    )
}}

{#-
    How customers move between segments from one month end of
    customer_segment_history to the next: one row per month end, segment at the
    previous month end and segment at this one (stayers included, so the rows
    of a month add up to every customer of either month). A customer first seen
    during the month comes from '(none)'; one whose key was retired by a merge
    goes to '(none)'. Incremental: the history never changes a stored month,
    so a run only adds the months after the last one here, reading the history
    from that month on.
-#}

-- the is_incremental() branches confuse the layout rule
-- noqa: disable=LT02
with

{%- if is_incremental() %}

stored as (

    select coalesce(max(month_end), cast('1900-01-01' as date)) as last_month_end

    from {{ this }}

),
{%- endif %}

month_pairs as (

    select
        month_end,
        lag(month_end) over (order by month_end) as previous_month_end

    from (
        select distinct history.month_end
        from {{ ref('customer_segment_history') }} as history
        {%- if is_incremental() %}
        inner join stored
            on history.month_end >= stored.last_month_end
        {%- endif %}
    ) as months

),

-- the months to add: every month with a previous one, or only those after the
-- last stored month
new_months as (

    select
        month_pairs.month_end,
        month_pairs.previous_month_end

    from month_pairs
    {%- if is_incremental() %}
    inner join stored
        on month_pairs.month_end > stored.last_month_end
    {%- endif %}
    where month_pairs.previous_month_end is not null

),

{%- for side, month_column in [('after', 'month_end'), ('before', 'previous_month_end')] %}

-- every customer at the {{ 'month end' if side == 'after' else 'previous month end' }} of each new month
-- (the history is read by each side, not shared: a shared 27M-row read is
-- copied; only the columns the join must carry: the previous month end and the
-- stages are looked up after the count, on its few rows)
customers_{{ side }} as (

    select
        new_months.month_end,
        history.customer_key,
        history.segment_code,
        history.revenue_year

    from new_months
    inner join {{ ref('customer_segment_history') }} as history
        on new_months.{{ month_column }} = history.month_end

),
{%- endfor %}

-- each customer of either month end once: a stay or a move, an entry ('(none)'
-- before: first seen during the month) or an exit ('(none)' after: merged away)
moves as (

    select
        customers_before.revenue_year as revenue_year_before,
        customers_after.revenue_year as revenue_year_after,
        coalesce(customers_after.month_end, customers_before.month_end) as month_end,
        coalesce(customers_before.segment_code, '(none)') as from_segment_code,
        coalesce(customers_after.segment_code, '(none)') as to_segment_code

    from customers_after
    full outer join customers_before
        on
            customers_after.month_end = customers_before.month_end
            and customers_after.customer_key = customers_before.customer_key

),

move_counts as (

    select
        month_end,
        from_segment_code,
        to_segment_code,
        count(*) as customers,
        sum(revenue_year_before) as revenue_year_before,
        sum(revenue_year_after) as revenue_year_after

    from moves

    group by 1, 2, 3

)

-- a segment code's stage is its fifth and last character, the stage letter
-- (grammar in customer_segments)
select
    move_counts.month_end,
    new_months.previous_month_end,
    move_counts.from_segment_code,
    move_counts.to_segment_code,
    coalesce(stages_before.lifecycle_stage, '(none)') as from_lifecycle_stage,
    coalesce(stages_after.lifecycle_stage, '(none)') as to_lifecycle_stage,
    move_counts.from_segment_code <> move_counts.to_segment_code as is_move,
    move_counts.customers,
    cast(coalesce(move_counts.revenue_year_before, 0) as {{ dbt.type_numeric() }}) as revenue_year_before,
    cast(coalesce(move_counts.revenue_year_after, 0) as {{ dbt.type_numeric() }}) as revenue_year_after

from move_counts
inner join new_months
    on move_counts.month_end = new_months.month_end
left join {{ ref('lifecycle_stages') }} as stages_before
    on
        move_counts.from_segment_code <> '(none)'
        and {{ dbt.right('move_counts.from_segment_code', 1) }} = stages_before.stage_letter
left join {{ ref('lifecycle_stages') }} as stages_after
    on
        move_counts.to_segment_code <> '(none)'
        and {{ dbt.right('move_counts.to_segment_code', 1) }} = stages_after.stage_letter
