"""The publish step: BI readers in another process keep working while the pipeline publishes,
and always see one whole snapshot; the serving file carries no raw emails or phones."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
import yaml

from dagster_project.serving.docs import RUN_ID_DESCRIPTION, TableDoc
from dagster_project.serving.publish import publish, serving_database
from dagster_project.settings import REPO_ROOT, Paths

pytestmark = pytest.mark.integration

MARTS = ("customers_a", "orders_b", "summary_c")

READER = textwrap.dedent("""
    import json, sys, time, duckdb
    path, stop, marts, mode = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
    queries, errors, mixed, seen = 0, [], 0, []
    import os
    if mode == "hold":
        # a connection opened before the publishes and kept: it must keep working on its
        # snapshot. (DuckDB shares one database instance per file within a process, so while
        # it is open, new connections of this process would see that snapshot too.)
        held = duckdb.connect(path, read_only=True)
        held_run = held.execute("select distinct publish_run_id from marts." + marts[0]).fetchall()
        while not os.path.exists(stop):
            time.sleep(0.05)
        held_after = held.execute("select distinct publish_run_id from marts." + marts[0]).fetchall()
        held.close()
        print(json.dumps({"held_before": held_run, "held_after": held_after}))
        sys.exit(0)
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                ids = set()
                for mart in marts:
                    ids |= {r[0] for r in con.execute("select distinct publish_run_id from marts." + mart).fetchall()}
                logged = con.execute(
                    "select run_id from publish_log where published_at = (select max(published_at) from publish_log)"
                ).fetchall()
                counts_ok = all(
                    con.execute("select count(*) from marts." + m).fetchone()[0]
                    == con.execute("select row_count from publish_log where mart = ? and run_id = ?",
                                   [m, next(iter(ids))]).fetchone()[0]
                    for m in marts
                )
            finally:
                con.close()
            queries += 1
            if len(ids) != 1 or {r[0] for r in logged} != ids or not counts_ok:
                mixed += 1
            elif not seen or seen[-1] != next(iter(ids)):
                seen.append(next(iter(ids)))
        except Exception as exc:  # every failure is a finding
            errors.append(repr(exc))
    print(json.dumps({"queries": queries, "errors": errors[:5], "error_count": len(errors), "mixed": mixed,
                      "seen": seen}))
""")


def _warehouse(paths: Paths, version: int) -> None:
    """A warehouse whose three marts all say which version of the data they hold."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            f"create or replace table marts.customers_a as select range as id, {version} as v "
            f"from range({100_000 + version})"
        )
        con.execute(
            f"create or replace table marts.orders_b as select range as id, range * {version} as amount "
            f"from range({300_000 + version})"
        )
        con.execute(f"create or replace table marts.summary_c as select {version} as v")


def test_readers_see_one_whole_snapshot_while_the_pipeline_publishes(tmp_path):
    paths = Paths(tmp_path / "data")
    _warehouse(paths, 1)
    first = publish(paths, run_id="run-1")
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serving_database(paths)), str(stop), ",".join(MARTS), mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("loop", "hold")
    ]
    try:
        time.sleep(1.0)
        for version in (2, 3):
            _warehouse(paths, version)  # the pipeline rebuilds the warehouse ...
            publish(paths, run_id=f"run-{version}")  # ... and publishes: never waiting for the reader
            time.sleep(0.5)
        time.sleep(0.5)
    finally:
        stop.touch()
        outputs = [reader.communicate(timeout=60) for reader in readers]
    for reader, (_, err) in zip(readers, outputs, strict=True):
        assert reader.returncode == 0, err
    result, held = (json.loads(out.strip().splitlines()[-1]) for out, _ in outputs)
    assert result["error_count"] == 0, result["errors"]
    assert result["mixed"] == 0
    assert result["queries"] >= 10
    # the reader went through every snapshot, in order
    assert result["seen"] == ["run-1", "run-2", "run-3"], result["seen"]
    # the connection held across both publishes still reads its own snapshot
    assert held["held_before"] == held["held_after"] == [["run-1"]]
    assert first.row_counts == {"customers_a": 100_001, "orders_b": 300_001, "summary_c": 1}


