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

history as (

    select history.*

    from {{ ref('customer_segment_history') }} as history
    {%- if is_incremental() %}
    inner join stored
        on history.month_end >= stored.last_month_end
    {%- endif %}

),

month_pairs as (

    select
        month_end,
        lag(month_end) over (order by month_end) as previous_month_end

    from (select distinct month_end from history) as months

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

moves as (

    select
        new_months.month_end,
        new_months.previous_month_end,
        coalesce(history_before.segment_code, '(none)') as from_segment_code,
        coalesce(history_after.segment_code, '(none)') as to_segment_code,
        coalesce(history_before.lifecycle_stage, '(none)') as from_lifecycle_stage,
        coalesce(history_after.lifecycle_stage, '(none)') as to_lifecycle_stage,
        history_before.revenue_year as revenue_year_before,
        history_after.revenue_year as revenue_year_after

    from new_months
    inner join history as history_after
        on new_months.month_end = history_after.month_end
    left join history as history_before
        on
            new_months.previous_month_end = history_before.month_end
            and history_after.customer_key = history_before.customer_key

    union all

    -- customers of the previous month end missing from this one (merged away)
    select
        new_months.month_end,
        new_months.previous_month_end,
        history_before.segment_code as from_segment_code,
        '(none)' as to_segment_code,
        history_before.lifecycle_stage as from_lifecycle_stage,
        '(none)' as to_lifecycle_stage,
        history_before.revenue_year as revenue_year_before,
        cast(null as {{ dbt.type_numeric() }}) as revenue_year_after

    from new_months
    inner join history as history_before
        on new_months.previous_month_end = history_before.month_end
    left join history as history_after
        on
            new_months.month_end = history_after.month_end
            and history_before.customer_key = history_after.customer_key
    where history_after.customer_key is null

)

select
    month_end,
    previous_month_end,
    from_segment_code,
    to_segment_code,
    from_lifecycle_stage,
    to_lifecycle_stage,
    from_segment_code <> to_segment_code as is_move,
    count(*) as customers,
    cast(coalesce(sum(revenue_year_before), 0) as {{ dbt.type_numeric() }}) as revenue_year_before,
    cast(coalesce(sum(revenue_year_after), 0) as {{ dbt.type_numeric() }}) as revenue_year_after

from moves

group by 1, 2, 3, 4, 5, 6, 7
