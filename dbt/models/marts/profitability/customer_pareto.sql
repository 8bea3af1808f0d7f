{#-
    Pareto (ABC) class of every customer by net contribution in the current
    window. Customers rank from the highest contribution; tied customers share
    their rank and their cumulative contribution (the window's range frame
    counts all peers), hence their class, whatever the row order. A customer is
    A while the customers ranked above them contribute less than pareto_a_share
    of the total (so the customer who reaches or crosses the share is still A),
    B likewise below pareto_b_share. Classes are decided by comparing amounts
    (contribution above < share x total), never a rounded ratio, so a
    customer exactly at the boundary is classed the same on any engine.
    Formulas in _profitability__models.yml.
-#}

with

customers as (

    select
        customer_key,
        as_of_date,
        segment_code,
        customer_type,
        net_revenue,
        gross_margin,
        cost_to_serve,
        net_contribution

    from {{ ref('customer_profitability') }}

),

ranked as (

    select
        *,
        rank() over (order by net_contribution desc) as pareto_rank,
        -- customers at or above this one, ties included (one sort for both windows)
        count(*) over (
            order by net_contribution desc
            range between unbounded preceding and current row
        ) as customers_at_or_above,
        -- positive contribution of every customer at or above this one (ties included)
        sum(case when net_contribution > 0 then net_contribution else 0 end) over (
            order by net_contribution desc
            range between unbounded preceding and current row
        ) as cumulative_contribution,
        sum(case when net_contribution > 0 then net_contribution else 0 end) over () as total_positive_contribution

    from customers

),

-- contribution of the customers strictly above: the cumulative minus this
-- customer's tie group (customers_at_or_above - pareto_rank + 1 customers of
-- this value)
above as (

    select
        *,
        cumulative_contribution
        - case
            when net_contribution > 0
                then net_contribution * (customers_at_or_above - pareto_rank + 1)
            else 0
        end as contribution_above

    from ranked

),

final as (

    select
        customer_key,
        as_of_date,
        segment_code,
        customer_type,
        net_revenue,
        gross_margin,
        cost_to_serve,
        net_contribution,
        cast(pareto_rank as {{ dbt.type_bigint() }}) as pareto_rank,
        case
            when net_contribution >= 0 then cast(cumulative_contribution as {{ dbt.type_numeric() }})
        end as cumulative_contribution,
        case
            when net_contribution >= 0
                then {{ vector_crm.positive_ratio('cumulative_contribution', 'total_positive_contribution') }}
        end as cumulative_share,
        case
            when net_contribution < 0 then 'D'
            when net_contribution = 0 then 'C'
            when
                contribution_above
                < {{ var('pareto_a_share') }} * cast(total_positive_contribution as {{ dbt.type_numeric() }})
                then 'A'
            when
                contribution_above
                < {{ var('pareto_b_share') }} * cast(total_positive_contribution as {{ dbt.type_numeric() }})
                then 'B'
            else 'C'
        end as abc_class

    from above

)

select * from final
