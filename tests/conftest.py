"""Test session setup: tests never touch ./data, and the dbt manifest exists before
anything imports the Dagster definitions."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from dagster_project.settings import DATA_DIR_ENV, Paths
from tests.helpers import last_landing_day, raw_counts

VENV_BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"


def _give_xdist_workers_a_main_file() -> None:
    """pytest-xdist's workers run under execnet, whose __main__ has neither __spec__ nor
    __file__. pyspark.sql.connect (Great Expectations imports it when the spark extra is
    installed) takes such a process for a doctest run and exits it (pyspark 4.3,
    sql/connect/utils.py check_dependencies). A worker's __main__ says what it is instead."""
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = "<pytest-xdist worker>"


_give_xdist_workers_a_main_file()


def pytest_configure(config):
    # dagster-dbt and the tests call the venv's `dbt`.
    os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    session_dir = Path(tempfile.mkdtemp(prefix="vector-crm-tests-"))
    (session_dir / "data").mkdir()
    os.environ[DATA_DIR_ENV] = str(session_dir / "data")
    os.environ["DAGSTER_HOME"] = str(session_dir / "dagster_home")
    # the contact hashes' key for every dbt build of the session, random as a real one
    import secrets

    from dagster_project.privacy import PII_SECRET_ENV

    os.environ[PII_SECRET_ENV] = secrets.token_hex(32)
    (session_dir / "dagster_home").mkdir(parents=True)
    (session_dir / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    from dagster_project.transform.project import MANIFEST_READY_ENV, dbt_project, prepare_manifest

    if not dbt_project().manifest_path.exists():
        prepare_manifest()
    os.environ[MANIFEST_READY_ENV] = "1"  # parsed once: no process of the session parses it again


def pytest_collection_modifyitems(session, config, items):
    """Modules marked `long` (their fixtures build the warehouse several times) run first,
    in file order, so that `make test`'s parallel workers (pytest-xdist, one file per
    worker at a time) start on them at once and finish together; the rest keep their order."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture
def paths(tmp_path, monkeypatch) -> Paths:
    """A fresh, empty data directory for one test."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    p = Paths.from_env()
    p.landing.mkdir(parents=True)
    return p


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory):
    """The full pipeline run twice on S data (seed 7), shared by every integration module
    that needs a built warehouse: (paths, first result, second result, raw counts after
    the first run). The first run is unpartitioned (as `make run`: every new file); the
    second is the daily run the landing sensor asks for, on the last landing day
    (LAST_LANDING_DAY). Built once per test session (~40 s)."""
    from dagster import DagsterInstance

    from dagster_project.ingest.partitions import range_tags
    from vector_crm_tools.generate import generate

    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    old = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(data_dir)
    paths = Paths.from_env()
    generate(paths.data_dir, "S", 7)
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("full_pipeline")
    with DagsterInstance.ephemeral() as instance:
        first = job.execute_in_process(instance=instance, raise_on_error=False)
        raw_after_first = raw_counts(paths)
        day = last_landing_day(paths)
        second = job.execute_in_process(instance=instance, raise_on_error=False, tags=range_tags(day, day))
    yield paths, first, second, raw_after_first
    if old is None:
        os.environ.pop(DATA_DIR_ENV)
    else:
        os.environ[DATA_DIR_ENV] = old
