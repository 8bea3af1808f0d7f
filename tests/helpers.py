"""Small test-side writers and readers, independent of the code under test."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.contracts import ALL_FEEDS, Feed, get_feed
from dagster_project.contracts.base import LINEAGE_COLUMNS
from dagster_project.ingest import verdicts
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT, Paths


def example_row(feed: Feed) -> dict[str, str]:
    """A row made of the contract's example values."""
    return {c.name: c.example for c in feed.columns}


def write_landed(path: Path, feed: Feed, rows: list[dict], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if feed.file_format == "csv":
        header = header or feed.column_names
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for r in rows:
                w.writerow([r.get(h, "") for h in header])
    else:
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def read_rows(folder: Path, columns: str = "*", where: str = "true") -> list[dict]:
    files = sorted(str(p) for p in folder.glob("part-*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    try:
        rel = con.execute(f"select {columns} from read_parquet(?, union_by_name = true) where {where}", [files])
        names = [d[0] for d in rel.description]
        return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def query_dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    """The rows of a query as dicts keyed by column name."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def last_landing_day(paths) -> str:
    """The latest YYYY-MM-DD in the landing files' names (the generator names daily files so)."""
    return max(m.group(0) for p in paths.landing.rglob("*") if (m := re.search(r"\d{4}-\d{2}-\d{2}", p.name)))


def land(data_dir: Path, files: Mapping[str, str]) -> None:
    """Write landing files: {path under landing/: text}."""
    for relative, text in files.items():
        path = data_dir / "landing" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def ingest_landing(data_dir: Path, timeout: int = 600) -> None:
    """Load the landing files and judge the new batches, as the pipeline's ingest steps do:
    `python -m dagster_project.ingest`, then the raw GX suites (`python -m dagster_project.quality
    --kind raw --no-sync`), each in its own process, as a user runs them."""
    import os
    import subprocess

    from dagster_project.settings import REPO_ROOT

    env = os.environ | {
        "VECTOR_CRM_DATA_DIR": str(data_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "VECTOR_CRM_QUALITY_DATA_DOCS": "0",
    }
    for command in (["dagster_project.ingest"], ["dagster_project.quality", "--kind", "raw", "--no-sync"]):
        result = subprocess.run(
            [sys.executable, "-m", *command], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, result.stdout + result.stderr


def raw_counts(paths) -> dict[str, int]:
    """Rows in the raw lake per feed key."""
    con = duckdb.connect()
    try:
        return {
            f.key: con.execute(
                "select count(*) from read_parquet(?)", [str(paths.raw / f.source / f.name / "*.parquet")]
            ).fetchone()[0]
            for f in ALL_FEEDS
        }
    finally:
        con.close()


# --------------------------------------------------------------------------- raw lake by hand

LINEAGE_TYPES = {name: typ for name, typ, _ in LINEAGE_COLUMNS}


def _columns(feed: Feed) -> dict[str, str]:
    return {c.name: c.duckdb_type for c in feed.columns} | LINEAGE_TYPES


def _create_table(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    cols = ", ".join(f'"{name}" {type_}' for name, type_ in _columns(feed).items())
    con.execute("drop table if exists rows")
    con.execute(f"create table rows ({cols})")


def _copy(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(f"copy rows to '{path}' (format parquet)")


def write_raw_batch(
    data_dir: Path,
    source: str,
    name: str,
    batch: Mapping[str, Any],
    file_name: str,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Write one landed file's rows as the ingestion would: typed columns plus lineage, and
    the verdict its quality gate gives a clean batch (admitted: staging reads it).

    Rows give only the columns they need; the others are null. `_source_row` is the
    line in the landed file (the header is line 1).
    """
    feed = get_feed(source, name)
    feed_dir = data_dir / "lake" / "raw" / source / name
    feed_dir.mkdir(parents=True, exist_ok=True)
    columns = _columns(feed)
    with duckdb.connect() as con:
        _create_table(con, feed)
        if not (feed_dir / "_schema.parquet").exists():
            _copy(con, feed_dir / "_schema.parquet")
        for line, row in enumerate(rows, start=2):
            unknown = set(row) - set(columns)
            assert not unknown, f"{feed.key}: no such columns {unknown}"
            values = dict(row) | {
                "_source_file": f"{source}/{name}/{file_name}",
                "_source_row": line,
                "_batch_id": batch["batch_id"],
                "_loaded_at": batch["loaded_at"],
            }
            names = list(values)
            con.execute(
                f"insert into rows ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
                [values[n] for n in names],
            )
        _copy(con, feed_dir / f"{batch['batch_id'][:8]}-{file_name}.parquet")
    verdicts.write(
        Paths(data_dir),
        feed,
        [{"batch_id": batch["batch_id"], "source_file": f"{source}/{name}/{file_name}", "verdict": "admitted"}],
        run_id="test",
    )


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_build(data_dir: Path, select: Sequence[str]) -> None:
    """`dbt build --select ...` of the project on DuckDB in `data_dir`, with only the tests whose
    every parent is selected (indirect selection cautious); fails the test with dbt's output."""
    env = os.environ | {"VECTOR_CRM_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("VECTOR_CRM_DBT_TARGET", None)
    result = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(data_dir / "dbt_target"),
            "--log-path",
            str(data_dir / "dbt_logs"),
            "--select",
            *select,
            "--indirect-selection",
            "cautious",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout}\n{result.stderr}"


# Comparing two builds' marts: columns that say when, how fast or by which run a row was made,
# not what the data says (_admitted_at: when a run's ingestion admitted the batch); and tables
# that keep a row per run (only the latest run's rows count).
RUN_COLUMNS = {"publish_run_id", "run_id", "fitted_at", "fit_seconds", "_admitted_at"}
PER_RUN = {"clv_model_fit": "fitted_at"}


def comparable_column(column: str, data_type: str) -> str:
    """Numbers as doubles rounded to 9 significant digits (equal within 1e-9 relative), the rest
    as text."""
    if data_type in ("DOUBLE", "FLOAT") or data_type.startswith("DECIMAL"):
        x = f'cast("{column}" as double)'
        scale = f"pow(10, floor(log10(abs({x}))))"
        return f'case when {x} = 0 then 0 else round({x} / {scale}, 9) * {scale} end as "{column}"'
    return f'cast("{column}" as varchar) as "{column}"'


def mart_differences(a: Path, b: Path, schema: str = "marts", a_may_have_more: bool = False) -> dict[str, int]:
    """Rows of each table of `schema` in DuckDB file `b` missing from the same table in `a` or
    the reverse (`except all` both ways, numbers within 1e-9 relative), for the tables that
    differ. Both files must have the same tables with the same columns; with a_may_have_more,
    `a` may hold tables `b` lacks (a whole run's warehouse against a dbt build's)."""

    def tables(db: Path) -> dict[str, dict[str, str]]:
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_schema = ? order by table_name, ordinal_position",
                [schema],
            ).fetchall()
        out: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            if column not in RUN_COLUMNS:
                out.setdefault(table, {})[column] = data_type
        return out

    shape, in_a = tables(b), tables(a)
    if a_may_have_more:
        in_a = {t: in_a.get(t) for t in shape}
    assert shape and in_a == shape, "the two builds have different tables or columns"
    differences = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        for table, columns in shape.items():
            cols = ", ".join(comparable_column(c, t) for c, t in columns.items())
            where = {
                db: f"where {PER_RUN[table]} = (select max({PER_RUN[table]}) from {db}.{schema}.{table})"
                if table in PER_RUN
                else ""
                for db in ("a", "b")
            }
            sa, sb = (f"select {cols} from {db}.{schema}.{table} {where[db]}" for db in ("a", "b"))
            n = con.execute(
                f"select (select count(*) from ({sa} except all {sb})) + (select count(*) from ({sb} except all {sa}))"
            ).fetchone()[0]
            if n:
                differences[table] = n
    return differences


def resources(paths: Paths) -> dict:
    """The resources of an asset, check or sensor run outside the definitions: the warehouse
    resource on this data directory."""
    from dagster_project.resources import WarehouseResource

    return {"warehouse": WarehouseResource(data_dir=str(paths.data_dir))}
