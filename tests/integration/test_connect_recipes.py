"""The README's "Connect a BI tool" recipes, run as written against a published snapshot."""

import json
import re
import shlex
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.serving.docs import TableDoc
from dagster_project.serving.publish import publish
from dagster_project.settings import REPO_ROOT, Paths

pytestmark = pytest.mark.integration

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
BI_PYTHON = Path(__file__).resolve().parents[2] / ".venv-bi" / "bin" / "python"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("recipes") / "data")
    paths.data_dir.mkdir(parents=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.segment_summary as select * from (values ('PB35A', 120), ('CA55A', 30)) "
            "as t(segment_code, records)"
        )
    publish(paths, run_id="recipe-run", docs={"segment_summary": TableDoc("The segment card (recipe fixture).")})
    return paths


def test_python_read_only(served):
    con = duckdb.connect(str(served.data_dir / "serving" / "warehouse.duckdb"), read_only=True)
    assert con.execute("select sum(records) from marts.segment_summary").fetchone() == (150,)
    con.close()


def _readme_python_block(marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    return next(b for b in blocks if marker in b)


def test_sqlalchemy_recipe_reflects_tables_in_the_bi_environment(served):
    """The README's SQLAlchemy block, run as written (from the directory holding data/) with the
    pinned BI side (.venv-bi, make bi-client), then what it reflected printed for checking."""
    recipe = _readme_python_block("import sqlalchemy")
    report = textwrap.dedent("""
        import json
        print(json.dumps({
            "columns": [(c["name"], str(c["type"])) for c in columns],
            "key": key["constrained_columns"],
            "comment": comment["text"],
            "table_columns": [c.name for c in segment_summary.columns],
            "rows": sorted([list(r[:2]) for r in rows]),
        }))
    """)
    out = subprocess.run(
        [str(BI_PYTHON), "-c", recipe + report],
        cwd=served.data_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.splitlines()[-1])
    assert got == {
        "columns": [["segment_code", "VARCHAR"], ["records", "INTEGER"], ["publish_run_id", "VARCHAR"]],
        "key": [],  # marts have no declared primary key
        "comment": "The segment card (recipe fixture).",
        "table_columns": ["segment_code", "records", "publish_run_id"],
        "rows": [["CA55A", 30], ["PB35A", 120]],
    }


def test_duckdb_cli_1x_reads_the_serving_file(served):
    out = subprocess.run(
        [
            str(VENV_BIN / "duckdb"),
            "-readonly",
            "-csv",
            str(served.data_dir / "serving" / "warehouse.duckdb"),
            "-c",
            "select run_id, sum(row_count) from publish_log group by 1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["run_id,sum(row_count)", "recipe-run,2"]


def test_parquet_for_any_tool(served):
    parquet = served.data_dir / "serving" / "parquet" / "segment_summary.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select count(*), max(publish_run_id) from '{parquet}'").fetchone() == (2, "recipe-run")


def test_every_duckdb_cli_line_of_the_readme_runs_as_written(served):
    """Each `.venv/bin/duckdb ...` line of the README, run from the directory that holds data/."""
    lines = [
        line.split("  #")[0]
        for line in (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(".venv/bin/duckdb ")
    ]
    assert len(lines) >= 2  # the first screen's and the serving section's
    for line in lines:
        argv = shlex.split(line)
        argv[0] = str(VENV_BIN / "duckdb")
        out = subprocess.run(argv, cwd=served.data_dir.parent, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, (line, out.stderr)
        assert "PB35A" in out.stdout and "CA55A" in out.stdout, (line, out.stdout)