def test_publish_log_history_and_parquet(tmp_path):
    paths = Paths(tmp_path / "data")
    _warehouse(paths, 1)
    publish(paths, run_id="run-1")
    _warehouse(paths, 2)
    published = publish(paths, run_id="run-2")
    with duckdb.connect(str(published.database), read_only=True) as con:
        log = con.execute("select run_id, mart, row_count from publish_log order by run_id, mart").fetchall()
        schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert log == [
        ("run-1", "customers_a", 100_001),
        ("run-1", "orders_b", 300_001),
        ("run-1", "summary_c", 1),
        ("run-2", "customers_a", 100_002),
        ("run-2", "orders_b", 300_002),
        ("run-2", "summary_c", 1),
    ]
    assert schemas == {"main", "marts"}
    with duckdb.connect() as con:
        amounts = con.execute(
            f"select sum(amount), min(publish_run_id), max(publish_run_id) "
            f"from read_parquet('{published.parquet_dir / 'orders_b.parquet'}')"
        ).fetchone()
    assert amounts == (2 * sum(range(300_002)), "run-2", "run-2")
    assert sorted(p.name for p in published.parquet_dir.iterdir()) == [f"{m}.parquet" for m in MARTS]
    assert not list(published.database.parent.glob(".*tmp")), "no temporary file is left behind"


def test_a_failed_publish_leaves_the_served_snapshot_alone(tmp_path):
    paths = Paths(tmp_path / "data")
    _warehouse(paths, 1)
    publish(paths, run_id="run-1")
    with pytest.raises(duckdb.CatalogException):
        publish(paths, run_id="run-2", marts=["customers_a", "no_such_mart"])
    with duckdb.connect(str(serving_database(paths)), read_only=True) as con:
        assert con.execute("select distinct run_id from publish_log").fetchall() == [("run-1",)]
        assert con.execute("select distinct publish_run_id from marts.customers_a").fetchall() == [("run-1",)]
    assert not list(serving_database(paths).parent.rglob(".*tmp"))


def test_a_held_mart_keeps_its_last_good_version_and_the_log_says_so(tmp_path):
    paths = Paths(tmp_path / "data")
    _warehouse(paths, 1)
    publish(paths, run_id="run-1", marts=["customers_a", "orders_b"])  # summary_c not published yet
    _warehouse(paths, 2)
    held = {"orders_b": "its GX suite found an error", "summary_c": "built from orders_b, held back"}
    published = publish(paths, run_id="run-2", held=held)
    assert published.served_run == {"orders_b": "run-1"}
    with duckdb.connect(str(published.database), read_only=True) as con:
        # the held mart is run-1's version (100,001 + 200,000 rows of version 1), the others are new
        assert con.execute(
            "select count(*), max(amount), min(publish_run_id), max(publish_run_id) from marts.orders_b"
        ).fetchone() == (300_001, 300_000, "run-1", "run-1")
        assert con.execute("select count(*), max(v) from marts.customers_a").fetchone() == (100_002, 2)
        # held before it was ever published: absent, not empty
        assert con.execute(
            "select count(*) from information_schema.tables where table_name = 'summary_c'"
        ).fetchone() == (0,)
        log = con.execute(
            "select mart, row_count, status, reason, served_run_id from publish_log "
            "where run_id = 'run-2' order by mart"
        ).fetchall()
    assert log == [
        ("customers_a", 100_002, "published", None, "run-2"),
        ("orders_b", 300_001, "held", "its GX suite found an error", "run-1"),
        ("summary_c", None, "held", "built from orders_b, held back", None),
    ]
    # Parquet: the held mart keeps its last good file, the never-published one has none
    with duckdb.connect() as con:
        assert con.execute(
            f"select distinct publish_run_id from read_parquet('{published.parquet_dir / 'orders_b.parquet'}')"
        ).fetchall() == [("run-1",)]
    assert not (published.parquet_dir / "summary_c.parquet").exists()


def test_a_mart_error_holds_that_mart_and_the_marts_built_from_it():
    from dagster_project.serving.assets import downstream_marts

    upstream = {
        "fct_orders": {"dim_customers"},
        "customer_rfm": {"fct_orders", "dim_customers"},
        "segment_summary": {"customer_rfm", "fct_orders", "dim_customers"},
        "fct_cases": {"dim_customers"},
        "dim_customers": set(),
    }
    held = downstream_marts(["fct_orders"], upstream)
    assert held == {
        "fct_orders": "its GX suite found an error",
        "customer_rfm": "built from fct_orders, held back",
        "segment_summary": "built from fct_orders, held back",
    }
    assert downstream_marts([], upstream) == {}


