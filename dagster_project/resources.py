"""What every Dagster asset, check and sensor of the pipeline shares: the warehouse resource
(where the data lives, which engine dbt builds on) and the warehouse's concurrency pool.

Asset, check and sensor bodies take the resource as a parameter (``warehouse:
WarehouseResource``) instead of reading the environment themselves; the definitions build it
once from the environment (``warehouse_from_env``), and a test passes its own data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from .settings import DATA_DIR_ENV, ENGINE_ENV, ENGINES, Paths, export_duckdb_env

# Only one process may write warehouse.duckdb: every step that writes or reads it for long
# (dbt, the CLV fit, the publish step) takes a slot in this pool, whose limit is 1
# (dagster.yaml written by `python -m dagster_project.run` / `make dev`).
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The data directory (landing zone, lake, warehouse, quality results, serving snapshot)
    and the engine dbt builds the warehouse on."""

    data_dir: str
    engine: str = "duckdb"

    def paths(self) -> Paths:
        return Paths(Path(self.data_dir).expanduser().resolve())

    def engine_name(self) -> str:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r}: the engines are {', '.join(ENGINES)}")
        return self.engine

    def export_env(self) -> None:
        """Make the data directory, engine and DuckDB settings visible to dbt's process, whose
        profiles.yml reads them from the environment (called by the dbt step, just before dbt starts)."""
        os.environ[DATA_DIR_ENV] = str(self.paths().data_dir)
        os.environ[ENGINE_ENV] = self.engine_name()
        export_duckdb_env()


def warehouse_from_env() -> WarehouseResource:
    """The resource as the environment sets it: $VECTOR_CRM_DATA_DIR (default <repo>/data) and
    $VECTOR_CRM_DBT_TARGET (default duckdb). A variable that is set is bound as a Dagster
    EnvVar, resolved when a run starts and shown by name in the UI."""
    data_dir = dg.EnvVar(DATA_DIR_ENV) if os.environ.get(DATA_DIR_ENV) else str(Paths.from_env().data_dir)
    engine = dg.EnvVar(ENGINE_ENV) if os.environ.get(ENGINE_ENV) else "duckdb"
    return WarehouseResource(data_dir=data_dir, engine=engine)
