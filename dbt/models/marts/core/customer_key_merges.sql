-- Every customer key retired because new data showed that two customers were
-- one person: the retired key, the key that survived, and when.

with

history as (

    select * from {{ ref('int_identity__key_history') }}
    where change_reason = 'merged'

),

final as (

    select
        previous_customer_key as retired_customer_key,
        customer_key as surviving_customer_key,
        min(assigned_at) as merged_at,
        min(run_sequence) as run_sequence,
        count(*) as records_moved

    from history
    group by 1, 2

)

select * from final
