{#-
    Desertion risk of every customer who bought (grain of
    customer_purchase_stats), as of the as-of date: the hiatus status, the
    signals the sources can give, and a score with reason codes (seed
    desertion_risk_signals). Definitions in _repurchase__models.yml. Signals
    whose source is absent (no payment dates, no cases) are 0, not null: a
    sales-only history gets the order-based signals.
-#}

{%- set recent = var('risk_recent_days') %}
{%- set baseline = var('risk_baseline_days') %}
{%- set days_overdue = dbt.datediff('fct_orders.payment_due_date', 'as_of.as_of_date', 'day') %}
{%- set days_in_baseline = dbt.datediff('buyers.first_order_date', 'as_of.recent_start_exclusive', 'day') %}
{%- set complaint_types = "'" ~ var('risk_complaint_case_types') | join("', '") ~ "'" %}

with

as_of as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', -recent, 'as_of_date') }} as date) as recent_start_exclusive,
        cast({{ dbt.dateadd('day', -(recent + baseline), 'as_of_date') }} as date) as baseline_start_exclusive

    from {{ ref('int_as_of__windows') }}

),

buyers as (

    select
        stats.customer_key,
        profiles.customer_id,
        stats.first_order_date,
        stats.last_order_date,
        stats.days_since_last_order

    from {{ ref('customer_purchase_stats') }} as stats
    inner join {{ ref('int_customers__profiles') }} as profiles
        on stats.customer_key = profiles.customer_key

),

frequency as (

    -- order days in the recent window, (as_of - recent, as_of], and in the
    -- baseline window before it, (as_of - recent - baseline, as_of - recent]
    select
        order_days.customer_id,
        count(case when order_days.order_date > as_of.recent_start_exclusive then 1 end) as recent_order_days,
        count(case when order_days.order_date <= as_of.recent_start_exclusive then 1 end) as baseline_order_days

    from {{ ref('int_repurchase__order_days') }} as order_days
    inner join as_of
        on order_days.order_date > as_of.baseline_start_exclusive
    where order_days.is_order_day

    group by 1

),

orders as (

    select
        fct_orders.customer_key,
        count(
            case when fct_orders.cancelled_lines > 0 and fct_orders.order_date > as_of.recent_start_exclusive then 1 end
        ) as recent_cancelled_orders,
        max(
            case
                -- paid by the as-of date: days late when paid
                when
                    fct_orders.paid_date <= as_of.as_of_date
                    and fct_orders.payment_due_date > as_of.recent_start_exclusive
                    then fct_orders.days_late
                -- unpaid at the as-of date and already due: days overdue so far
                when
                    (fct_orders.paid_date is null or fct_orders.paid_date > as_of.as_of_date)
                    and fct_orders.payment_due_date < as_of.as_of_date
                    then {{ days_overdue }}
            end
        ) as max_days_late

    from {{ ref('fct_orders') }} as fct_orders
    inner join as_of
        on fct_orders.order_date <= as_of.as_of_date
    -- only orders that can feed a signal: recent ones, ones due recently, unpaid ones
    where
        fct_orders.order_date > as_of.recent_start_exclusive
        or fct_orders.payment_due_date > as_of.recent_start_exclusive
        or (
            fct_orders.payment_due_date is not null
            and (fct_orders.paid_date is null or fct_orders.paid_date > as_of.as_of_date)
        )

    group by 1

),

complaints as (

    select
        cases.customer_key,
        count(*) as recent_complaints

    from {{ ref('fct_cases') }} as cases
    inner join as_of
        on
            cases.opened_date > as_of.recent_start_exclusive
            and cases.opened_date <= as_of.as_of_date
    where cases.case_type in ({{ complaint_types }})

    group by 1

),

