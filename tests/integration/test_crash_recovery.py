"""`make run` killed with its whole process group (kill -9) during dbt, and again during the
publish copy: each next `make run` starts at once (the dead run is marked failed and its
warehouse slot freed, never waited for), succeeds, leaves no temporary file, and builds and
serves exactly what a clean build of the same landing files does (the session's pipeline)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from dagster_project.settings import DATA_DIR_ENV, REPO_ROOT, Paths
from tests.helpers import mart_differences

pytestmark = [pytest.mark.integration, pytest.mark.long]


def _start(paths: Paths, *args: str) -> subprocess.Popen:
    env = os.environ | {DATA_DIR_ENV: str(paths.data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.run", *args],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _kill_when(run: subprocess.Popen, ready, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert run.poll() is None, "the run ended before the moment to kill it"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()


def _run(paths: Paths) -> str:
    run = _start(paths)
    out, _ = run.communicate(timeout=900)
    assert run.returncode == 0, out[-4000:]
    return out


@pytest.fixture(scope="module")
def crashed(pipeline, tmp_path_factory):
    clean = pipeline[0]
    paths = Paths(tmp_path_factory.mktemp("crash") / "data")
    shutil.copytree(clean.landing, paths.landing)
    serving = paths.data_dir / "serving"
    outputs = {}

    # 1. killed during dbt: a few seconds after the dbt step started
    first = _start(paths)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: lines.extend((time.monotonic(), x) for x in first.stdout), daemon=True)
    reader.start()

    def dbt_running() -> bool:
        started = [t for t, line in list(lines) if "vector_crm_dbt_assets …" in line]
        return bool(started) and time.monotonic() - started[0] > 5

    _kill_when(first, dbt_running)
    assert not any("vector_crm_dbt_assets done" in line for _, line in lines)  # killed mid-build
    outputs["after_dbt_kill"] = _run(paths)

    # 2. killed during the publish copy: as soon as its temporary file exists (--force: the
    # landing files are those of the run that just completed, which would make this a no-op)
    second = _start(paths, "--force")
    _kill_when(second, lambda: any(serving.glob(".warehouse.duckdb.*.tmp")))
    left = sorted(p.name for p in serving.rglob(".*.tmp*"))
    outputs["after_publish_kill"] = _run(paths)
    return clean, paths, outputs, left


def test_the_next_run_frees_the_dead_runs_slot_and_never_waits(crashed):
    _, _, outputs, _ = crashed
    for name, out in outputs.items():
        assert "had lost its process" in out and "marked failed" in out, name
        assert "waiting for the 'warehouse' slot" not in out, name
        assert "vector-crm pipeline succeeded" in out, name


def test_a_killed_publish_leaves_no_temporary_file_behind(crashed):
    _, paths, _outputs, left = crashed
    assert any(name.startswith(".warehouse.duckdb.") for name in left)  # the kill did hit the copy
    assert not list((paths.data_dir / "serving").rglob(".*.tmp*"))


def test_the_recovered_warehouse_and_snapshot_equal_a_clean_build(crashed):
    clean, paths, _, _ = crashed
    assert mart_differences(clean.warehouse, paths.warehouse) == {}
    assert (
        mart_differences(
            clean.data_dir / "serving" / "warehouse.duckdb", paths.data_dir / "serving" / "warehouse.duckdb"
        )
        == {}
    )
