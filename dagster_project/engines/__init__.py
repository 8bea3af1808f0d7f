"""The engine dbt builds on: DuckDB (the default, reads the lake in place), PostgreSQL (the
lake is loaded into schema raw first). Chosen by $VECTOR_CRM_DBT_TARGET (make run ENGINE=...).
"""

from __future__ import annotations

import os

ENGINE_ENV = "VECTOR_CRM_DBT_TARGET"
ENGINES = ("duckdb", "postgres")


def engine() -> str:
    name = os.environ.get(ENGINE_ENV) or "duckdb"
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_ENV}={name!r}: the engines are {', '.join(ENGINES)}")
    return name
