{#-
    Web sessions, conformed: one row per session of int_web__sessions, with
    the customer's key. A session is attributed, in this order, by
      session_customer_number  the first customer number logged in the
                               session, through int_identity__identifier_keys
      session_email            else the first user email of the session,
                               through int_identity__identifier_keys
      visitor                  else the visitor's key in customer_identity_map
                               (anonymous_id), which links every session of a
                               visitor who ever logged in, before and after
      unidentified             else the missing-member key
    No email leaves the intermediate layer.
-#}

with

sessions as (

    select * from {{ ref('int_web__sessions') }}

),

identifier_keys as (

    select * from {{ ref('int_identity__identifier_keys') }}

),

customer_numbers as (

    select
        identifier_value,
        customer_key

    from identifier_keys
    where identifier_type = 'customer_number'

),

emails as (

    select
        identifier_value,
        customer_key

    from identifier_keys
    where identifier_type = 'email'

),

visitors as (

    select
        source_record_id,
        customer_key

    from {{ ref('customer_identity_map') }}
    where
        source_system = 'web'
        and source_feed = 'events'
        and customer_key <> '{{ var("missing_customer_key") }}'

),

attributed as (

    select
        sessions.*,
        case
            when customer_numbers.customer_key is not null then customer_numbers.customer_key
            when emails.customer_key is not null then emails.customer_key
            when visitors.customer_key is not null then visitors.customer_key
            else '{{ var("missing_customer_key") }}'
        end as customer_key,
        case
            when customer_numbers.customer_key is not null then 'session_customer_number'
            when emails.customer_key is not null then 'session_email'
            when visitors.customer_key is not null then 'visitor'
            else 'unidentified'
        end as identification_rule

    from sessions
    left join customer_numbers
        on sessions.customer_id = customer_numbers.identifier_value
    left join emails
        on sessions.user_email_normalized = emails.identifier_value
    left join visitors
        on sessions.anonymous_id = visitors.source_record_id

),

final as (

    select
        customer_key,
        session_id,
        anonymous_id,
        visitor_session_number,
        session_start,
        session_end,
        duration_seconds,
        events,
        page_views,
        product_views,
        add_to_carts,
        checkouts,
        purchases,
        logins,
        signups,
        self_service_actions,
        is_logged_in,
        landing_page,
        utm_source,
        utm_campaign,
        device,
        identification_rule

    from attributed

)

select * from final
