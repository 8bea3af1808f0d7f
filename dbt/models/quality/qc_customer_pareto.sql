{#-
    The frame GX suite marts.customer_pareto validates (expectations/marts/customer_pareto.json):
    customers of each ABC class. Columns in _quality__models.yml.
-#}
select
    abc_class,
    count(*) as customers,
    count(
        case
            when (abc_class = 'D' and net_contribution >= 0) or (abc_class <> 'D' and net_contribution < 0)
                then 1
        end
    ) as class_d_mismatch,
    max(cumulative_share) as max_cumulative_share,
    cast(count(*) as {{ vector_crm.type_double() }}) / nullif(sum(count(*)) over (), 0) as share_of_customers

from {{ ref('customer_pareto') }}

group by 1
