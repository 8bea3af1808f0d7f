{{ config(materialized='table') }}

-- The identity graph's edges, between identifier nodes ('<type>:<value>', held
-- as integer ids: identity_id), each with the rule that made it and that
-- rule's confidence:
--   * a record links every usable identifier it carries (deterministic rules:
--     customer number, document, email, phone); a shared email or phone is not
--     usable, a shared phone on an ERP record is used together with the given
--     name (phone_and_name); a record naming several people links nothing;
--   * fuzzy rules link two nodes carried by different records:
--     email_one_edit and name_city_birth (int_identity__fuzzy_links).
-- Connected components over these edges are the customers. Record nodes and
-- source records are read where they are used: a CTE read several times would
-- be copied whole first.

with

-- every record hooks its other identifiers onto its first one (a star, not all pairs)
record_anchor as (

    select * from {{ ref('int_identity__record_anchors') }}

),

deterministic as (

    select
        a.anchor_node_id as node_a,
        n.node_id as node_b,
        n.identifier_type as match_rule

    from {{ ref('int_identity__record_nodes') }} as n
    inner join record_anchor as a on n.record_id = a.record_id
    where n.node_id <> a.anchor_node_id

),

all_links as (

    select * from deterministic
    union all
    select * from {{ ref('int_identity__fuzzy_links') }}

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
    group by 1, 2, 3, 4

)

select * from final
