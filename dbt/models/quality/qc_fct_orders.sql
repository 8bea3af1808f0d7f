{#-
    The frame GX suite marts.fct_orders validates (expectations/marts/fct_orders.json):
    totals, shares and rates of the orders. Columns in _quality__models.yml.
-#}
{%- set missing_key = "'" ~ var('missing_customer_key') ~ "'" %}

with

totals as (

    select
        count(*) as orders,
        sum(net_revenue) as net_revenue,
        sum(gross_margin) as gross_margin,
        avg(
            case when customer_key = {{ missing_key }} then 1.0 when not (customer_key = {{ missing_key }}) then 0.0 end
        ) as missing_customer_share,
        avg(
            case when is_paid then 1.0 when not (is_paid) then 0.0 end
        ) as paid_share

    from {{ ref('fct_orders') }}

)

select
    orders,
    net_revenue,
    gross_margin,
    missing_customer_share,
    paid_share,
    cast(gross_margin as {{ vector_crm.type_double() }}) / nullif(net_revenue, 0) as margin_rate

from totals
