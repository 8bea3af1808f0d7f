"""The engine dbt builds on: DuckDB (the default, reads the lake in place), PostgreSQL (the
lake is loaded into schema raw first), Spark (external tables over the lake). Chosen by
$VECTOR_CRM_DBT_TARGET (make run ENGINE=...). On PostgreSQL and Spark the marts are mirrored
into the local DuckDB file after the build, so that the steps after dbt read them as always.
"""

from __future__ import annotations

from ..settings import ENGINE_ENV, ENGINES, Paths, engine

__all__ = ["ENGINES", "ENGINE_ENV", "engine", "mirror_marts", "prepare_environment"]


def prepare_environment(paths: Paths, name: str | None = None) -> None:
    """Settings the engine's dbt process needs in its environment, before dbt starts
    (name: the engine, by default $VECTOR_CRM_DBT_TARGET's)."""
    if (name or engine()) == "spark":
        from .spark import prepare_environment as spark_environment

        spark_environment(paths)


def mirror_marts(paths: Paths, name: str | None = None) -> dict[str, int] | None:
    """After a build on PostgreSQL or Spark: the engine's marts into the local DuckDB file
    (row count per mart). Nothing to do on DuckDB (None)."""
    name = name or engine()
    if name == "postgres":
        from .postgres import PgSettings
        from .postgres import mirror_marts as pg_mirror

        return pg_mirror(paths, PgSettings.from_env())
    if name == "spark":
        from .spark import mirror_marts as spark_mirror

        return spark_mirror(paths)
    return None
