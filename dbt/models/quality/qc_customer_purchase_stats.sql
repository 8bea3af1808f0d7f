{#-
    The frame GX suite marts.customer_purchase_stats validates (expectations/marts/customer_purchase_stats.json):
    totals of the purchase cards. Columns in _quality__models.yml.
-#}
select
    count(*) as buyers,
    min(order_days) as min_order_days,
    count(case when last_order_date < first_order_date then 1 end) as last_before_first,
    count(
        case when days_since_last_order < 0 or days_to_second_order < 0 or median_gap_days < 0 then 1 end
    ) as negative_days,
    count(
        case
            when (is_repeat_customer and order_days < 2) or (not is_repeat_customer and order_days >= 2)
                then 1
        end
    ) as repeat_flag_wrong,
    count(case when orders < order_days then 1 end) as fewer_orders_than_days

from {{ ref('customer_purchase_stats') }}
