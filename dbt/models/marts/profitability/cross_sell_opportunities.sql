{#-
    The top var cross_sell_top_n (3) product lines to offer each customer who
    bought in the current window: lines the customer has not bought in the
    window, ranked within the customer's segment. Lines with campaign evidence
    in the segment (at least var cross_sell_min_campaign_members contacted
    members) come first, by campaign success rate; the others follow by their
    penetration in the segment. Ties: penetration, expected gross margin, then
    the line's name. Formulas in _profitability__models.yml.
-#}

{%- set top_n = var('cross_sell_top_n') | int %}

with

customers as (

    select
        customer_key,
        as_of_date,
        segment_code,
        known_product_lines_count

    from {{ ref('customer_product_adoption') }}
    where product_lines_count > 0

),

bought as (

    select
        customer_key,
        product_line

    from {{ ref('int_profitability__customer_lines') }}
    where
        period = 'current'
        and purchase_lines > 0

),

matrix as (

    select * from {{ ref('profitability_matrix') }}

),

-- lines the company sold in the window (the default and pseudo lines are no offer)
offered_lines as (

    select
        product_line,
        gross_margin,
        buying_customers,
        margin_pct

    from {{ ref('profitability_by_product_line') }}
    where
        product_line not in (
            '{{ var("profitability_default_product_line") }}', '{{ var("profitability_no_purchase_line") }}'
        )
        and buying_customers > 0

),

segments as (

    select distinct segment_code from customers

),

segment_lines as (

    select
        segments.segment_code,
        offered_lines.product_line,
        offered_lines.margin_pct as line_margin_pct,
        coalesce(matrix.penetration, 0) as segment_penetration,
        campaigns.contacted_members as campaign_members,
        case
            when campaigns.contacted_members >= {{ var('cross_sell_min_campaign_members') }}
                then campaigns.success_rate
        end as campaign_success_rate,
        case
            when campaigns.contacted_members >= {{ var('cross_sell_min_campaign_members') }}
                then 'campaign_success'
            else 'segment_penetration'
        end as recommendation_basis,
        cast(
            case
                when matrix.buying_customers > 0 then matrix.gross_margin / matrix.buying_customers
                else offered_lines.gross_margin / offered_lines.buying_customers
            end as {{ dbt.type_numeric() }}
        ) as expected_gross_margin

    from segments
    cross join offered_lines
    left join matrix
        on
            segments.segment_code = matrix.segment_code
            and offered_lines.product_line = matrix.product_line
    left join {{ ref('int_profitability__campaign_results') }} as campaigns
        on
            segments.segment_code = campaigns.segment_code
            and offered_lines.product_line = campaigns.product_line

),

segment_ranked as (

    select
        *,
        row_number() over (
            partition by segment_code
            order by
                case when recommendation_basis = 'campaign_success' then 0 else 1 end asc,
                coalesce(campaign_success_rate, 0) desc,
                segment_penetration desc,
                expected_gross_margin desc,
                product_line asc
        ) as segment_rank

    from segment_lines

),

-- a customer needs at most top_n + (lines bought) of the segment's list
candidates as (

    select
        customers.customer_key,
        customers.as_of_date,
        customers.segment_code,
        segment_ranked.product_line,
        segment_ranked.segment_rank,
        segment_ranked.recommendation_basis,
        segment_ranked.campaign_success_rate,
        segment_ranked.campaign_members,
        segment_ranked.segment_penetration,
        segment_ranked.expected_gross_margin,
        segment_ranked.line_margin_pct

    from customers
    inner join segment_ranked
        on
            customers.segment_code = segment_ranked.segment_code
            and segment_ranked.segment_rank <= {{ top_n }} + customers.known_product_lines_count
    left join bought
        on
            customers.customer_key = bought.customer_key
            and segment_ranked.product_line = bought.product_line
    where bought.customer_key is null

),

ranked as (

    select
        *,
        cast(row_number() over (partition by customer_key order by segment_rank) as {{ dbt.type_bigint() }})
            as recommendation_rank

    from candidates

),

final as (

    select
        customer_key,
        product_line,
        recommendation_rank,
        as_of_date,
        segment_code,
        recommendation_basis,
        campaign_success_rate,
        coalesce(campaign_members, 0) as campaign_members,
        cast(segment_penetration as {{ dbt.type_numeric() }}) as segment_penetration,
        expected_gross_margin,
        cast(line_margin_pct as {{ dbt.type_numeric() }}) as line_margin_pct

    from ranked
    where recommendation_rank <= {{ top_n }}

)

select * from final
