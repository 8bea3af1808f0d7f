{{ config(materialized='table') }}

-- The identity graph's edges, between identifier nodes ('<type>:<value>'),
-- each with the rule that made it and that rule's confidence:
--   * a record links every usable identifier it carries (deterministic rules:
--     customer number, document, email, phone); a shared email or phone is not
--     usable, a shared phone on an ERP record is used together with the given
--     name (phone_and_name); a record naming several people links nothing;
--   * fuzzy rules link two nodes carried by different records:
--     email_one_edit and name_city_birth (see identity_match_rules seed).
-- Connected components over these edges are the customers.

with

identifiers as (

    select * from {{ ref('int_identity__record_identifiers') }}

),

records as (

    select * from {{ ref('int_identity__source_records') }}

),

shared as (

    select * from {{ ref('int_identity__shared_identifiers') }}

),

record_nodes as (

    select * from {{ ref('int_identity__record_nodes') }}

),

usable as (

    select * from record_nodes where identifier_type <> 'phone_and_name'

),

-- every record hooks its other identifiers onto its first one (a star, not all pairs)
record_anchor as (

    select
        record_uid,
        min(node) as anchor_node

    from record_nodes
    group by record_uid

),

deterministic as (

    select
        a.anchor_node as node_a,
        n.node as node_b,
        n.identifier_type as match_rule

    from record_nodes as n
    inner join record_anchor as a on n.record_uid = a.record_uid
    where n.node <> a.anchor_node

),

-- given name and document of the ERP records reachable from each usable email
-- (a usable email reaches at most identity_shared_contact_max_people of each)
email_people as (

    select
        u.node,
        max(r.given_name) as given_name,
        max(d.identifier_value) as document_number

    from usable as u
    inner join identifiers as c
        on u.record_uid = c.record_uid and c.identifier_type = 'customer_number'
    inner join records as r
        on r.source_feed = 'customers' and c.identifier_value = r.source_record_id
    left join identifiers as d
        on r.record_uid = d.record_uid and d.identifier_type = 'document'
    where u.identifier_type = 'email' and r.given_name is not null
    group by u.node

),

emails as (

    select distinct
        node,
        {{ dbt.split_part(dbt.split_part('node', "':'", 2), "'@'", 1) }} as local_part,
        {{ dbt.split_part('node', "'@'", 2) }} as domain

    from usable
    where identifier_type = 'email'

),

-- blocking: one edit (substitution, insertion or deletion) leaves a prefix or a
-- suffix of about half the local part intact; each email gets keys for the
-- halves of its own length and of one character less, so that emails of
-- lengths n and n - 1 meet on a block
email_lengths as (

    select
        node,
        local_part,
        domain,
        cast(floor(length(local_part) / 2.0) as {{ dbt.type_int() }}) as half_down,
        cast(floor((length(local_part) - 1) / 2.0) as {{ dbt.type_int() }}) as half_shorter,
        cast(ceil(length(local_part) / 2.0) as {{ dbt.type_int() }}) as half_up

    from emails
    where length(local_part) >= {{ var('identity_email_min_local_length') }}

),

email_blocks as (

    select node, local_part, domain, {{ dbt.concat(["'<'", 'substring(local_part, 1, half_down)']) }} as block_key
    from email_lengths
    union
    select node, local_part, domain, {{ dbt.concat(["'<'", 'substring(local_part, 1, half_shorter)']) }} as block_key
    from email_lengths
    union
    select node, local_part, domain, {{ dbt.concat(["'>'", dbt.right('local_part', 'half_up')]) }} as block_key
    from email_lengths
    union
    select node, local_part, domain, {{ dbt.concat(["'>'", dbt.right('local_part', 'half_down')]) }} as block_key
    from email_lengths

),

email_candidates as (

    select distinct
        a.node as node_a,
        b.node as node_b

    from email_blocks as a
    inner join email_blocks as b
        on
            a.domain = b.domain
            and a.block_key = b.block_key
            and a.node < b.node
            and abs(length(a.local_part) - length(b.local_part)) <= 1
    where {{ edit_distance('a.local_part', 'b.local_part') }} = 1

),

-- one edit apart is not enough: the same given name must stand behind both
-- emails, no two different documents, and the edit must not touch a digit
-- (ana.gomez12 and ana.gomez13 are two people far more often than a typo)
email_one_edit as (

    select
        c.node_a,
        c.node_b,
        'email_one_edit' as match_rule

    from email_candidates as c
    inner join email_people as pa on c.node_a = pa.node
    inner join email_people as pb on c.node_b = pb.node and pa.given_name = pb.given_name
    where
        {{ regexp_replace_all('c.node_a', '[^0-9]', '') }} = {{ regexp_replace_all('c.node_b', '[^0-9]', '') }}
        and (
            pa.document_number is null
            or pb.document_number is null
            or pa.document_number = pb.document_number
        )

),

erp_people as (

    select
        r.source_record_id as customer_number,
        r.name_normalized,
        r.city_normalized,
        r.birth_date

    from records as r
    left join shared as conflict
        on conflict.identifier_type = 'record' and r.record_uid = conflict.identifier_value
    where
        r.source_feed = 'customers'
        and r.name_normalized is not null
        and r.city_normalized is not null
        and r.birth_date is not null
        and conflict.identifier_value is null

),

name_city_birth as (

    select
        {{ dbt.concat(["'customer_number:'", 'a.customer_number']) }} as node_a,
        {{ dbt.concat(["'customer_number:'", 'b.customer_number']) }} as node_b,
        'name_city_birth' as match_rule

    from erp_people as a
    inner join erp_people as b
        on
            a.city_normalized = b.city_normalized
            and a.birth_date = b.birth_date
            and a.customer_number < b.customer_number
    where {{ name_similarity('a.name_normalized', 'b.name_normalized') }} >= {{ var('identity_name_similarity') }}

),

all_links as (

    select * from deterministic
    union all
    select * from email_one_edit
    union all
    select * from name_city_birth

),

final as (

    select
        l.node_a,
        l.node_b,
        l.match_rule,
        r.match_confidence,
        count(*) as evidence

    from all_links as l
    inner join {{ ref('identity_match_rules') }} as r on l.match_rule = r.match_rule
    group by l.node_a, l.node_b, l.match_rule, r.match_confidence

)

select * from final
