"""Where everything lives at run time. One place, read from the environment.

All runtime data sits under one data directory: ``$VECTOR_CRM_DATA_DIR``
(default ``<repo>/data``). This module imports nothing heavy so that the
generator and the CLI start fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DATA_DIR_ENV = "VECTOR_CRM_DATA_DIR"
# The time zone the raw lake's timestamps are in: a landed timestamp with no offset is taken to
# be in it; one with an offset or zone name is converted to it (ingest/rules.py).
TIMEZONE_ENV = "VECTOR_CRM_TIMEZONE"


def timezone() -> str:
    return os.environ.get(TIMEZONE_ENV) or "UTC"


# The engine dbt builds on (dagster_project/engines/): make run ENGINE=...; dbt's profiles.yml
# reads it as its target.
ENGINE_ENV = "VECTOR_CRM_DBT_TARGET"
ENGINES = ("duckdb", "postgres", "spark")


def engine() -> str:
    name = os.environ.get(ENGINE_ENV) or "duckdb"
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_ENV}={name!r}: the engines are {', '.join(ENGINES)}")
    return name


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @classmethod
    def from_env(cls) -> Paths:
        raw = os.environ.get(DATA_DIR_ENV) or str(REPO_ROOT / "data")
        return cls(Path(raw).expanduser().resolve())

    @property
    def landing(self) -> Path:
        """Files as source systems export them; never modified by the pipeline."""
        return self.data_dir / "landing"

    @property
    def lake(self) -> Path:
        return self.data_dir / "lake"

    @property
    def raw(self) -> Path:
        return self.lake / "raw"

    @property
    def quarantine(self) -> Path:
        return self.lake / "quarantine"

    @property
    def manifest(self) -> Path:
        """The load manifest: one record per landed file, by content hash."""
        return self.lake / "manifest"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file only dbt writes."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def ground_truth(self) -> Path:
        """What the generator knows about its own data (true person ids, injected defects)."""
        return self.data_dir / "ground_truth"

    @property
    def bench(self) -> Path:
        return self.data_dir / "bench"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def dbt_target(self) -> Path:
        """dbt's artifacts and log of the last Dagster dbt step (one folder, reused by every run)."""
        return self.data_dir / "dbt_target"

    def feed_dir(self, layer: Path, source: str, feed: str) -> Path:
        return layer / source / feed

    def export_env(self) -> None:
        """Make the data directory visible to child processes (dbt reads it in profiles.yml)."""
        os.environ[DATA_DIR_ENV] = str(self.data_dir)


DUCKDB_THREADS_ENV = "VECTOR_CRM_DUCKDB_THREADS"


def duckdb_connect(database: str = ":memory:", read_only: bool = False):
    """A DuckDB connection for pipeline code: no progress bar in logs, and at most
    $VECTOR_CRM_DUCKDB_THREADS threads when set (processes that run side by side share
    the cores instead of fighting over them)."""
    import duckdb

    con = duckdb.connect(database, read_only=read_only)
    con.execute("set enable_progress_bar = false")
    if os.environ.get(DUCKDB_THREADS_ENV):
        con.execute(f"set threads = {int(os.environ[DUCKDB_THREADS_ENV])}")
    return con
