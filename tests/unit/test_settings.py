"""DuckDB's memory limit, threads and spill directory: one place (settings.duckdb_settings),
read from the environment, applied to every pipeline connection, and the same defaults in
dbt's profiles.yml."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from dagster_project import settings
from dagster_project.settings import (
    DBT_PROJECT_DIR,
    DUCKDB_MEMORY_LIMIT_ENV,
    DUCKDB_TEMP_DIR_ENV,
    DUCKDB_THREADS_ENV,
)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in (DUCKDB_MEMORY_LIMIT_ENV, DUCKDB_THREADS_ENV, DUCKDB_TEMP_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    return monkeypatch


def duckdb_reports(name: str, value: str) -> str:
    """How DuckDB itself shows a setting once set: the independent side of the comparisons."""
    with duckdb.connect() as con:
        con.execute(f"set {name} = '{value}'")
        return str(con.execute(f"select current_setting('{name}')").fetchone()[0])


def test_defaults_are_four_gigabytes_one_thread_per_core_and_a_folder_in_the_data_dir(clean_env, tmp_path):
    assert settings.duckdb_settings() == {
        "memory_limit": "4GB",
        "threads": str(os.cpu_count()),
        "temp_directory": str(tmp_path / "tmp" / "duckdb"),
    }


def test_the_environment_overrides_each_setting(clean_env, tmp_path):
    clean_env.setenv(DUCKDB_MEMORY_LIMIT_ENV, "1500MB")
    clean_env.setenv(DUCKDB_THREADS_ENV, "1")
    clean_env.setenv(DUCKDB_TEMP_DIR_ENV, str(tmp_path / "spill"))
    assert settings.duckdb_settings() == {
        "memory_limit": "1500MB",
        "threads": "1",
        "temp_directory": str(tmp_path / "spill"),
    }


def test_every_pipeline_connection_applies_them(clean_env, tmp_path):
    clean_env.setenv(DUCKDB_MEMORY_LIMIT_ENV, "1GB")
    clean_env.setenv(DUCKDB_THREADS_ENV, "1")
    with settings.duckdb_connect() as con:
        memory, threads, temp = con.execute(
            "select current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
        ).fetchone()
    assert memory == duckdb_reports("memory_limit", "1GB")
    assert memory != duckdb_reports("memory_limit", "4GB")
    assert threads == 1
    assert temp == str(tmp_path / "tmp" / "duckdb")


def test_side_by_side_processes_share_the_cores_and_the_memory(clean_env):
    settings.share_duckdb_among(2)
    assert os.environ[DUCKDB_MEMORY_LIMIT_ENV] == "2000MB"  # 4 GB = 4000 MB, halved
    assert os.environ[DUCKDB_THREADS_ENV] == str(max(1, os.cpu_count() // 2))


def test_a_set_limit_is_not_shared_again(clean_env):
    clean_env.setenv(DUCKDB_MEMORY_LIMIT_ENV, "3GB")
    settings.share_duckdb_among(2)
    assert os.environ[DUCKDB_MEMORY_LIMIT_ENV] == "3GB"


@pytest.mark.parametrize(
    ("size", "mb"), [("4GB", 4000), ("512MB", 512), ("2GiB", 2147), ("1.5 gb", 1500), ("750000KB", 750)]
)
def test_sizes_in_duckdb_units(size, mb):
    assert settings.megabytes(size) == mb


def test_a_size_that_is_not_one_says_how_to_write_it():
    with pytest.raises(ValueError, match="such as 4GB"):
        settings.megabytes("lots")


def test_profiles_yml_spells_the_same_defaults():
    """dbt run by hand (no exported variables) gets the pipeline's memory limit and spill folder."""
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    memory = re.search(r"memory_limit: .*env_var\('VECTOR_CRM_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", profile)
    assert memory and memory[1] == settings.DUCKDB_MEMORY_LIMIT_DEFAULT
    temp = re.search(r"temp_directory: .*env_var\('VECTOR_CRM_DATA_DIR'\) ~ '([^']+)'", profile)
    assert temp and temp[1] == "/" + settings.duckdb_temp_dir(Path()).as_posix()


def test_a_query_past_the_memory_limit_spills_into_a_folder_that_did_not_exist(clean_env, tmp_path):
    """Found on L: DuckDB creates only the last folder of the spill path, so the default
    <data dir>/tmp/duckdb failed the first query that needed to spill."""
    make = "create table t as select range as i, hash(range) as h from range(4000000)"
    query = "select count(*), min(i) from (select i, h, row_number() over (order by h) as n from t) where n = 1"
    # a plain DuckDB with the same limit and a spill path whose parent is missing: the query
    # must spill (4M rows sorted with their payload in 64 MB), so it fails
    with duckdb.connect(config={"memory_limit": "64MB", "threads": "1"}) as plain:
        plain.execute(f"set temp_directory = '{tmp_path / 'missing' / 'duckdb'}'")
        with pytest.raises(duckdb.IOException, match="Failed to create directory"):
            plain.execute(make)
            plain.execute(query).fetchone()
    with duckdb.connect() as unlimited:  # the answer, computed without a limit
        unlimited.execute(make)
        expected = unlimited.execute("select i from t order by h limit 1").fetchone()[0]
    clean_env.setenv(DUCKDB_MEMORY_LIMIT_ENV, "64MB")
    clean_env.setenv(DUCKDB_THREADS_ENV, "1")
    assert not (tmp_path / "tmp").exists()
    with settings.duckdb_connect() as con:
        con.execute(make)
        assert con.execute(query).fetchone() == (1, expected)
    assert (tmp_path / "tmp" / "duckdb").is_dir()


def test_exporting_the_settings_makes_the_spill_folder_for_dbt(clean_env, tmp_path):
    settings.export_duckdb_env()
    assert (tmp_path / "tmp" / "duckdb").is_dir()
