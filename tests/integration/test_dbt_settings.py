"""dbt's DuckDB connection takes the memory limit, threads and spill folder the pipeline sets
(profiles.yml reads settings.duckdb_settings' variables)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import DATA_DIR_ENV, DBT_PROJECT_DIR, DUCKDB_MEMORY_LIMIT_ENV, DUCKDB_THREADS_ENV

pytestmark = pytest.mark.integration


def test_dbt_runs_with_the_pipelines_duckdb_settings(tmp_path):
    env = os.environ | {
        DATA_DIR_ENV: str(tmp_path),
        DUCKDB_MEMORY_LIMIT_ENV: "1GB",
        DUCKDB_THREADS_ENV: "1",
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    env.pop("VECTOR_CRM_DUCKDB_TEMP_DIR", None)
    sql = (
        "select current_setting('memory_limit') as memory, current_setting('threads') as threads, "
        "current_setting('temp_directory') as spill"
    )
    out = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "show", "--inline", sql, "--output", "json", "--log-format", "json"],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    shown = next(json.loads(line)["data"] for line in out.stdout.splitlines() if '"preview"' in line)
    (row,) = json.loads(shown["preview"])
    with duckdb.connect() as con:  # how DuckDB itself shows 1 GB
        con.execute("set memory_limit = '1GB'")
        one_gb = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert row == {"memory": one_gb, "threads": 1, "spill": str(tmp_path / "tmp" / "duckdb")}
