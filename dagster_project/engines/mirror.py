"""The one way an engine's marts come back into the local DuckDB file (see engines/__init__)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..settings import Paths, duckdb_connect
from ..sql import q

# fills one table: (connection, qualified name) -> None; it creates the table
Loader = Callable[[object, str], None]


def replace_schema(paths: Paths, schema: str, tables: Iterable[tuple[str, Loader]]) -> dict[str, int]:
    """Replace `schema` of warehouse.duckdb with the given tables, in one transaction (a failed
    mirror leaves the previous marts whole); returns the row count per table."""
    counts: dict[str, int] = {}
    con = duckdb_connect(str(paths.warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("begin")
        con.execute(f"drop schema if exists {schema} cascade")
        con.execute(f"create schema {schema}")
        for name, load in tables:
            load(con, f"{schema}.{q(name)}")
            counts[name] = con.execute(f"select count(*) from {schema}.{q(name)}").fetchone()[0]
        con.execute("commit")
    finally:
        con.close()
    return counts
