{#-
    Each record's latest row of the key register `register` (a relation or a
    parenthesised query with record_uid and run_sequence): every column of
    that row. A record's rows after the register's first run are few (the
    first run holds every key then dealt, later runs only the changes), so only
    they are grouped; every other record's one row is its latest. The register
    is joined on record_uid as stored: no hash of its millions of record_uid,
    no grouping or window over all of them. Used by int_identity__key_history
    (the register before this run) and int_identity__record_keys (after it).
-#}
{% macro latest_register_rows(register) %}
    select register_rows.*

    from {{ register }} as register_rows
    left join (
        select
            later.record_uid,
            max(later.run_sequence) as run_sequence

        from {{ register }} as later
        where
            later.run_sequence > (
                select min(first_run.run_sequence) as run_sequence
                from {{ register }} as first_run
            )
        group by 1
    ) as later_runs
        on register_rows.record_uid = later_runs.record_uid
    where later_runs.record_uid is null or register_rows.run_sequence = later_runs.run_sequence
{% endmacro %}
