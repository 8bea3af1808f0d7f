"""The no-op run's memory (run_state): each kind of input changes its own fingerprint part, and
a run is "nothing new" only against a recorded complete run whose outputs still exist."""

from __future__ import annotations

import os

import pytest

from dagster_project import run_state
from dagster_project.privacy import PII_SECRET_ENV
from dagster_project.settings import ENGINE_ENV, Paths


@pytest.fixture
def paths(tmp_path, monkeypatch):
    paths = Paths(tmp_path / "data")
    day = paths.landing / "sales" / "order_lines"
    day.mkdir(parents=True)
    (day / "order_lines_2025-01-01.csv").write_text("order_id\n1\n")
    paths.dagster_home.mkdir(parents=True)
    monkeypatch.setenv(PII_SECRET_ENV, "ab" * 32)
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    return paths


def changed_parts(before: dict, after: dict) -> set[str]:
    return {part for part in before if before[part] != after[part]}


def test_a_new_landed_file_changes_the_landing_part_only(paths):
    before = run_state.fingerprint(paths)
    (paths.landing / "sales" / "order_lines" / "order_lines_2025-01-02.csv").write_text("order_id\n2\n")
    assert changed_parts(before, run_state.fingerprint(paths)) == {"landing"}


def test_a_corrected_resend_under_the_same_name_changes_the_landing_part(paths):
    f = paths.landing / "sales" / "order_lines" / "order_lines_2025-01-01.csv"
    before = run_state.fingerprint(paths)
    f.write_text("order_id\n1\n3\n")
    assert changed_parts(before, run_state.fingerprint(paths)) == {"landing"}
    # the same bytes written again: a new modification time, as the landing sensor sees it
    again = run_state.fingerprint(paths)
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000_000))
    assert changed_parts(again, run_state.fingerprint(paths)) == {"landing"}


def test_hidden_files_are_not_inputs(paths):
    before = run_state.fingerprint(paths)
    (paths.landing / "sales" / "order_lines" / ".order_lines.csv.swp").write_text("x")
    assert run_state.fingerprint(paths) == before


def test_an_edited_model_changes_the_code_part(paths, tmp_path, monkeypatch):
    project = tmp_path / "dbt"
    (project / "models").mkdir(parents=True)
    model = project / "models" / "m.sql"
    model.write_text("select 1 as a\n")
    (project / "target").mkdir()
    monkeypatch.setattr(run_state, "CODE_DIRS", (project,))
    monkeypatch.setattr(run_state, "REPO_ROOT", tmp_path)
    before = run_state.fingerprint(paths)
    (project / "target" / "manifest.json").write_text("{}")  # dbt's output is not an input
    (project / ".user.yml").write_text("id: x")  # nor is dbt's user id file
    assert run_state.fingerprint(paths) == before
    model.write_text("select 2 as a\n")
    assert changed_parts(before, run_state.fingerprint(paths)) == {"code"}


def test_an_acceptance_changes_the_decisions_part(paths):
    from dagster_project.quality.store import acceptances_dir

    before = run_state.fingerprint(paths)
    acceptances_dir(paths).mkdir(parents=True, exist_ok=True)
    (acceptances_dir(paths) / "20250101T000000-abc.parquet").write_bytes(b"PAR1")
    assert changed_parts(before, run_state.fingerprint(paths)) == {"decisions"}


def test_engine_key_and_as_of_date_change_the_settings_part(paths, monkeypatch):
    before = run_state.fingerprint(paths)
    assert changed_parts(before, run_state.fingerprint(paths, "2025-06-30")) == {"settings"}
    monkeypatch.setenv(ENGINE_ENV, "postgres")
    assert changed_parts(before, run_state.fingerprint(paths)) == {"settings"}
    monkeypatch.delenv(ENGINE_ENV)
    monkeypatch.setenv(PII_SECRET_ENV, "cd" * 32)
    assert changed_parts(before, run_state.fingerprint(paths)) == {"settings"}


def test_nothing_new_only_against_a_recorded_run_with_its_outputs(paths, tmp_path):
    output = tmp_path / "warehouse.duckdb"
    now = run_state.fingerprint(paths)
    assert run_state.changes(paths, now, [output]) == [run_state.NO_RECORD]
    run_state.record(paths, now, "run-1")
    assert run_state.changes(paths, now, [output]) == ["warehouse.duckdb missing"]
    output.write_bytes(b"")
    assert run_state.changes(paths, now, [output]) == []
    assert run_state.last_complete_run(paths)["run_id"] == "run-1"
    later = run_state.fingerprint(paths, "2025-06-30")
    assert run_state.changes(paths, later, [output]) == ["settings"]
    run_state.forget(paths)  # a run started: until it succeeds, nothing is complete
    assert run_state.changes(paths, now, [output]) == [run_state.NO_RECORD]


def test_a_half_written_record_reads_as_none(paths):
    run_state.record_path(paths).write_text('{"run_id": "x", "finger')
    assert run_state.last_complete_run(paths) is None
