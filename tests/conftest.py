"""Test session setup: tests never touch ./data, and the dbt manifest exists before
anything imports the Dagster definitions."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from dagster_project.settings import DATA_DIR_ENV, Paths

VENV_BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"


def pytest_configure(config):
    # dagster-dbt and the tests call the venv's `dbt`.
    os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    session_dir = Path(tempfile.mkdtemp(prefix="vector-crm-tests-"))
    (session_dir / "data").mkdir()
    os.environ[DATA_DIR_ENV] = str(session_dir / "data")
    os.environ["DAGSTER_HOME"] = str(session_dir / "dagster_home")
    (session_dir / "dagster_home").mkdir(parents=True)
    (session_dir / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    from dagster_project.transform.project import dbt_project, prepare_manifest

    if not dbt_project.manifest_path.exists():
        prepare_manifest()


@pytest.fixture
def paths(tmp_path, monkeypatch) -> Paths:
    """A fresh, empty data directory for one test."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    p = Paths.from_env()
    p.landing.mkdir(parents=True)
    return p
