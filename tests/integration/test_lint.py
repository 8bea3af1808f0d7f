"""`make lint` stays clean: SQLFluff with the dbt templater over every model."""

import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.integration


def test_sqlfluff_finds_nothing_in_the_models():
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    out = subprocess.run([str(sqlfluff), "lint", "models"], cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "All Finished" in out.stdout + out.stderr
