"""Conformed facts end to end on the session's S pipeline: every source record reaches its
fact exactly once, every customer key exists in dim_customers, and no mart carries an
email address or a phone number.

Expected values come from the raw lake, deduplicated by business key here (with DuckDB on
the Parquet files, or with the standard library), never from the models under test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import duckdb
import pytest

pytestmark = pytest.mark.integration

FACTS = ("fct_order_lines", "fct_orders", "fct_interactions", "fct_cases", "fct_web_sessions")
SESSION_GAP = timedelta(minutes=30)  # dbt var web_session_inactivity_minutes (default)
MISSING_CUSTOMER_KEY = "-1"  # dbt var missing_customer_key (default)


@pytest.fixture(scope="module")
def built(pipeline):
    paths, first, *_ = pipeline
    assert first.success, "the pipeline failed: see test_pipeline.py"
    return paths


@pytest.fixture(scope="module")
def warehouse(built) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _raw(paths, source: str, feed: str) -> str:
    """The raw lake of one feed as a DuckDB table expression."""
    return f"read_parquet('{paths.raw / source / feed}/*.parquet', union_by_name = true)"


def _latest(paths, source: str, feed: str, key: str) -> str:
    """Raw rows, one per business key: the copy from the latest batch, file and line."""
    return f"""(
        select * exclude (version_rank) from (
            select *, row_number() over (
                partition by {key}
                order by _loaded_at desc, _source_file desc, _source_row desc
            ) as version_rank
            from {_raw(paths, source, feed)}
        ) where version_rank = 1
    )"""


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def test_every_source_record_reaches_its_fact_exactly_once(built, warehouse):
    raw = duckdb.connect()
    try:
        # The generator always numbers order lines, so (order_id, order_line) is the key as landed.
        assert _one(raw, f"select count(*) - count(order_line) from {_raw(built, 'sales', 'order_lines')}") == 0
        expected = {
            "fct_order_lines": f"select count(distinct (order_id, order_line)) from {_raw(built, 'sales', 'order_lines')}",
            "fct_orders": f"select count(distinct order_id) from {_raw(built, 'sales', 'order_lines')}",
            "fct_interactions": f"select count(distinct interaction_id) "
            f"from {_raw(built, 'contact_center', 'interactions')}",
            "fct_cases": f"select count(distinct case_id) from {_raw(built, 'contact_center', 'cases')}",
            "fct_web_sessions": f"select count(distinct event_id) from {_raw(built, 'web', 'events')}",
        }
        expected = {fact: _one(raw, sql) for fact, sql in expected.items()}
    finally:
        raw.close()
    got = {
        fact: _one(warehouse, f"select {'sum(events)' if fact == 'fct_web_sessions' else 'count(*)'} from marts.{fact}")
        for fact in FACTS
    }
    assert got == expected
    assert all(n > 0 for n in got.values())
    # and no key twice
    for fact, key in {
        "fct_order_lines": "order_id, order_line",
        "fct_orders": "order_id",
        "fct_interactions": "interaction_id",
        "fct_cases": "case_id",
        "fct_web_sessions": "session_id",
    }.items():
        assert _one(warehouse, f"select count(*) - count(distinct ({key})) from marts.{fact}") == 0, fact


def test_order_amounts_add_up_to_the_raw_lake(built, warehouse):
    raw = duckdb.connect()
    try:
        by_status = dict(
            raw.execute(
                "select coalesce(lower(trim(status)), 'completed'), sum(net_amount) "
                f"from {_latest(built, 'sales', 'order_lines', 'order_id, order_line')} group by 1"
            ).fetchall()
        )
    finally:
        raw.close()
    lines = dict(warehouse.execute("select status, sum(net_amount) from marts.fct_order_lines group by 1").fetchall())
    assert lines == by_status
    orders = warehouse.execute(
        "select sum(net_revenue), sum(cancelled_amount), sum(returned_amount) from marts.fct_orders"
    ).fetchone()
    zero = Decimal(0)
    assert orders == (
        by_status.get("completed", zero),
        by_status.get("cancelled", zero),
        by_status.get("returned", zero),
    )


def test_web_sessions_match_an_independent_sessionization(built, warehouse):
    """Sessions recomputed in Python: per visitor, events in time order, a new session after
    a gap longer than 30 minutes; the id is md5('<anonymous_id>|<first event_id>')."""
    raw = duckdb.connect()
    try:
        events = raw.execute(
            f"select anonymous_id, event_at, event_id from {_latest(built, 'web', 'events', 'event_id')}"
        ).fetchall()
    finally:
        raw.close()
    expected: dict[str, int] = {}
    session_id, previous = None, None
    for anonymous_id, event_at, event_id in sorted(events):
        if previous is None or previous[0] != anonymous_id or event_at - previous[1] > SESSION_GAP:
            session_id = hashlib.md5(f"{anonymous_id}|{event_id}".encode()).hexdigest()
            expected[session_id] = 0
        expected[session_id] += 1
        previous = (anonymous_id, event_at)
    got = dict(warehouse.execute("select session_id, events from marts.fct_web_sessions").fetchall())
    assert len(got) == len(expected)
    assert got == expected


def test_logged_in_sessions_and_anonymous_history_are_attributed(warehouse):
    rules = dict(
        warehouse.execute("select identification_rule, count(*) from marts.fct_web_sessions group by 1").fetchall()
    )
    assert rules.get("session_customer_number", 0) > 0
    assert rules.get("visitor", 0) > 0, "anonymous sessions of visitors who logged in are stitched"
    # a session attributed by its own login or its visitor never carries the missing key
    assert (
        _one(
            warehouse,
            "select count(*) from marts.fct_web_sessions "
            f"where identification_rule <> 'unidentified' and customer_key = '{MISSING_CUSTOMER_KEY}'",
        )
        == 0
    )


def test_every_fact_customer_key_is_in_dim_customers(warehouse):
    assert (
        _one(warehouse, f"select count(*) from marts.dim_customers where customer_key = '{MISSING_CUSTOMER_KEY}'") == 1
    )
    for fact in FACTS:
        orphans = _one(
            warehouse,
            f"select count(*) from marts.{fact} as f "
            "where not exists (select 1 from marts.dim_customers as d where d.customer_key = f.customer_key)",
        )
        assert orphans == 0, fact


def test_marts_carry_no_email_or_phone(warehouse):
    """No cell of any marts table equals an email or a phone number staged from any feed
    (as landed or normalised; phones of 7 digits or more, so that small numbers such as
    quantities cannot collide), and none looks like an email address: an '@' right after
    a character that is not the '*' of a mask ('a***@example.com' is a mask, allowed)."""
    staged = [
        r[0]
        for r in warehouse.execute(
            """
            select distinct lower(value) from (
                select email from staging.stg_sales__customers
                union all select email_normalized from staging.stg_sales__customers
                union all select caller_email from staging.stg_contact_center__interactions
                union all select caller_email_normalized from staging.stg_contact_center__interactions
                union all select contact_email from staging.stg_contact_center__cases
                union all select contact_email_normalized from staging.stg_contact_center__cases
                union all select user_email from staging.stg_web__events
                union all select user_email_normalized from staging.stg_web__events
                union all select phone from staging.stg_sales__customers
                union all select phone_normalized from staging.stg_sales__customers
                union all select caller_phone from staging.stg_contact_center__interactions
                union all select caller_phone_normalized from staging.stg_contact_center__interactions
                union all select contact_phone from staging.stg_contact_center__cases
                union all select contact_phone_normalized from staging.stg_contact_center__cases
            ) as p(value)
            where value like '%@%' or length(regexp_replace(value, '[^0-9]', '', 'g')) >= 7
            """
        ).fetchall()
    ]
    assert any("@" in v for v in staged) and any("@" not in v for v in staged), "generated data has both"
    tables = [
        r[0]
        for r in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    assert set(FACTS) <= set(tables)
    leaks = {}
    for table in tables:
        rows = warehouse.execute(
            f"""
            with cells as (
                unpivot (select columns(*)::varchar from marts.{table})
                on columns(*) into name column_name value cell
            )
            select column_name, count(*) from cells
            where regexp_matches(cell, '[^*@\\s]@') or lower(cell) in (select unnest(?::varchar[]))
            group by 1
            """,
            [staged],
        ).fetchall()
        leaks.update({f"{table}.{column}": n for column, n in rows})
    assert leaks == {}
