{#-
    For each date of `dates` (a relation or CTE with as_of_date, is_current and
    `date_column`), every customer's latest int_customers__order_days row on or
    before that date's `date_column`: the running totals at that date (used by
    int_segments__purchases at the as-of date and at the window starts).
-#}
{% macro segment_latest_order_row(date_column, dates='as_of_dates') %}
    select
        dates.as_of_date,
        dates.is_current,
        order_days.customer_id,
        order_days.order_date,
        order_days.first_order_day,
        order_days.last_order_day,
        order_days.last_return_day,
        order_days.cum_order_days,
        order_days.cum_completed_orders,
        order_days.cum_net_revenue,
        order_days.cum_gross_margin,
        order_days.cum_costed_revenue

    from {{ dates }} as dates
    inner join {{ ref('int_customers__order_days') }} as order_days
        on
            order_days.order_date <= dates.{{ date_column }}
            and (order_days.next_row_date > dates.{{ date_column }} or order_days.next_row_date is null)
{% endmacro %}
