"""The warehouse resource: bound from the environment once by the definitions, resolved when
a run starts, required by every asset, check and sensor that reads the data directory."""

from __future__ import annotations

import os
import re
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.quality.accept_job import accept_op
from dagster_project.resources import WarehouseResource, warehouse_from_env
from dagster_project.settings import DATA_DIR_ENV, ENGINE_ENV, REPO_ROOT


def test_a_set_variable_is_bound_by_name_and_read_when_the_resource_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "first"))
    resource = warehouse_from_env()
    assert resource.data_dir == dg.EnvVar(DATA_DIR_ENV)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "second"))  # as a test session does between runs
    with dg.build_resources({"warehouse": resource}) as built:
        assert built.warehouse.paths().landing == tmp_path / "second" / "landing"


def test_unset_variables_default_to_the_repository_data_directory_and_duckdb(monkeypatch):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    resource = warehouse_from_env()
    assert (resource.data_dir, resource.engine) == (str(REPO_ROOT / "data"), "duckdb")


def test_dbt_sees_the_resource_s_data_directory_and_engine(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, "/elsewhere")
    monkeypatch.setenv(ENGINE_ENV, "duckdb")
    WarehouseResource(data_dir=str(tmp_path / "d" / ".." / "d"), engine="postgres").export_env()
    assert (os.environ[DATA_DIR_ENV], os.environ[ENGINE_ENV]) == (str(tmp_path / "d"), "postgres")


def test_an_unknown_engine_is_refused_before_dbt_starts(tmp_path):
    with pytest.raises(ValueError, match="oracle"):
        WarehouseResource(data_dir=str(tmp_path), engine="oracle").export_env()


def test_every_step_and_sensor_that_reads_the_data_directory_requires_the_resource():
    graph = defs.resolve_asset_graph()
    needs = {
        node.key.to_user_string()
        for node in graph.asset_nodes
        if node.is_materializable and "warehouse" in graph.assets_def_for_key(node.key).required_resource_keys
    }
    keys = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert needs == keys  # ingest, dbt, the CLV fit, publishing, the reports: every one reads or writes it
    assert "warehouse" in defs.resolve_sensor_def("new_landing_files").required_resource_keys
    assert "warehouse" in accept_op.required_resource_keys


def test_only_command_line_entry_points_read_the_data_directory_from_the_environment():
    root = REPO_ROOT / "dagster_project"
    readers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"Paths\.from_env\(\)", p.read_text(encoding="utf-8"))
    )
    entry_points = [str(p.relative_to(root)) for p in root.rglob("*.py") if _is_entry_point(p)]
    # besides the entry points: the resource's default, the data directory dbt parses with, and
    # the default of DuckDB's spill folder (settings.duckdb_settings, beside the data)
    allowed = {"resources.py", "transform/project.py", "settings.py"}
    assert readers and set(readers) - allowed <= set(entry_points), readers
    assert {"ingest/assets.py", "serving/assets.py", "clv/asset.py"}.isdisjoint(readers)


def _is_entry_point(path: Path) -> bool:
    """A module run with `python -m` (a __main__.py, or one with an `if __name__` block)."""
    return path.name == "__main__.py" or 'if __name__ == "__main__"' in path.read_text(encoding="utf-8")
