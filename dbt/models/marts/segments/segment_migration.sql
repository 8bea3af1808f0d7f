{#-
    How customers move between segments from one month end of
    customer_segment_history to the next: one row per month end, segment at the
    previous month end and segment at this one (stayers included, so the rows
    of a month add up to every customer of either month). A customer first seen
    during the month comes from '(none)'; one whose key was retired by a merge
    goes to '(none)'.
-#}

with

history as (

    select * from {{ ref('customer_segment_history') }}

),

month_pairs as (

    select
        month_end,
        lag(month_end) over (order by month_end) as previous_month_end

    from (select distinct month_end from history) as months

),

moves as (

    select
        month_pairs.month_end,
        month_pairs.previous_month_end,
        coalesce(history_before.segment_code, '(none)') as from_segment_code,
        coalesce(history_after.segment_code, '(none)') as to_segment_code,
        coalesce(history_before.lifecycle_stage, '(none)') as from_lifecycle_stage,
        coalesce(history_after.lifecycle_stage, '(none)') as to_lifecycle_stage,
        history_before.revenue_year as revenue_year_before,
        history_after.revenue_year as revenue_year_after

    from month_pairs
    inner join history as history_after
        on month_pairs.month_end = history_after.month_end
    left join history as history_before
        on
            month_pairs.previous_month_end = history_before.month_end
            and history_after.customer_key = history_before.customer_key
    where month_pairs.previous_month_end is not null

    union all

    -- customers of the previous month end missing from this one (merged away)
    select
        month_pairs.month_end,
        month_pairs.previous_month_end,
        history_before.segment_code as from_segment_code,
        '(none)' as to_segment_code,
        history_before.lifecycle_stage as from_lifecycle_stage,
        '(none)' as to_lifecycle_stage,
        history_before.revenue_year as revenue_year_before,
        cast(null as {{ dbt.type_numeric() }}) as revenue_year_after

    from month_pairs
    inner join history as history_before
        on month_pairs.previous_month_end = history_before.month_end
    left join history as history_after
        on
            month_pairs.month_end = history_after.month_end
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
