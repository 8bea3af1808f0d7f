{#-
    The frame GX suite marts.customer_profitability validates (expectations/marts/customer_profitability.json):
    totals of customer profitability and its identities. Columns in _quality__models.yml.
-#}
{#- a cent of tolerance: the parts are rounded to 6 decimals each -#}
select
    count(*) as customers,
    count(
        case when abs(net_contribution - (gross_margin - cost_to_serve)) > 0.01 then 1 end
    ) as contribution_not_adding_up,
    count(case when cost_to_serve < 0 then 1 end) as negative_cost_to_serve,
    count(
        case
            when abs(cost_to_serve - (contact_cost + handle_time_cost + order_cost + return_cost)) > 0.01
                then 1
        end
    ) as cost_parts_not_adding_up,
    sum(net_revenue) as net_revenue

from {{ ref('customer_profitability') }}
