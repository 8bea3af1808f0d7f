"""The same dbt project on PostgreSQL and on Spark: `make run ENGINE=postgres|spark` on the
session's S landing files (seed 7) ingests, reads the lake (PostgreSQL: loaded into schema
raw; Spark: external tables over the lake folders), builds and tests every model there, checks
and publishes; every public mart it serves equals what the DuckDB build serves (`except all`
both ways on the Parquet exports; numbers within 1e-9 relative; run ids and times excluded).
Both engines run at once (their builds wait on different things: PostgreSQL's server, Spark's
planner), each in its own data directory. PostgreSQL runs on 127.0.0.1 for this module and is
stopped after it; Spark runs inside dbt's process (dbt-spark's session method)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from dagster_project.engines.postgres import ENV, load_raw, local_server
from dagster_project.settings import DATA_DIR_ENV, REPO_ROOT, Paths
from tests.helpers import PER_RUN, RUN_COLUMNS, comparable_column

pytestmark = [pytest.mark.integration, pytest.mark.long]


@pytest.fixture(scope="module")
def postgres():
    folder = Path(tempfile.mkdtemp(prefix="vector-crm-pg-"))  # under /tmp: the postgres user can reach it
    try:
        with local_server(folder, say=lambda _: None) as settings:
            yield settings
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def engine_runs(pipeline, postgres, tmp_path_factory):
    """`python -m dagster_project.run` (what make run calls) per engine, both at once."""
    duck = pipeline[0]
    started = {}
    for name, extra in (
        (
            "postgres",
            {
                ENV["host"]: postgres.host,
                ENV["port"]: str(postgres.port),
                ENV["user"]: postgres.user,
                ENV["database"]: postgres.database,
            },
        ),
        ("spark", {}),
    ):
        paths = Paths(tmp_path_factory.mktemp(name) / "data")
        shutil.copytree(duck.landing, paths.landing)
        env = (
            os.environ
            | extra
            | {
                DATA_DIR_ENV: str(paths.data_dir),
                "VECTOR_CRM_DBT_TARGET": name,
                "DAGSTER_HOME": str(paths.data_dir / "dagster_home"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
        )
        (paths.data_dir / "dagster_home").mkdir(parents=True)
        # output to files, not pipes: a full pipe would stall one run while the test waits on the other
        # closed after the runs, below
        out, err = (open(paths.data_dir.parent / f"run.{kind}", "w+", encoding="utf-8") for kind in ("out", "err"))  # noqa: SIM115
        started[name] = (
            paths,
            out,
            err,
            subprocess.Popen(
                [sys.executable, "-m", "dagster_project.run"], env=env, cwd=REPO_ROOT, stdout=out, stderr=err, text=True
            ),
        )
    runs = {}
    for name, (paths, out, err, process) in started.items():
        process.wait(timeout=1800)
        texts = []
        for fh in (out, err):
            fh.seek(0)
            texts.append(fh.read())
            fh.close()
        runs[name] = (duck, paths, subprocess.CompletedProcess(process.args, process.returncode, *texts))
    return runs


@pytest.fixture(scope="module")
def on_postgres(engine_runs):
    return engine_runs["postgres"]


@pytest.fixture(scope="module")
def on_spark(engine_runs):
    return engine_runs["spark"]


@pytest.fixture(params=["postgres", "spark"])
def on_engine(request, engine_runs):
    return engine_runs[request.param]


def _columns(con, path: Path) -> dict[str, str]:
    return {name: typ for name, typ, *_ in con.execute(f"describe select * from read_parquet('{path}')").fetchall()}


def _select(path: Path, columns: dict[str, str], where: str) -> str:
    """Numbers to 9 significant digits (1e-9 relative), the rest as text (comparable_column)."""
    return (
        f"select {', '.join(comparable_column(c, t) for c, t in columns.items())} from read_parquet('{path}') {where}"
    )


def test_make_run_engine_postgres_builds_checks_and_publishes(on_postgres):
    _, paths, run = on_postgres
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-3000:]
    assert "pg_raw_load done" in run.stdout and "vector-crm pipeline succeeded" in run.stdout
    with duckdb.connect(str(paths.data_dir / "serving" / "warehouse.duckdb"), read_only=True) as con:
        assert {s for (s,) in con.execute("select distinct status from publish_log").fetchall()} == {"published"}


def test_make_run_engine_spark_builds_checks_and_publishes(on_spark):
    _, paths, run = on_spark
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-3000:]
    assert (
        "spark: " in (paths.dagster_home / "last_run.log").read_text() and "vector-crm pipeline succeeded" in run.stdout
    )
    with duckdb.connect(str(paths.data_dir / "serving" / "warehouse.duckdb"), read_only=True) as con:
        assert {s for (s,) in con.execute("select distinct status from publish_log").fetchall()} == {"published"}
    # the lake is read in place: Spark's raw tables hold no copy of it
    warehouse = paths.data_dir / "spark" / "warehouse"
    assert list((warehouse / "marts.db").glob("*/*.parquet")) and not list(warehouse.glob("raw.db/**/*.parquet"))
    # the console carries the pipeline's lines, not Spark's warnings (one per statement by
    # default) or pyspark's about pandas
    assert not re.search(r"\d\d:\d\d:\d\d (WARN|ERROR) ", run.stdout + run.stderr), run.stderr[-3000:]
    assert "FutureWarning" not in run.stdout + run.stderr


def test_every_served_mart_equals_the_duckdb_build(on_engine):
    duck, paths, run = on_engine
    assert run.returncode == 0
    duck_dir, other_dir = duck.data_dir / "serving" / "parquet", paths.data_dir / "serving" / "parquet"
    marts = sorted(p.stem for p in duck_dir.glob("*.parquet"))
    assert marts == sorted(p.stem for p in other_dir.glob("*.parquet")) and len(marts) >= 30
    differences = {}
    con = duckdb.connect()
    for mart in marts:
        a, b = duck_dir / f"{mart}.parquet", other_dir / f"{mart}.parquet"
        columns = {c: t for c, t in _columns(con, a).items() if c not in RUN_COLUMNS}
        assert list(columns) == [c for c in _columns(con, b) if c not in RUN_COLUMNS], mart
        where = (
            f"where {PER_RUN[mart]} = (select max({PER_RUN[mart]}) from read_parquet('{{}}'))"
            if mart in PER_RUN
            else ""
        )
        sa, sb = _select(a, columns, where.format(a)), _select(b, columns, where.format(b))
        n = con.execute(
            f"select (select count(*) from ({sa} except all {sb})) + (select count(*) from ({sb} except all {sa}))"
        ).fetchone()[0]
        if n:
            differences[mart] = n
    assert differences == {}


def test_the_raw_load_copies_each_batch_once(on_postgres, postgres):
    _, paths, run = on_postgres
    assert run.returncode == 0
    again = load_raw(paths, postgres, say=lambda _: None)
    # nothing new in the lake: no feed copies a row; the verdicts are replaced whole
    assert {t: n for t, n in again.items() if t != "lake__batch_verdicts"} == {
        t: 0 for t in again if t != "lake__batch_verdicts"
    }
    con = postgres.connect()
    try:
        with con.cursor() as cur:
            cur.execute("select count(*), count(distinct _batch_id) from raw.sales__order_lines")
            rows, batches = cur.fetchone()
    finally:
        con.close()
    with duckdb.connect() as duck:
        expected = duck.execute(
            "select count(*), count(distinct _batch_id) from read_parquet(?)",
            [str(paths.raw / "sales" / "order_lines" / "*.parquet")],
        ).fetchone()
    assert (rows, batches) == expected
