"""The mirrors that bring an engine's marts back into warehouse.duckdb (engines/): values come
back exactly (text with quotes, commas and line breaks; empty text apart from null; decimals;
Spark's UTC instants as zone-less timestamps), an empty mart comes back empty, and a mirror
that fails leaves the previous marts whole."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.engines import postgres, spark
from dagster_project.settings import Paths


@pytest.fixture
def mirror_paths(tmp_path) -> Paths:
    paths = Paths(tmp_path / "data")
    paths.data_dir.mkdir()
    with duckdb.connect(str(paths.warehouse)) as con:  # the marts of an earlier build
        con.execute("create schema marts; create table marts.old_mart as select 1 as x")
    return paths


def _rows(paths: Paths, sql: str):
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _tables(paths: Paths) -> list[str]:
    return [
        t
        for (t,) in _rows(
            paths, "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        )
    ]


def _spark_table(root: Path, name: str, sql: str | None) -> None:
    folder = root / "marts.db" / name
    folder.mkdir(parents=True)
    if sql is not None:
        with duckdb.connect() as con:
            con.execute("set TimeZone = 'America/Bogota'")  # not UTC: the mirror must not depend on it
            con.execute(f"copy ({sql}) to '{folder / 'part-00000.parquet'}' (format parquet)")


def test_spark_mirror_reads_each_table_folder_and_turns_instants_into_utc_times(mirror_paths, monkeypatch):
    root = mirror_paths.data_dir / "spark" / "warehouse"
    monkeypatch.setenv(spark.WAREHOUSE_ENV, str(root))
    _spark_table(
        root,
        "fct_a",
        "select 'x, \"y\"' as t, cast('2024-03-01 05:00:00+00' as timestamptz) as at, cast(1.5 as decimal(28,6)) as d",
    )
    _spark_table(root, "empty_b", "select 'x' as t where false")
    assert spark.mirror_marts(mirror_paths) == {"empty_b": 0, "fct_a": 1}
    assert _tables(mirror_paths) == ["empty_b", "fct_a"]
    assert _rows(mirror_paths, "select * from marts.fct_a") == [
        ('x, "y"', dt.datetime(2024, 3, 1, 5, 0), Decimal("1.5"))
    ]


def test_a_failed_spark_mirror_leaves_the_previous_marts_whole(mirror_paths, monkeypatch):
    root = mirror_paths.data_dir / "spark" / "warehouse"
    monkeypatch.setenv(spark.WAREHOUSE_ENV, str(root))
    _spark_table(root, "fct_a", "select 1 as x")
    _spark_table(root, "unfinished", None)  # a folder without Parquet
    with pytest.raises(FileNotFoundError, match="unfinished"):
        spark.mirror_marts(mirror_paths)
    assert _tables(mirror_paths) == ["old_mart"]


@pytest.fixture(scope="module")
def pg():
    folder = Path(tempfile.mkdtemp(prefix="vector-crm-pg-unit-"))  # under /tmp: the postgres user can reach it
    try:
        with postgres.local_server(folder, say=lambda _: None) as settings:
            yield settings
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_postgres_mirror_copies_values_exactly_and_keeps_empty_marts(mirror_paths, pg):
    con = pg.connect()
    with con.cursor() as cur:
        cur.execute("drop schema if exists marts cascade; create schema marts")
        cur.execute("create table marts.fct_a (t text, e text, n text, d numeric(28,6), at timestamp, c bigint)")
        cur.execute(
            "insert into marts.fct_a values (%s, '', null, 12.345678, '2024-03-01 05:00:00', 7)",
            ['line one\nsaid "hi", then left'],
        )
        cur.execute("create table marts.empty_b (t text)")
    con.commit()
    con.close()
    assert postgres.mirror_marts(mirror_paths, pg) == {"empty_b": 0, "fct_a": 1}
    assert _tables(mirror_paths) == ["empty_b", "fct_a"]
    assert _rows(mirror_paths, "select * from marts.fct_a") == [
        ('line one\nsaid "hi", then left', "", None, Decimal("12.345678"), dt.datetime(2024, 3, 1, 5, 0), 7)
    ]
