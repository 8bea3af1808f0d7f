with

verdicts as (

    select * from {{ source('lake', 'batch_verdicts') }}

),

-- verdicts are appended: a held batch that a person accepts gets a second one
ranked as (

    select
        *,
        row_number() over (
            partition by feed, batch_id
            order by judged_at desc
        ) as verdict_rank

    from verdicts

),

final as (

    select
        feed,
        batch_id,
        source_file,
        verdict,
        acceptance_id,
        run_id,
        judged_at

    from ranked
    where verdict_rank = 1 and verdict in ('admitted', 'accepted')

)

select * from final
