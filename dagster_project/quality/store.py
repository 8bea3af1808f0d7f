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

from ..ingest import verdicts
from ..settings import Paths, duckdb_connect
from ..sql import lit, q
from .validate import Outcome, gx_root


def acceptances_dir(paths: Paths) -> Path:
    return gx_root(paths) / "acceptances"


MAX_FRAME_ROWS = 1000


def results_dir(paths: Paths) -> Path:
    return gx_root(paths) / "results"


def frames_dir(paths: Paths) -> Path:
    return gx_root(paths) / "frames"


def safe_run_id(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", run_id)[:40]


def _file_name(outcome: Outcome) -> str:
    return f"{outcome.run_at:%Y%m%dT%H%M%S}-{safe_run_id(outcome.run_id)}.parquet"


def write_frame(frame: pd.DataFrame, target: Path, types: dict[str, str] | None = None) -> None:
    """Write atomically (a reader never sees half a file); `types` casts those columns (a
    column of empty cells has no type of its own)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    casts = ", ".join(f"cast({q(c)} as {t}) as {q(c)}" for c, t in (types or {}).items() if c in frame.columns)
    con = duckdb_connect()
    try:
        con.register("frame", frame)
        select = f"* replace ({casts})" if casts else "*"
        con.execute(f"copy (select {select} from frame) to {lit(str(tmp))} (format parquet)")
    finally:
        con.close()
    tmp.replace(target)


# Columns a result row may leave empty, typed so that the history reads as one table.
RESULT_TYPES = {
    "held_batches": "VARCHAR",
    "acceptance_id": "VARCHAR",
    "raw_rows": "VARCHAR",
    "exception": "VARCHAR",
    "observed_value": "VARCHAR",
    "column_name": "VARCHAR",
    "unexpected_count": "BIGINT",
    "element_count": "BIGINT",
}


def save(paths: Paths, outcome: Outcome, frame: pd.DataFrame) -> Path | None:
    if not outcome.results:
        return None
    target = results_dir(paths) / outcome.suite.name / _file_name(outcome)
    write_frame(pd.DataFrame(outcome.results), target, RESULT_TYPES)
    if 0 < len(frame) <= MAX_FRAME_ROWS:
        # _success: the run had no blocking failure, so its values are the ones published
        kept = frame.assign(_success=outcome.passed, _run_at=outcome.run_at)
        write_frame(kept, frames_dir(paths) / outcome.suite.name / _file_name(outcome))
    return target


def previous_value(paths: Paths, suite_name: str, column: str):
    """The first row's `column` in the newest frame of a suite whose run had no error (its
    warnings included: what was published is the new normal); None if none."""
    files = sorted((frames_dir(paths) / suite_name).glob("*.parquet"))
    con = duckdb_connect()
    try:
        for f in reversed(files):  # names sort by time
            row = con.execute(f"select {q(column)} from read_parquet(?) where _success limit 1", [str(f)]).fetchone()
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
    sync that could not run (the warehouse was locked) is caught up by the next. The
    acceptances and the lake's batch verdicts (small) are copied whole beside it."""
    files = {str(f) for f in results_dir(paths).glob("*/*.parquet")}
    if not files:
        return 0
    con = duckdb_connect(str(paths.warehouse))
    try:
        con.execute("create schema if not exists quality")
        _mirror(con, "acceptances", sorted(acceptances_dir(paths).glob("*.parquet")), "accepted_at")
        _mirror(con, "batch_verdicts", sorted(verdicts.verdicts_dir(paths).glob("*/*/part-*.parquet")), "judged_at")
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'quality' and table_name = 'validation_results'"
            ).fetchall()
        }
        if "filename" in columns:
            mirrored = {
                r[0] for r in con.execute("select distinct filename from quality.validation_results").fetchall()
            }
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


def _mirror(con, table: str, files: list[Path], order: str) -> None:
    if files:
        con.execute(
            f"create or replace table quality.{table} as select * from read_parquet(?, union_by_name = true) "
            f"order by {order}",
            [[str(f) for f in files]],
        )
