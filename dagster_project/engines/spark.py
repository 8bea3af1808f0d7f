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

from ..ingest.rules import lit, q
from ..settings import DBT_PROJECT_DIR, Paths, duckdb_connect

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
    tables = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    counts: dict[str, int] = {}
    con = duckdb_connect(str(paths.warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("begin")
        con.execute(f"drop schema if exists {schema} cascade")
        con.execute(f"create schema {schema}")
        for table in tables:
            if not any(table.glob("*.parquet")):
                raise FileNotFoundError(f"spark: no Parquet file in {table} (a table Spark did not finish?)")
            source = f"read_parquet({lit(str(table / '*.parquet'))})"
            columns = con.execute(f"describe select * from {source}").fetchall()
            select = ", ".join(
                f"cast({q(name)} as timestamp) as {q(name)}" if typ == "TIMESTAMP WITH TIME ZONE" else q(name)
                for name, typ, *_ in columns)
            con.execute(f"create table {schema}.{q(table.name)} as select {select} from {source}")
            counts[table.name] = con.execute(f"select count(*) from {schema}.{q(table.name)}").fetchone()[0]
        con.execute("commit")
    finally:
        con.close()
    return counts