EMAIL = re.compile(r"^[^\s@*]+@[^\s@]+\.[a-z]{2,}$", re.IGNORECASE)


def test_the_pipeline_publishes_every_mart_without_raw_contacts(pipeline):
    paths, first, second, _ = pipeline
    assert first.success and second.success, "the pipeline failed: see test_pipeline.py"
    served = serving_database(paths)
    with duckdb.connect(str(paths.warehouse), read_only=True) as wh:
        marts = {
            r[0]: r[1]
            for r in wh.execute(
                "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        marts |= {
            r[0]: None
            for r in wh.execute(
                "select view_name, null from duckdb_views() where schema_name = 'marts' and not internal"
            ).fetchall()
        }
        # every raw and normalised email and phone the sources sent
        contacts: set[str] = set()
        for schema, table, column in wh.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema = 'staging' and (column_name like '%email%' or column_name like '%phone%') "
            "and data_type = 'VARCHAR'"
        ).fetchall():
            contacts |= {
                r[0]
                for r in wh.execute(
                    f'select distinct "{column}" from {schema}."{table}" where "{column}" is not null'
                ).fetchall()
            }
    assert len(contacts) > 1000  # the S data has them: the check below has something to find
    with duckdb.connect(str(served), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert tables == set(marts)
        run_ids = {
            r[0]
            for r in con.execute(
                "select run_id from publish_log where published_at = (select max(published_at) from publish_log)"
            ).fetchall()
        }
        assert len(run_ids) == 1
        leaks = []
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type = 'VARCHAR'"
        ).fetchall():
            values = {
                r[0]
                for r in con.execute(
                    f'select distinct "{column}" from marts."{table}" where "{column}" is not null'
                ).fetchall()
            }
            found = (values & contacts) | {v for v in values if EMAIL.match(v)}
            if found:
                leaks.append((table, column, sorted(found)[:3]))
        assert not leaks, leaks
        # both runs published: the log keeps the history
        assert con.execute("select count(distinct run_id) from publish_log").fetchone()[0] == 2


def test_a_killed_publish_leaves_nothing_the_next_one_does_not_clean(tmp_path):
    paths = Paths(tmp_path / "data")
    _warehouse(paths, 1)
    publish(paths, run_id="run-1")
    # what a publish killed mid-copy leaves: its staging file (and WAL) and Parquet parts
    folder = serving_database(paths).parent
    left = [
        folder / ".warehouse.duckdb.run-x.tmp",
        folder / ".warehouse.duckdb.run-x.tmp.wal",
        folder / "parquet" / ".orders_b.run-x.tmp",
    ]
    for p in left:
        p.write_bytes(b"half")
    published = publish(paths, run_id="run-2")
    assert sorted(published.leftovers_removed) == sorted(p.name for p in left)
    assert not [p for p in left if p.exists()]
    assert sorted(p.name for p in folder.rglob("*")) == sorted(
        ["parquet", "warehouse.duckdb", *(f"{m}.parquet" for m in MARTS)]
    )


