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
        """Make the data directory and the DuckDB settings visible to child processes (dbt
        reads them in profiles.yml)."""
        os.environ[DATA_DIR_ENV] = str(self.data_dir)
        export_duckdb_env()


# DuckDB's resources, in one place. Every DuckDB the pipeline opens uses them: ingestion, the
# quality reads, CLV and publishing through duckdb_connect; dbt through profiles.yml, which reads
# the same variables (export_duckdb_env puts them in the environment before dbt starts). The
# memory limit bounds DuckDB's buffers, not the whole process: above it DuckDB spills to the
# temporary directory instead of growing; Python, pandas and Dagster add their own few hundred MB.
DUCKDB_MEMORY_LIMIT_ENV = "VECTOR_CRM_DUCKDB_MEMORY_LIMIT"
DUCKDB_THREADS_ENV = "VECTOR_CRM_DUCKDB_THREADS"
DUCKDB_TEMP_DIR_ENV = "VECTOR_CRM_DUCKDB_TEMP_DIR"
# 4 GB: with the rest of a stage's process this keeps every stage under 6 GB of RSS, and it
# leaves room on a 24 GB machine for two stages and the operating system. profiles.yml spells
# the same default for a dbt run by hand (tests/unit/test_settings.py holds them equal).
DUCKDB_MEMORY_LIMIT_DEFAULT = "4GB"


def duckdb_settings(data_dir: Path | None = None) -> dict[str, str]:
    """memory_limit, threads and temp_directory as the environment sets them, else the defaults:
    4 GB, one thread per core, and <data dir>/tmp/duckdb (spill files beside the data, on the
    disk that holds it, removed by DuckDB when the connection closes)."""
    data_dir = data_dir or Paths.from_env().data_dir
    return {
        "memory_limit": os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or DUCKDB_MEMORY_LIMIT_DEFAULT,
        "threads": str(int(os.environ.get(DUCKDB_THREADS_ENV) or os.cpu_count() or 1)),
        "temp_directory": os.environ.get(DUCKDB_TEMP_DIR_ENV) or str(duckdb_temp_dir(data_dir)),
    }


def duckdb_temp_dir(data_dir: Path) -> Path:
    return data_dir / "tmp" / "duckdb"


def export_duckdb_env() -> None:
    """Put the memory limit and thread count in the environment, for dbt's profiles.yml and child
    processes (a value already set stays). The spill directory is not exported: profiles.yml
    derives the same default from $VECTOR_CRM_DATA_DIR, and a set $VECTOR_CRM_DUCKDB_TEMP_DIR is
    already in the environment."""
    settings = duckdb_settings()
    os.environ.setdefault(DUCKDB_MEMORY_LIMIT_ENV, settings["memory_limit"])
    os.environ.setdefault(DUCKDB_THREADS_ENV, settings["threads"])
    make_spill_dir(settings["temp_directory"])


def make_spill_dir(path: str) -> None:
    """DuckDB creates the last folder of its spill path only: without its parent, the first
    query that spills fails ("Failed to create directory"), on the data that needs it most."""
    Path(path).mkdir(parents=True, exist_ok=True)


def share_duckdb_among(processes: int) -> None:
    """Processes that run side by side (the parallel ingestion CLI) each get their share of the
    cores and of the memory limit, unless the environment already sets them."""
    settings = duckdb_settings()
    os.environ.setdefault(DUCKDB_THREADS_ENV, str(max(1, int(settings["threads"]) // processes)))
    if not os.environ.get(DUCKDB_MEMORY_LIMIT_ENV):
        os.environ[DUCKDB_MEMORY_LIMIT_ENV] = f"{max(256, megabytes(settings['memory_limit']) // processes)}MB"


def megabytes(size: str) -> int:
    """'4GB', '512MB', '2GiB' as megabytes (DuckDB's units: powers of 1000, and of 1024 with i)."""
    import re

    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)(i?)B\s*", size, flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"{DUCKDB_MEMORY_LIMIT_ENV}={size!r}: give a size such as 4GB or 4096MB")
    number, power = float(match[1]), "_KMGT".index(match[2].upper() or "_")
    base = 1024 if match[3] else 1000
    return int(number * base**power / 1000**2)


def duckdb_connect(database: str = ":memory:", read_only: bool = False):
    """A DuckDB connection for pipeline code: no progress bar in logs, and the memory limit,
    threads and spill directory of duckdb_settings (processes that run side by side can share
    the cores by setting $VECTOR_CRM_DUCKDB_THREADS)."""
    import duckdb

    settings = duckdb_settings()
    make_spill_dir(settings["temp_directory"])
    con = duckdb.connect(database, read_only=read_only)
    con.execute("set enable_progress_bar = false")
    for name, value in settings.items():
        # DuckDB refuses to set the spill folder again once it has been used, even to the same
        # path, and a file opened twice in one process shares one database instance
        if name == "temp_directory" and con.execute("select current_setting('temp_directory')").fetchone()[0] == value:
            continue
        con.execute(f"set {name} = '{value}'")
    return con
