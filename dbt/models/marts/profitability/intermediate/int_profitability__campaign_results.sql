{{ config(materialized='table') }}

{#-
    How campaigns promoting each product line did within each segment: one row
    per segment_code x product_line with at least one contacted member.

    Members are the pilot-group rows of stg_contact_center__campaign_members
    contacted on or before the as-of date, of campaigns that name a product line;
    control members are not contacted and are left out. A member's customer is
    found through customer_identity_map (record campaign_id|customer_id), its
    segment is its current one (customer_segments); members the identity map
    could not resolve are left out. success_rate = responded members / contacted
    members. Empty when the contact center sends no campaign data.
-#}

with

as_of as (

    select as_of_date from {{ ref('int_as_of__windows') }}

),

members as (

    select
        campaign_members.product_line,
        campaign_members.has_responded,
        {{ dbt.concat(['campaign_members.campaign_id', "'|'", 'campaign_members.customer_id']) }} as source_record_id

    from {{ ref('stg_contact_center__campaign_members') }} as campaign_members
    cross join as_of
    where
        campaign_members.test_group = 'pilot'
        and campaign_members.product_line is not null
        and campaign_members.contacted_at is not null
        and cast(campaign_members.contacted_at as date) <= as_of.as_of_date

),

identity_map as (

    select
        source_record_id,
        customer_key

    from {{ ref('customer_identity_map') }}
    where
        source_system = 'contact_center'
        and source_feed = 'campaign_members'

),

final as (

    select
        segments.segment_code,
        members.product_line,
        count(*) as contacted_members,
        count(case when members.has_responded then 1 end) as responded_members,
        {{ vector_crm.positive_ratio('count(case when members.has_responded then 1 end)', 'count(*)') }}
            as success_rate

    from members
    inner join identity_map
        on members.source_record_id = identity_map.source_record_id
    inner join {{ ref('customer_segments') }} as segments
        on identity_map.customer_key = segments.customer_key

    group by 1, 2

)

select * from final
