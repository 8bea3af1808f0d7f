{{ config(materialized='table') }}

-- The fuzzy rules of the identity graph (seed identity_match_rules): pairs of
-- nodes carried by different records that no identifier joins.
--   * email_one_edit: usable emails one edit apart, with the same domain, the
--     same given name behind them and no two different documents;
--   * name_city_birth: ERP people with the same city, birth date and given name,
--     names at least identity_name_similarity alike, one without a document.
-- A table (a few links per thousand records): its key test reads it instead
-- of matching every pair again (a test's statement gets no planner settings,
-- macros/engines/planner.sql).

with

shared as (

    select * from {{ ref('int_identity__shared_identifiers') }}

),

erp_names as (

    select
        {{ identity_id(dbt.concat(["'customer_number:'", 'source_record_id'])) }} as customer_node_id,
        given_name,
        document_number

    from {{ ref('int_identity__source_records') }}
    where source_feed = 'customers' and given_name is not null

),

-- given name and document of the ERP records reachable from each usable email
-- (a usable email reaches at most identity_shared_contact_max_people of each;
-- u, the check that the email is usable, names the node type too, so that only
-- the email rows of record_nodes are read, not all of them)
email_people as (

    select
        e.node_id as node,
        max(e.identifier_value) as email,
        max(p.given_name) as given_name,
        max(p.document_number) as document_number

    from {{ ref('int_identity__record_identifiers') }} as e
    inner join {{ ref('int_identity__record_nodes') }} as u
        on e.record_id = u.record_id and e.node_id = u.node_id and u.identifier_type = 'email'
    inner join {{ ref('int_identity__record_nodes') }} as c
        on e.record_id = c.record_id and c.identifier_type = 'customer_number'
    inner join erp_names as p on c.node_id = p.customer_node_id
    where e.identifier_type = 'email'
    group by 1

),

-- the candidates: usable emails with a given name behind them, split up
emails as (

    select
        node,
        given_name,
        document_number,
        {{ dbt.split_part('email', "'@'", 1) }} as local_part,
        {{ dbt.split_part('email', "'@'", 2) }} as email_domain

    from email_people

),

-- blocking: a rule match needs the same domain, the same given name, the same
-- digits (no digit may change) and local parts one edit apart; one edit
-- (substitution, insertion or deletion) leaves a prefix or a suffix of about
-- half the local part intact, so each email gets keys for the halves of its
-- own length and of one character less (emails of lengths n and n - 1 meet)
email_lengths as (

    select
        node,
        given_name,
        document_number,
        local_part,
        {{ dbt.concat(['email_domain', "'|'", 'given_name', "'|'", regexp_replace_all('local_part', '[^0-9]', '')]) }}
            as block_prefix,
        cast(floor(length(local_part) / 2.0) as {{ dbt.type_int() }}) as half_down,
        cast(floor((length(local_part) - 1) / 2.0) as {{ dbt.type_int() }}) as half_shorter,
        cast(ceil(length(local_part) / 2.0) as {{ dbt.type_int() }}) as half_up

    from emails
    where length(local_part) >= {{ var('identity_email_min_local_length') }}

),

-- the four block keys of each email, from one pass over email_lengths (a
-- union of four selects recomputed block_prefix, a regular expression, per key)
block_sides as (

    select 1 as side
    union all
    select 2 as side
    union all
    select 3 as side
    union all
    select 4 as side

),

email_blocks as (

    select
        e.node,
        e.document_number,
        e.local_part,
        {{ dbt.concat([
            'e.block_prefix',
            "case when s.side <= 2 then '<' else '>' end",
            "case s.side when 1 then substring(e.local_part, 1, e.half_down)"
            ~ " when 2 then substring(e.local_part, 1, e.half_shorter)"
            ~ " when 3 then " ~ dbt.right('e.local_part', 'e.half_up')
            ~ " else " ~ dbt.right('e.local_part', 'e.half_down') ~ " end"
        ]) }} as block_key

    from email_lengths as e
    cross join block_sides as s

),

-- the same given name stands behind both, no two different documents, and the
-- local parts are one edit apart
email_one_edit as (

    select distinct
        a.node as node_a,
        b.node as node_b,
        'email_one_edit' as match_rule

    from email_blocks as a
    inner join email_blocks as b
        on
            a.block_key = b.block_key
            and a.node < b.node
            and abs(length(a.local_part) - length(b.local_part)) <= 1
    where
        {{ edit_distance('a.local_part', 'b.local_part') }} = 1
        and (
            a.document_number is null
            or b.document_number is null
            or a.document_number = b.document_number
        )

),

erp_people as (

    select
        r.source_record_id as customer_number,
        {{ identity_id(dbt.concat(["'customer_number:'", 'r.source_record_id'])) }} as customer_node_id,
        r.name_normalized,
        r.given_name,
        r.city_normalized,
        r.birth_date,
        r.document_number

    from {{ ref('int_identity__source_records') }} as r
    left join shared as record_conflict
        on record_conflict.identifier_type = 'record' and r.record_id = record_conflict.node_id
    where
        r.source_feed = 'customers'
        and r.name_normalized is not null
        and r.city_normalized is not null
        and r.birth_date is not null
        and record_conflict.identifier_value is null

),

-- for ERP records that the document rule cannot join (one has no document):
-- same city, birth date and given name, and names at least
-- identity_name_similarity alike
name_city_birth as (

    select
        a.customer_node_id as node_a,
        b.customer_node_id as node_b,
        'name_city_birth' as match_rule

    from erp_people as a
    inner join erp_people as b
        on
            a.city_normalized = b.city_normalized
            and a.birth_date = b.birth_date
            and a.given_name = b.given_name
            and a.customer_number < b.customer_number
    where
        (a.document_number is null or b.document_number is null)
        and {{ name_similarity('a.name_normalized', 'b.name_normalized') }} >= {{ var('identity_name_similarity') }}

)

select * from email_one_edit
union all
select * from name_city_birth
