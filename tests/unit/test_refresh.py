"""When the dbt step rebuilds the incremental models from scratch (transform/refresh.py): without a
record of a completed build, after an edit of the dbt project, another engine or other vars, and
when asked; never because only the as-of date differs."""

from __future__ import annotations

import pytest

from dagster_project import run_state
from dagster_project.settings import ENGINE_ENV, Paths
from dagster_project.transform import refresh


@pytest.fixture
def project(tmp_path, monkeypatch):
    project = tmp_path / "repo" / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "models" / "m.sql").write_text("select 1 as a\n")
    monkeypatch.setattr(refresh, "DBT_PROJECT_DIR", project)
    monkeypatch.setattr(run_state, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    return project


def test_the_first_build_is_a_full_refresh_and_the_next_is_not(tmp_path, project):
    paths = Paths(tmp_path / "data")
    now = refresh.fingerprint({})
    assert refresh.full_refresh_reason(paths, now) == "no complete build is recorded for these tables"
    refresh.record(paths, now)
    assert refresh.full_refresh_reason(paths, refresh.fingerprint({})) is None
    assert refresh.full_refresh_reason(paths, now, asked=True) == "a full refresh was asked for"


def test_an_edit_another_engine_or_other_vars_rebuild_from_scratch(tmp_path, project, monkeypatch):
    paths = Paths(tmp_path / "data")
    refresh.record(paths, refresh.fingerprint({}))
    # the as-of date picks the day the marts describe: no incremental model reads it
    assert refresh.full_refresh_reason(paths, refresh.fingerprint({"as_of_date": "2025-06-30"})) is None
    assert refresh.full_refresh_reason(paths, refresh.fingerprint({"phone_country_code": "34"})) == (
        "changed since the last build: vars"
    )
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")  # dbt's output is not an input
    assert refresh.full_refresh_reason(paths, refresh.fingerprint({})) is None
    (project / "models" / "m.sql").write_text("select 2 as a\n")
    monkeypatch.setenv(ENGINE_ENV, "postgres")
    assert refresh.full_refresh_reason(paths, refresh.fingerprint({})) == (
        "changed since the last build: dbt_project, engine"
    )


def test_a_full_refresh_that_stops_half_way_is_done_again(tmp_path, project):
    paths = Paths(tmp_path / "data")
    now = refresh.fingerprint({})
    refresh.record(paths, now)
    refresh.forget(paths)  # what the dbt step does before a full refresh, recording only after it
    assert refresh.full_refresh_reason(paths, now) == "no complete build is recorded for these tables"
