"""`make lint` stays clean: SQLFluff with the dbt templater over every model and singular test,
SQLFluff with the jinja templater over the macros and generic tests (Jinja definitions, which the
dbt templater skips: their layout and line lengths, see dbt/macros/.sqlfluff), ruff (lint rules and formatting, configured in pyproject.toml) over the
Python."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT

pytestmark = pytest.mark.integration


def test_sqlfluff_finds_nothing_in_the_models_and_tests(tmp_path):
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    # should the templater write dbt files, they go to the test's folder: the other worker reads dbt/target
    env = os.environ | {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    out = subprocess.run(
        [str(sqlfluff), "lint", "models", "tests"], cwd=DBT_PROJECT_DIR, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "All Finished" in out.stdout + out.stderr


def test_sqlfluff_finds_nothing_in_the_macros_and_generic_tests():
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    out = subprocess.run(
        [str(sqlfluff), "lint", "--templater", "jinja", "macros", "tests/generic"],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    # every macro file was linted, not skipped as it is under the dbt templater
    assert "Skipped file" not in out.stdout + out.stderr


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_finds_nothing_in_the_python(command):
    ruff = Path(sys.executable).parent / "ruff"
    out = subprocess.run([str(ruff), *command], cwd=REPO_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