def test_no_served_text_cell_is_a_spreadsheet_formula(tmp_path):
    """Text that did not come through ingestion (a seed, a model's label) is neutralised too:
    a cell that would run in a spreadsheet is served with a leading quote, in DuckDB and Parquet."""
    paths = Paths(tmp_path / "data")
    paths.data_dir.mkdir(parents=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.segments as select * from (values (1, '=HYPERLINK(\"x\")'), "
            "(2, '\t@SUM(1)'), (3, '+57 300 123 4567'), (4, 'Ernestos'), (5, '-12'), (6, null)) t(id, name)"
        )
    published = publish(paths, run_id="run-1")
    expected = [
        (1, '\'=HYPERLINK("x")'),
        (2, "'\t@SUM(1)"),
        (3, "+57 300 123 4567"),
        (4, "Ernestos"),
        (5, "-12"),
        (6, None),
    ]
    with duckdb.connect(str(published.database), read_only=True) as con:
        assert con.execute("select id, name from marts.segments order by id").fetchall() == expected
    with duckdb.connect() as con:
        assert (
            con.execute(
                f"select id, name from read_parquet('{published.parquet_dir / 'segments.parquet'}') order by id"
            ).fetchall()
            == expected
        )


def test_served_contact_hashes_are_keyed_and_no_key_in_the_repository_reproduces_them(pipeline):
    """The hashes are HMAC-SHA256 of the landed contacts under the run's secret key (computed
    here with Python's hmac); hashing the same values with anything in the repository (the old
    public demo salt, an empty or all-zero key) matches none of them."""
    import hashlib
    import hmac
    import os

    from dagster_project.privacy import PII_SECRET_ENV

    paths, *_ = pipeline
    with duckdb.connect(str(paths.warehouse), read_only=True) as wh:
        emails = {
            r[0]
            for r in wh.execute(
                "select distinct email_normalized from staging.stg_sales__customers where email_normalized is not null"
            ).fetchall()
        }
    with duckdb.connect(str(serving_database(paths)), read_only=True) as con:
        served = {
            r[0]
            for r in con.execute(
                "select email_hash from marts.dim_customers where email_hash is not null "
                "union select phone_hash from marts.dim_customers where phone_hash is not null "
                "union select document_hash from marts.dim_customers "
                "where document_hash is not null"
            ).fetchall()
        }
    assert len(emails) > 1000 and len(served) > 1000
    key = bytes.fromhex(os.environ[PII_SECRET_ENV])
    assert len({hmac.new(key, e.encode(), hashlib.sha256).hexdigest() for e in emails} & served) > 1000
    for guess in (b"vector-crm-demo-salt", b"", bytes(32)):
        salted = {hashlib.sha256(guess + e.encode()).hexdigest() for e in emails}
        keyed = {hmac.new(guess, e.encode(), hashlib.sha256).hexdigest() for e in emails}
        assert not (salted | keyed) & served, guess


def test_published_tables_and_columns_carry_their_descriptions(tmp_path):
    paths = Paths(tmp_path / "data")
    _warehouse(paths, 1)
    docs = {"customers_a": TableDoc("Customers, one row per id.", {"id": "The customer's id (it's unique)."})}
    published = publish(paths, run_id="run-1", docs=docs)
    with duckdb.connect(str(published.database), read_only=True) as con:
        tables = dict(
            con.execute("select table_name, comment from duckdb_tables() where schema_name = 'marts'").fetchall()
        )
        columns = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = 'customers_a'"
            ).fetchall()
        )
    # a mart without descriptions gets none, but publish's own column is always described
    assert tables == {"customers_a": "Customers, one row per id.", "orders_b": None, "summary_c": None}
    assert columns == {"id": "The customer's id (it's unique).", "v": None, "publish_run_id": RUN_ID_DESCRIPTION}
    kv = {
        k.decode(): v.decode()
        for k, v in duckdb.execute(
            "select key, value from parquet_kv_metadata(?)", [str(published.parquet_dir / "customers_a.parquet")]
        ).fetchall()
    }
    assert kv == {
        "description": "Customers, one row per id.",
        "column:id": "The customer's id (it's unique).",
        "column:publish_run_id": RUN_ID_DESCRIPTION,
    }


def test_the_served_marts_carry_the_dbt_descriptions(pipeline):
    paths, first, _, _ = pipeline
    assert first.success
    with duckdb.connect(str(serving_database(paths)), read_only=True) as con:
        tables = dict(
            con.execute("select table_name, comment from duckdb_tables() where schema_name = 'marts'").fetchall()
        )
        missing = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts' and comment is null"
        ).fetchall()
        r_score = con.execute(
            "select comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'customer_rfm' and column_name = 'r_score'"
        ).fetchone()[0]
    assert missing == []
    assert all(tables.values()), [t for t, c in tables.items() if not c]
    assert "customer_clv" in tables  # the Python-built mart, described by its dbt source
    # read independently from the YAML an analyst edits
    spec = yaml.safe_load((REPO_ROOT / "dbt/models/marts/segments/_segments__models.yml").read_text())
    rfm = next(m for m in spec["models"] if m["name"] == "customer_rfm")
    assert r_score == " ".join(next(c for c in rfm["columns"] if c["name"] == "r_score")["description"].split())
