{#-
    One row per web session (see int_web__events_sessionized): its time span,
    event counts by type, landing attributes from its first event, and the
    identifiers the visitor gave during it (the first customer number and the
    first email, in event order), which fct_web_sessions resolves to a customer.
-#}

{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('int_web__events_sessionized') }}

),

counted as (

    select
        session_id,
        anonymous_id,
        min(event_at) as session_start,
        max(event_at) as session_end,
        count(*) as events,
        count(case when event_type = 'page_view' then 1 end) as page_views,
        count(case when event_type = 'product_view' then 1 end) as product_views,
        count(case when event_type = 'add_to_cart' then 1 end) as add_to_carts,
        count(case when event_type = 'checkout' then 1 end) as checkouts,
        count(case when event_type = 'purchase' then 1 end) as purchases,
        count(case when event_type = 'login' then 1 end) as logins,
        count(case when event_type = 'signup' then 1 end) as signups,
        count(case when event_type = 'self_service' then 1 end) as self_service_actions,
        count(
            case
                when
                    event_type = 'login'
                    or customer_id is not null
                    or user_email_normalized is not null
                    then 1
            end
        ) as identified_events,
        count(distinct customer_id) as distinct_customer_ids

    from events

    group by 1, 2

),

landings as (

    select
        session_id,
        visitor_session_number,
        event_id as first_event_id,
        page as landing_page,
        utm_source,
        utm_campaign,
        device

    from events
    where is_session_start

),

-- the session's customer numbers and emails, first given first
customer_numbers_ranked as (

    select
        session_id,
        customer_id,
        row_number() over (
            partition by session_id
            order by event_at, event_id
        ) as identifier_rank

    from events
    where customer_id is not null

),

emails_ranked as (

    select
        session_id,
        user_email_normalized,
        row_number() over (
            partition by session_id
            order by event_at, event_id
        ) as identifier_rank

    from events
    where user_email_normalized is not null

),

customer_numbers as (

    select
        session_id,
        customer_id

    from customer_numbers_ranked
    where identifier_rank = 1

),

emails as (

    select
        session_id,
        user_email_normalized

    from emails_ranked
    where identifier_rank = 1

),

final as (

    select
        counted.session_id,
        counted.anonymous_id,
        landings.visitor_session_number,
        landings.first_event_id,
        counted.session_start,
        counted.session_end,
        -- a double on PostgreSQL: whole seconds on every engine
        cast(
            {{ dbt.datediff('counted.session_start', 'counted.session_end', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as duration_seconds,
        counted.events,
        counted.page_views,
        counted.product_views,
        counted.add_to_carts,
        counted.checkouts,
        counted.purchases,
        counted.logins,
        counted.signups,
        counted.self_service_actions,
        counted.identified_events > 0 as is_logged_in,
        customer_numbers.customer_id,
        emails.user_email_normalized,
        counted.distinct_customer_ids,
        landings.landing_page,
        landings.utm_source,
        landings.utm_campaign,
        landings.device

    from counted
    inner join landings
        on counted.session_id = landings.session_id
    left join customer_numbers
        on counted.session_id = customer_numbers.session_id
    left join emails
        on counted.session_id = emails.session_id

)

select * from final
