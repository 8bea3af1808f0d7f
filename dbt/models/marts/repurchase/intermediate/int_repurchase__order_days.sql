{#-
    The customers' order history as known at the as-of date: the rows of
    int_customers__order_days dated on or before it, with the as-of date. Every
    repurchase model reads the history through here, so none can count an
    order after the as-of date (a view: the engine folds it into each query).
-#}

select
    order_days.*,
    as_of.as_of_date

from {{ ref('int_customers__order_days') }} as order_days
inner join {{ ref('int_as_of__windows') }} as as_of
    on order_days.order_date <= as_of.as_of_date
