"""The README's "Connect a BI tool" recipes, run as written against a published snapshot."""

import shlex
import subprocess
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from dagster_project.serving.publish import publish
from dagster_project.settings import REPO_ROOT, Paths

pytestmark = pytest.mark.integration

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"


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
    publish(paths, run_id="recipe-run")
    return paths


def test_python_read_only(served):
    con = duckdb.connect(str(served.data_dir / "serving" / "warehouse.duckdb"), read_only=True)
    assert con.execute("select sum(records) from marts.segment_summary").fetchone() == (150,)
    con.close()


def test_sqlalchemy_duckdb_engine(served):
    engine = sa.create_engine(
        f"duckdb:///{served.data_dir / 'serving' / 'warehouse.duckdb'}", connect_args={"read_only": True}
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select segment_code, records from marts.segment_summary order by 1")).fetchall()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("CA55A", 30), ("PB35A", 120)]


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
