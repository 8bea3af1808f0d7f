"""Publish the public marts for BI tools, without ever making them wait or see half a run.

DuckDB allows one writer or many readers on a file, never both. So BI tools never open the
warehouse the pipeline writes: they read ``serving/warehouse.duckdb``, a copy of the public
marts that is written whole under a temporary name and swapped in with one atomic rename.

- A reader that opened the old file keeps its open file (the rename only changes which file
  the name points at) and sees the old snapshot until it reconnects; a reader that connects
  after the rename sees the new one. Nobody ever sees a mixture, and the pipeline never waits
  for a reader: it takes no lock on the serving file.
- Every published table carries ``publish_run_id``, and ``publish_log`` (default schema) lists
  every publish so far: run id, time, mart, row count, and whether the mart was published or
  held back (with the reason; the snapshot then keeps the mart's last good version, whose
  ``publish_run_id`` says which run made it).
- A mart is held back when its GX suite found an error (serving/assets.py decides, this
  module carries it out); ``quality_status`` and ``quality_acceptances`` (default schema) say
  what is held back, warned about or accepted as of the snapshot (serving/status.py).
- ``serving/parquet/<mart>.parquet`` holds the same tables for tools that read files; each
  file is replaced atomically on its own (a reader of several files at once should use the
  DuckDB file, or compare their ``publish_run_id``).
- Every table and column carries its dbt description: a ``COMMENT`` in the DuckDB file and
  key-value metadata in the Parquet file (serving/docs.py).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..settings import Paths, duckdb_connect
from ..sql import formula_condition, q
from . import docs as mart_docs
from .docs import TableDoc

# The serving file is written in this storage format so that DuckDB 1.2 and later read it
# (CLIs, BI drivers and notebooks that bundle DuckDB 1.x): the warehouse itself is written in
# DuckDB 2.0's format (v69), which DuckDB 1.x cannot open.
SERVING_STORAGE_VERSION = "v1.2.0"
MARTS_SCHEMA = "marts"
LOG_TABLE = "publish_log"
RUN_ID_COLUMN = "publish_run_id"


@dataclass(frozen=True)
class Published:
    run_id: str
    published_at: datetime
    row_counts: dict[str, int]  # every mart in the snapshot (a held one: its last good version)
    database: Path
    parquet_dir: Path
    held: dict[str, str] = field(default_factory=dict)  # mart -> why it was held back
    served_run: dict[str, str] = field(default_factory=dict)  # held mart -> run of the version served
    leftovers_removed: list[str] = field(default_factory=list)  # temporary files of killed publishes


def serving_dir(paths: Paths) -> Path:
    return paths.data_dir / "serving"


def serving_database(paths: Paths) -> Path:
    return serving_dir(paths) / "warehouse.duckdb"


def public_marts(warehouse: Path) -> list[str]:
    """Every table and view of the warehouse's marts schema: the marts are public by design
    (keys, hashes and masks only; tests/integration/test_serving.py checks for raw PII)."""
    con = duckdb_connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [MARTS_SCHEMA],
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def _safe_columns(con, mart: str) -> str:
    """The mart's columns, each text cell that a spreadsheet would run as a formula prefixed
    with a quote (OWASP's advice for CSV injection), so that no served table or Parquet file
    holds one. Ingestion quarantines such cells already; this covers text from seeds and
    models too."""
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'source' and schema_name = ? "
        "and table_name = ? order by column_index",
        [MARTS_SCHEMA, mart],
    ).fetchall()
    out = []
    for name, data_type in columns:
        c = q(name)
        out.append(
            f"(case when {formula_condition(c)} then '''' || {c} else {c} end) as {c}" if data_type == "VARCHAR" else c
        )
    return ", ".join(out) or "*"  # no such mart: let the select say so


def _columns(con, mart: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe serving.{MARTS_SCHEMA}.{mart}").fetchall()]


def _doc(doc: TableDoc | None) -> TableDoc:
    """A mart's descriptions plus the column publish adds."""
    doc = doc or TableDoc("")
    return TableDoc(doc.description, {**doc.columns, RUN_ID_COLUMN: mart_docs.RUN_ID_DESCRIPTION})


def _comment(con, mart: str, doc: TableDoc | None) -> None:
    for statement in mart_docs.comment_statements(f"serving.{MARTS_SCHEMA}.{mart}", _doc(doc), _columns(con, mart)):
        con.execute(statement)


def remove_leftovers(paths: Paths) -> list[Path]:
    """Temporary files of publishes that never finished (their process was killed): only one
    publish runs at a time (the caller holds the warehouse slot), so every one is a leftover."""
    folder = serving_dir(paths)
    leftovers = [*folder.glob(".*.tmp"), *folder.glob(".*.tmp.wal"), *(folder / "parquet").glob(".*.tmp")]
    for p in leftovers:
        p.unlink(missing_ok=True)
    return leftovers


def publish(
    paths: Paths,
    run_id: str | None = None,
    marts: list[str] | None = None,
    held: dict[str, str] | None = None,
    extra_tables: dict | None = None,
    docs: dict[str, TableDoc] | None = None,
) -> Published:
    """Copy the public marts into a new serving file and swap it in. The warehouse is only
    read (the caller holds the single-writer slot, so dbt is not writing it meanwhile).

    `held` marts (mart -> reason) keep the version the current snapshot serves, if any;
    `extra_tables` (name -> pandas frame) are written to the default schema beside publish_log;
    `docs` (mart -> descriptions) default to the dbt manifest's."""
    run_id = run_id or uuid.uuid4().hex
    docs = mart_docs.load() if docs is None else docs
    held = held or {}
    marts = public_marts(paths.warehouse) if marts is None else marts
    # full precision: "the latest publish" must never be two runs in the same second
    published_at = datetime.now(UTC)
    target = serving_database(paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{run_id}.tmp")
    parquet_dir = serving_dir(paths) / "parquet"
    parquet_dir.mkdir(parents=True, exist_ok=True)
    removed = remove_leftovers(paths)

    counts: dict[str, int] = {}
    served_run: dict[str, str] = {}
    con = duckdb_connect()
    try:
        con.execute(f"attach '{staging}' as serving (storage_version '{SERVING_STORAGE_VERSION}')")
        con.execute(f"attach '{paths.warehouse}' as source (read_only)")
        has_previous = target.exists()
        if has_previous:  # the snapshot served now: its log's history, and held marts' last good versions
            con.execute(f"attach '{target}' as previous (read_only)")
        before = (
            {
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'previous' and schema_name = ?",
                    [MARTS_SCHEMA],
                ).fetchall()
            }
            if has_previous
            else set()
        )
        con.execute(f"create schema serving.{MARTS_SCHEMA}")
        for mart in marts:
            if mart in held:
                if mart not in before:
                    continue  # held back before it was ever published: absent until it passes
                con.execute(
                    f"create table serving.{MARTS_SCHEMA}.{mart} as select * from previous.{MARTS_SCHEMA}.{mart}"
                )
                served_run[mart] = con.execute(
                    f"select any_value({RUN_ID_COLUMN}) from serving.{MARTS_SCHEMA}.{mart}"
                ).fetchone()[0]
            else:
                con.execute(
                    f"create table serving.{MARTS_SCHEMA}.{mart} as "
                    f"select {_safe_columns(con, mart)}, cast(? as varchar) as {RUN_ID_COLUMN} "
                    f"from source.{MARTS_SCHEMA}.{mart}",
                    [run_id],
                )
            counts[mart] = con.execute(f"select count(*) from serving.{MARTS_SCHEMA}.{mart}").fetchone()[0]
            _comment(con, mart, docs.get(mart))
        con.execute("detach source")
        con.execute(
            f"create table serving.main.{LOG_TABLE} (run_id varchar, published_at timestamp with time zone, "
            f"mart varchar, row_count bigint, status varchar, reason varchar, served_run_id varchar)"
        )
        if has_previous:  # keep the history of earlier publishes (logs of older versions lack columns)
            con.execute(f"insert into serving.main.{LOG_TABLE} by name select * from previous.main.{LOG_TABLE}")
        con.executemany(
            f"insert into serving.main.{LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    published_at,
                    mart,
                    counts.get(mart),
                    "held" if mart in held else "published",
                    held.get(mart),
                    served_run.get(mart, run_id if mart not in held else None),
                )
                for mart in marts
            ],
        )
        for name, frame in (extra_tables or {}).items():
            con.register("extra", frame)
            con.execute(f"create table serving.main.{name} as select * from extra")
            con.unregister("extra")
        if has_previous:
            con.execute("detach previous")
        for mart in marts:
            if mart not in held:
                part = parquet_dir / f".{mart}.{run_id}.tmp"
                metadata = mart_docs.parquet_metadata(_doc(docs.get(mart)), _columns(con, mart))
                con.execute(f"copy serving.{MARTS_SCHEMA}.{mart} to '{part}' (format parquet, kv_metadata {metadata})")
        # everything in the one file: no WAL may travel separately from it
        con.execute("checkpoint serving")
        con.execute("detach serving")
    except BaseException:
        con.close()
        _remove(staging)
        for part in parquet_dir.glob(f".*.{run_id}.tmp"):
            part.unlink()
        raise
    con.close()

    os.replace(staging, target)  # the swap: atomic on one file system
    for mart in marts:
        if mart not in held:  # a held mart keeps its last good Parquet file
            os.replace(parquet_dir / f".{mart}.{run_id}.tmp", parquet_dir / f"{mart}.parquet")
    # marts that were published before and are gone now must not linger as stale files
    for stale in {p.stem for p in parquet_dir.glob("*.parquet")} - set(marts):
        (parquet_dir / f"{stale}.parquet").unlink()
    return Published(
        run_id, published_at, counts, target, parquet_dir, dict(held), served_run, [p.name for p in removed]
    )
