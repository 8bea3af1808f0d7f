{#-
    The frame GX suite marts.segment_migration validates (expectations/marts/segment_migration.json):
    each month end's moves against the segment history. Columns in _quality__models.yml.
-#}
with

moves as (

    select
        month_end,
        sum(case when to_segment_code <> '(none)' then customers end) as customers_after,
        min(customers) as min_customers

    from {{ ref('segment_migration') }}

    group by 1

),

history as (

    select
        month_end,
        count(*) as customers

    from {{ ref('customer_segment_history') }}

    group by 1

)

select
    moves.month_end,
    moves.min_customers,
    moves.customers_after - history.customers as difference_with_history

from moves
inner join history on moves.month_end = history.month_end