measured as (

    select
        buyers.customer_key,
        buyers.first_order_date,
        buyers.last_order_date,
        buyers.days_since_last_order,
        case
            when buyers.days_since_last_order < {{ var('desertion_window_days') }} then 'active'
            else 'deserted'
        end as hiatus_status,
        coalesce(frequency.recent_order_days, 0) as recent_order_days,
        -- the baseline counts only the days the customer was already a customer
        case
            when buyers.first_order_date <= as_of.recent_start_exclusive
                then
                    cast(coalesce(frequency.baseline_order_days, 0) as {{ dbt.type_numeric() }}) * {{ recent }}
                    / case
                        when buyers.first_order_date > as_of.baseline_start_exclusive
                            then {{ days_in_baseline }} + 1
                        else {{ baseline }}
                    end
        end as baseline_order_days_per_window,
        coalesce(orders.recent_cancelled_orders, 0) as recent_cancelled_orders,
        orders.max_days_late,
        coalesce(complaints.recent_complaints, 0) as recent_complaints,
        lifecycle.lifecycle_stage,
        as_of.as_of_date

    from buyers
    cross join as_of
    left join frequency
        on buyers.customer_id = frequency.customer_id
    left join orders
        on buyers.customer_key = orders.customer_key
    left join complaints
        on buyers.customer_key = complaints.customer_key
    left join {{ ref('customer_lifecycle') }} as lifecycle
        on buyers.customer_key = lifecycle.customer_key

),

with_ratio as (

    select
        *,
        case
            when baseline_order_days_per_window > 0 then recent_order_days / baseline_order_days_per_window
        end as frequency_ratio

    from measured

),

fired as (

    select
        customer_key,
        'DESERTED' as reason_code
    from with_ratio
    where hiatus_status = 'deserted'
    union all
    select
        customer_key,
        'AT_RISK' as reason_code
    from with_ratio
    where lifecycle_stage = 'at_risk'
    union all
    select
        customer_key,
        'SLOWING' as reason_code
    from with_ratio
    where frequency_ratio < {{ var('risk_frequency_drop_ratio') }} and hiatus_status = 'active'
    union all
    select
        customer_key,
        'COMPLAINT' as reason_code
    from with_ratio
    where recent_complaints > 0
    union all
    select
        customer_key,
        'CANCELLATION' as reason_code
    from with_ratio
    where recent_cancelled_orders > 0
    union all
    select
        customer_key,
        'LATE_PAYMENT' as reason_code
    from with_ratio
    where max_days_late > {{ var('risk_days_late') }}

),

scored as (

    select
        fired.customer_key,
        sum(signals.points) as points,
        {{ ordered_list('fired.reason_code', "','", 'signals.priority') }} as risk_reasons

    from fired
    inner join {{ ref('desertion_risk_signals') }} as signals
        on fired.reason_code = signals.reason_code
    where signals.points > 0

    group by 1

)

select
    with_ratio.customer_key,
    with_ratio.as_of_date,
    with_ratio.hiatus_status,
    with_ratio.last_order_date,
    with_ratio.days_since_last_order,
    cast(with_ratio.recent_order_days as {{ dbt.type_int() }}) as recent_order_days,
    cast(with_ratio.baseline_order_days_per_window as {{ dbt.type_numeric() }}) as baseline_order_days_per_window,
    cast(with_ratio.frequency_ratio as {{ dbt.type_numeric() }}) as frequency_ratio,
    cast(with_ratio.recent_cancelled_orders as {{ dbt.type_int() }}) as recent_cancelled_orders,
    cast(with_ratio.max_days_late as {{ dbt.type_int() }}) as max_days_late,
    cast(with_ratio.recent_complaints as {{ dbt.type_int() }}) as recent_complaints,
    with_ratio.lifecycle_stage,
    cast(
        case when coalesce(scored.points, 0) > 100 then 100 else coalesce(scored.points, 0) end
        as {{ dbt.type_int() }}
    ) as risk_score,
    coalesce(scored.risk_reasons, '') as risk_reasons

from with_ratio
left join scored
    on with_ratio.customer_key = scored.customer_key
