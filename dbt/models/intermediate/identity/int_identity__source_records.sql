{{ config(materialized='table') }}

-- One row per source record that can name a customer: the unit the identity map
-- resolves. Grain per feed is documented in _identity__models.yml. Every record
-- is one observation (a web visitor's 'visit' row covers all its events; its
-- logins are identifiers, in int_identity__record_identifiers). record_id is the
-- integer id of record_uid (identity_id) on which the identity graph joins.

with

observations as (

    select * from {{ ref('int_identity__observations') }}
    where observation_kind <> 'login'

),

final as (

    select
        record_uid,
        {{ identity_id('record_uid') }} as record_id,
        source_system,
        source_feed,
        source_record_id,
        first_seen_date,
        name_normalized,
        {{ first_word('name_normalized') }} as given_name,
        document_number,
        city_normalized,
        birth_date,
        has_identifier

    from observations

)

select * from final
