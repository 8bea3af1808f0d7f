"""PostgreSQL as dbt's engine: the raw lake loaded into schema raw, the marts mirrored back.

PostgreSQL cannot read Parquet, so before dbt builds, ``load_raw`` copies each feed's batches
that PostgreSQL does not hold yet into ``raw.<source>__<feed>`` (the generated sources YAML
names them; one transaction per feed, so a batch is there whole or not at all), and the
lake's batch verdicts into ``raw.lake__batch_verdicts`` (small: replaced whole). After the
build, ``mirror_marts`` copies every table of schema ``marts`` into the local
``warehouse.duckdb``, so that the CLV fit, the GX mart suites and the publish step read the
engine's marts exactly as they read DuckDB's own.

Connection: ``$VECTOR_CRM_PG_HOST`` / ``_PORT`` / ``_USER`` / ``_PASSWORD`` / ``_DATABASE``
(dbt's profile reads the same). Without a host, ``local_server`` runs a throwaway cluster in
``<data dir>/postgres`` on 127.0.0.1 (``make run ENGINE=postgres`` and the tests).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..contracts import ALL_FEEDS
from ..contracts.base import LINEAGE_COLUMNS, Feed
from ..ingest import verdicts
from ..settings import Paths, duckdb_connect
from ..sql import LAKE_SOURCE, RAW_SCHEMA, lit, q, raw_table
from .mirror import replace_schema

PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
}
ENV = {
    "host": "VECTOR_CRM_PG_HOST",
    "port": "VECTOR_CRM_PG_PORT",
    "user": "VECTOR_CRM_PG_USER",
    "password": "VECTOR_CRM_PG_PASSWORD",
    "database": "VECTOR_CRM_PG_DATABASE",
}


def pg_type(duckdb_type: str) -> str:
    return "numeric" + duckdb_type[len("DECIMAL") :] if duckdb_type.startswith("DECIMAL") else PG_TYPES[duckdb_type]


@dataclass(frozen=True)
class PgSettings:
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = "vector_crm"

    @classmethod
    def from_env(cls) -> PgSettings:
        d = cls()
        return cls(
            os.environ.get(ENV["host"]) or d.host,
            int(os.environ.get(ENV["port"]) or d.port),
            os.environ.get(ENV["user"]) or d.user,
            os.environ.get(ENV["password"]) or d.password,
            os.environ.get(ENV["database"]) or d.database,
        )

    def export_env(self) -> None:
        for field, name in ENV.items():
            os.environ[name] = str(getattr(self, field))

    def connect(self, database: str | None = None):
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=database or self.database
        )


# --- raw lake -> schema raw -------------------------------------------------------------------


def _tables() -> list[tuple[str, dict[str, str], Feed]]:
    """(raw table, {column: DuckDB type}, feed) for every feed."""
    out = []
    for f in ALL_FEEDS:
        columns = {c.name: c.duckdb_type for c in f.columns} | {n: t for n, t, _ in LINEAGE_COLUMNS}
        out.append((raw_table(f.source, f.name), columns, f))
    return out


def _copy_in(pg, table: str, columns: dict[str, str], select: str, params: list, tmp: Path) -> int:
    """Write `select` (DuckDB, over the lake) to a CSV file and COPY it into raw.<table>."""
    cols = ", ".join(q(c) for c in columns)
    con = duckdb_connect()
    try:
        con.execute(f"copy ({select}) to {lit(str(tmp))} (format csv, header false)", params)
    finally:
        con.close()
    with pg.cursor() as cur, open(tmp, encoding="utf-8") as fh:
        cur.copy_expert(f"copy {RAW_SCHEMA}.{q(table)} ({cols}) from stdin with (format csv)", fh)
        return cur.rowcount


def _analyze(pg, table: str) -> None:
    """Fresh planner statistics for a table that just grew: dbt's build starts at once, long
    before autovacuum would analyze it, and plans its joins from them."""
    with pg.cursor() as cur:
        cur.execute(f"analyze {RAW_SCHEMA}.{q(table)}")
    pg.commit()


def load_raw(paths: Paths, settings: PgSettings, say: Callable[[str], None] = print) -> dict[str, int]:
    """Copy what PostgreSQL lacks of the raw lake into schema raw; returns rows copied per table."""
    copied: dict[str, int] = {}
    tmp = paths.data_dir / f".pg_load.{uuid.uuid4().hex[:8]}.csv"
    pg = settings.connect()
    try:
        with pg.cursor() as cur:
            cur.execute(f"create schema if not exists {RAW_SCHEMA}")
        pg.commit()
        for table, columns, feed in _tables():
            files = sorted(paths.feed_dir(paths.raw, feed.source, feed.name).glob("*.parquet"))
            with pg.cursor() as cur:
                cur.execute(
                    f"create table if not exists {RAW_SCHEMA}.{q(table)} ("
                    + ", ".join(f"{q(c)} {pg_type(t)}" for c, t in columns.items())
                    + ")"
                )
                for c, t in columns.items():  # a column added to the contract since the table was made
                    cur.execute(f"alter table {RAW_SCHEMA}.{q(table)} add column if not exists {q(c)} {pg_type(t)}")
                cur.execute(f"select distinct _batch_id from {RAW_SCHEMA}.{q(table)}")
                held = [r[0] for r in cur.fetchall()]
            if files:
                select = (
                    f"select {', '.join(q(c) for c in columns)} from read_parquet(?, union_by_name = true) "
                    "where _batch_id is not null and _batch_id not in (select unnest(?::varchar[]))"
                )
                copied[table] = _copy_in(pg, table, columns, select, [[str(f) for f in files], held], tmp)
            pg.commit()  # one feed's new batches, whole
            if copied.get(table):
                _analyze(pg, table)
        vtable = raw_table(LAKE_SOURCE, "batch_verdicts")
        vcolumns = {n: t for n, (t, _) in verdicts.VERDICT_COLUMNS.items()}
        parts = sorted(verdicts.verdicts_dir(paths).glob("*/*/part-*.parquet"))
        with pg.cursor() as cur:
            cur.execute(f"drop table if exists {RAW_SCHEMA}.{q(vtable)}")
            cur.execute(
                f"create table {RAW_SCHEMA}.{q(vtable)} ("
                + ", ".join(f"{q(c)} {pg_type(t)}" for c, t in vcolumns.items())
                + ")"
            )
        if parts:
            copied[vtable] = _copy_in(
                pg,
                vtable,
                vcolumns,
                f"select {', '.join(q(c) for c in vcolumns)} from read_parquet(?, union_by_name = true)",
                [[str(p) for p in parts]],
                tmp,
            )
        pg.commit()
        _analyze(pg, vtable)
    finally:
        pg.close()
        tmp.unlink(missing_ok=True)
    say(
        "postgres: " + ", ".join(f"{t} +{n:,}" for t, n in copied.items() if n)
        if any(copied.values())
        else "postgres: raw is up to date"
    )
    return copied


# --- marts -> the local DuckDB file -----------------------------------------------------------

DUCKDB_TYPES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "INTEGER",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "boolean": "BOOLEAN",
    "double precision": "DOUBLE",
    "real": "FLOAT",
}


def _duckdb_type(data_type: str, precision, scale) -> str:
    if data_type == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None else "DOUBLE"
    return DUCKDB_TYPES[data_type]


def mirror_marts(paths: Paths, settings: PgSettings, schema: str = "marts") -> dict[str, int]:
    """Replace the local DuckDB file's `schema` with a copy of PostgreSQL's (tables and views),
    each through a CSV file (COPY out, DuckDB's typed read in)."""
    pg = settings.connect()
    tmp = paths.data_dir / f".pg_mirror.{uuid.uuid4().hex[:8]}.csv"
    try:
        with pg.cursor() as cur:
            cur.execute(
                "select table_name, column_name, data_type, numeric_precision, numeric_scale "
                "from information_schema.columns where table_schema = %s "
                "order by table_name, ordinal_position",
                [schema],
            )
            tables: dict[str, list[tuple[str, str]]] = {}
            for table, column, data_type, precision, scale in cur.fetchall():
                tables.setdefault(table, []).append((column, _duckdb_type(data_type, precision, scale)))

        def loader(table: str, columns: list[tuple[str, str]]):
            def load(con, target: str) -> None:
                with pg.cursor() as cur, open(tmp, "w", encoding="utf-8") as fh:
                    cur.copy_expert(
                        f"copy (select * from {schema}.{q(table)}) to stdout with (format csv, header false)", fh
                    )
                con.execute(f"create table {target} (" + ", ".join(f"{q(c)} {t}" for c, t in columns) + ")")
                if tmp.stat().st_size:  # an empty mart has nothing to read (and no CSV to sniff)
                    types = "{" + ", ".join(f"{lit(c)}: {lit(t)}" for c, t in columns) + "}"
                    con.execute(
                        f"insert into {target} select * from read_csv({lit(str(tmp))}, header = false, "
                        f"columns = {types}, quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false)"
                    )

            return load

        return replace_schema(paths, schema, ((t, loader(t, cols)) for t, cols in tables.items()))
    finally:
        pg.close()
        tmp.unlink(missing_ok=True)


# --- a throwaway local server ------------------------------------------------------------------


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / name).exists():
            return str(root / name)
    raise FileNotFoundError(f"{name} not found: install PostgreSQL (Debian: apt-get install postgresql)")


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_server(folder: Path, say: Callable[[str], None] = print):
    """A PostgreSQL cluster in `folder` on 127.0.0.1 (made on first use), stopped on exit."""
    data, sock = folder / "cluster", folder / "socket"
    if not (data / "PG_VERSION").exists():
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        subprocess.run(
            _as_owner([_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
            check=True,
            capture_output=True,
        )
    sock.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(sock, "postgres")
    port = _free_port()
    subprocess.run(
        _as_owner(
            [
                _bin("pg_ctl"),
                "-D",
                str(data),
                "-o",
                f"-h 127.0.0.1 -p {port} -k {sock}",
                "-l",
                str(folder / "server.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    settings = PgSettings(port=port)
    try:
        for _ in range(50):
            try:
                settings.connect("postgres").close()
                break
            except Exception:
                time.sleep(0.2)
        con = settings.connect("postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", [settings.database])
            if not cur.fetchone():
                cur.execute(f"create database {settings.database}")
        con.close()
        say(f"postgres: local server on 127.0.0.1:{port} ({data})")
        yield settings
    finally:
        subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)
