"""Validation results, kept twice:

1. <data dir>/quality/results/<suite>/<run_at>-<run id>.parquet: one file per validation, one
   row per expectation. Append-only; the history's one truth. Small frames (profiles, mart
   totals) are kept beside them in quality/frames/, so that a suite can compare a value with
   the previous successful run's.
2. warehouse.duckdb, schema ``quality``: table ``validation_results`` (the whole history) and
   view ``latest_results`` (each suite's newest run). Rebuilt from the Parquet files on every
   sync, so a sync that fails (the warehouse busy) loses nothing and the next one catches up.
   Syncing writes the warehouse: the check steps that call it run in the warehouse pool,
   never beside dbt (see checks.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from ..ingest.rules import lit, q
from ..settings import Paths, duckdb_connect
from .validate import Outcome, gx_root

MAX_FRAME_ROWS = 1000


def results_dir(paths: Paths) -> Path:
    return gx_root(paths) / "results"


def frames_dir(paths: Paths) -> Path:
    return gx_root(paths) / "frames"


def _file_name(outcome: Outcome) -> str:
    safe_run = re.sub(r"[^A-Za-z0-9_-]", "_", outcome.run_id)[:40]
    return f"{outcome.run_at:%Y%m%dT%H%M%S}-{safe_run}.parquet"


def _write(frame: pd.DataFrame, target: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    con = duckdb_connect()
    try:
        con.register("frame", frame)
        con.execute(f"copy (select * from frame) to {lit(str(tmp))} (format parquet)")
    finally:
        con.close()
    tmp.replace(target)


def save(paths: Paths, outcome: Outcome, frame: pd.DataFrame) -> Path | None:
    if not outcome.results:
        return None
    target = results_dir(paths) / outcome.suite.name / _file_name(outcome)
    _write(pd.DataFrame(outcome.results), target)
    if 0 < len(frame) <= MAX_FRAME_ROWS:
        kept = frame.assign(_success=outcome.success, _run_at=outcome.run_at)
        _write(kept, frames_dir(paths) / outcome.suite.name / _file_name(outcome))
    return target


def previous_value(paths: Paths, suite_name: str, column: str):
    """The first row's `column` in the newest successful frame of a suite (None if none)."""
    files = sorted((frames_dir(paths) / suite_name).glob("*.parquet"))
    con = duckdb_connect()
    try:
        for f in reversed(files):  # names sort by time
            row = con.execute(
                f"select {q(column)} from read_parquet(?) where _success limit 1", [str(f)]
            ).fetchone()
            if row is not None:
                return row[0]
    except duckdb.BinderException:
        return None
    finally:
        con.close()
    return None


def sync_warehouse(paths: Paths) -> int:
    """Mirror the results history into warehouse.duckdb; returns the rows in the table.

    Each result file is appended once (the table keeps its `filename`), so a sync reads only
    the files written since the last one, not the whole history again for every check; a
    sync that could not run (the warehouse was locked) is caught up by the next."""
    files = {str(f) for f in results_dir(paths).glob("*/*.parquet")}
    if not files:
        return 0
    con = duckdb_connect(str(paths.warehouse))
    try:
        con.execute("create schema if not exists quality")
        columns = {r[0] for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'quality' and table_name = 'validation_results'").fetchall()}
        if "filename" in columns:
            mirrored = {r[0] for r in con.execute("select distinct filename from quality.validation_results").fetchall()}
            new = sorted(files - mirrored)
            if new:
                # a result file carries the columns its outcome needed (raw_rows only when
                # a raw check failed): widen the table first
                incoming = con.execute(
                    "describe select * from read_parquet(?, union_by_name = true, filename = true)", [new]
                ).fetchall()
                for name, type_, *_ in incoming:
                    if name not in columns:
                        con.execute(f"alter table quality.validation_results add column {q(name)} {type_}")
                con.execute(
                    "insert into quality.validation_results by name "
                    "select * from read_parquet(?, union_by_name = true, filename = true) order by run_at, suite",
                    [new],
                )
        else:  # first sync, or a table from before filenames were kept: build it whole
            con.execute(
                "create or replace table quality.validation_results as "
                "select * from read_parquet(?, union_by_name = true, filename = true) order by run_at, suite",
                [sorted(files)],
            )
        con.execute(
            "create or replace view quality.latest_results as select * from quality.validation_results "
            "qualify run_at = max(run_at) over (partition by suite)"
        )
        return con.execute("select count(*) from quality.validation_results").fetchone()[0]
    finally:
        con.close()
