"""Spark as dbt's engine: the lake read in place, the marts mirrored back.

Spark reads Parquet, so nothing is copied in: before every build dbt's ``on-run-start`` hook
(dbt/macros/engine_setup.sql) makes each feed of the generated sources YAML an external table
``raw.<source>__<feed>`` over its lake folder. dbt-spark's ``session`` method runs Spark inside
dbt's process (pyspark, Java 17): tables are Parquet folders under the Spark warehouse,
``$VECTOR_CRM_SPARK_WAREHOUSE`` (default ``<data dir>/spark/warehouse``), with a Derby
metastore beside it. After the build, ``mirror_marts`` reads each mart's Parquet folder into
the local ``warehouse.duckdb``, so that the CLV fit, the GX mart suites and the publish step
read the engine's marts exactly as they read DuckDB's own.

A cluster (method ``thrift``, ``VECTOR_CRM_SPARK_HOST``) writes its warehouse where the cluster
says; the mirror then needs that location readable here (a mount) as
``$VECTOR_CRM_SPARK_WAREHOUSE``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..settings import DBT_PROJECT_DIR, Paths
from ..sql import lit, q
from .mirror import replace_schema

WAREHOUSE_ENV = "VECTOR_CRM_SPARK_WAREHOUSE"
LOG4J_ENV = "VECTOR_CRM_SPARK_LOG4J"  # Spark's log settings (dbt/spark/log4j2.properties: errors only)


def warehouse_dir(paths: Paths) -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or paths.data_dir / "spark" / "warehouse")


def prepare_environment(paths: Paths) -> None:
    """What dbt's Spark session needs in its environment (inherited by the dbt process)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no lookup of the machine's name
    os.environ.setdefault(WAREHOUSE_ENV, str(warehouse_dir(paths)))
    os.environ.setdefault(LOG4J_ENV, str(DBT_PROJECT_DIR / "spark" / "log4j2.properties"))


def mirror_marts(paths: Paths, schema: str = "marts") -> dict[str, int]:
    """Replace the local DuckDB file's `schema` with a copy of Spark's tables of that schema.

    Spark writes timestamps as instants (UTC, the session's zone); they come back as the
    zone-less timestamps the other engines give.
    """
    root = warehouse_dir(paths) / f"{schema}.db"
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    def loader(folder: Path):
        def load(con, target: str) -> None:
            if not any(folder.glob("*.parquet")):
                raise FileNotFoundError(f"spark: no Parquet file in {folder} (a table Spark did not finish?)")
            source = f"read_parquet({lit(str(folder / '*.parquet'))})"
            select = ", ".join(
                f"cast({q(name)} as timestamp) as {q(name)}" if typ == "TIMESTAMP WITH TIME ZONE" else q(name)
                for name, typ, *_ in con.execute(f"describe select * from {source}").fetchall()
            )
            con.execute(f"create table {target} as select {select} from {source}")

        return load

    return replace_schema(paths, schema, ((f.name, loader(f)) for f in folders))
