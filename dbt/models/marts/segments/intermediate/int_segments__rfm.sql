{{ config(materialized='table') }}

{#-
    Step 5 of the segmentation, RFM at the current as-of date only (the
    monthly history does not store it, so its month ends skip three window
    sorts each): one row per buyer of int_segments__value with at least one
    order day in the year (frequency > 0), scored by macro tile_score among
    those customers: recency (fewest days since the last order scores 5),
    frequency (order days in the year) and monetary (revenue_year) quintiles,
    ties sharing a score. The ranks run on these narrow rows and are joined
    back by int_segments__segments.
-#}

with

scored_customers as (

    select
        buyers.as_of_date,
        buyers.customer_id,
        buyers.recency_days,
        buyers.frequency,
        buyers.revenue_year

    from {{ ref('int_segments__value') }} as buyers
    inner join {{ ref('int_segments__dates') }} as as_of_dates
        on buyers.as_of_date = as_of_dates.as_of_date
    where
        as_of_dates.is_current
        and buyers.customer_id is not null
        and buyers.frequency > 0

),

ranks as (

    select
        as_of_date,
        customer_id,
        rank() over (partition by as_of_date order by recency_days desc) as recency_rank,
        rank() over (partition by as_of_date order by frequency) as frequency_rank,
        rank() over (partition by as_of_date order by revenue_year) as monetary_rank,
        count(*) over (partition by as_of_date) as rfm_scored_customers

    from scored_customers

)

select
    as_of_date,
    customer_id,
    {{ vector_crm.tile_score('recency_rank', 'rfm_scored_customers') }} as r_score,
    {{ vector_crm.tile_score('frequency_rank', 'rfm_scored_customers') }} as f_score,
    {{ vector_crm.tile_score('monetary_rank', 'rfm_scored_customers') }} as m_score

from ranks
