"""End to end on small generated data: the Dagster job ingests every feed and dbt
builds staging; counts are checked against the landing files and the generator's
ground truth, not against the code under test."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import duckdb
import pytest

from dagster_project.contracts import ALL_FEEDS
from dagster_project.settings import DBT_PROJECT_DIR
from tests.helpers import last_landing_day, raw_counts

pytestmark = pytest.mark.integration

# Defect kinds in the generator's ground truth that break a landing contract.
CONTRACT_VIOLATIONS = {"bad_amount", "impossible_date", "unknown_status", "unknown_event_type"}
STAGING_MODEL = {f.key: f"stg_{f.source}__{f.name}" for f in ALL_FEEDS}


def _landing_records(paths, feed) -> list[dict]:
    """Every landed record, read with the standard library."""
    out = []
    for p in sorted((paths.landing / feed.source / feed.name).iterdir()):
        rel = p.relative_to(paths.landing).as_posix()
        with open(p, newline="", encoding="utf-8") as fh:
            if feed.file_format == "csv":
                for i, row in enumerate(csv.DictReader(fh), start=2):
                    out.append(row | {"_file": rel, "_line": i})
            else:
                for i, line in enumerate(fh, start=1):
                    if line.strip():
                        out.append(json.loads(line) | {"_file": rel, "_line": i})
    return out


def _injected_violations(paths) -> set[tuple[str, str]]:
    """(landed file, record id) of every contract violation the generator says it injected."""
    with open(paths.ground_truth / "defects.csv", newline="", encoding="utf-8") as fh:
        return {
            (d["file"].split("landing/")[-1], d["record_id"])
            for d in csv.DictReader(fh)
            if d["defect"] in CONTRACT_VIOLATIONS
        }


def _record_id(feed, row) -> str:
    return "|".join(str(row.get(k) or "") for k in feed.business_key)


def test_job_succeeds_and_rerun_adds_no_raw_rows(pipeline):
    paths, first, second, raw_after_first = pipeline
    assert first.success and second.success
    assert raw_counts(paths) == raw_after_first
    assert all(n > 0 for n in raw_after_first.values())


def test_the_daily_run_materializes_its_landing_day_and_builds_everything_downstream(pipeline):
    paths, first, second, _ = pipeline
    day = last_landing_day(paths)
    for feed in ALL_FEEDS:
        node = f"raw__{feed.source}__{feed.name}"
        [unpartitioned] = first.asset_materializations_for_node(node)
        [daily] = second.asset_materializations_for_node(node)
        assert (unpartitioned.partition, daily.partition) == (None, day)
        assert daily.metadata["files_new_loaded"].value == 0  # the first run loaded that day already
    # the unpartitioned dbt models and the publish step ran in the partitioned run too
    built = {e.asset_key.to_user_string() for e in second.get_asset_materialization_events()}
    assert {"staging/stg_sales__order_lines", "marts/segment_summary", "serving/warehouse"} <= built


def test_dagster_dbt_runs_reuse_one_target_folder_in_the_data_directory(pipeline):
    paths, first, second, _ = pipeline
    assert first.success and second.success
    run_results = json.loads((paths.dbt_target / "run_results.json").read_text())
    # the last dbt step's artifacts are there
    assert run_results["args"]["which"] == "build"
    # and dagster-dbt's default, a new dbt/target/<run id> folder per run, was not used
    since_landing = paths.landing.stat().st_mtime
    per_run = [
        p for p in (DBT_PROJECT_DIR / "target").glob("vector_crm_dbt_assets-*") if p.stat().st_mtime >= since_landing
    ]
    assert per_run == []


def test_every_landed_row_is_in_raw_or_quarantine(pipeline):
    paths, *_ = pipeline
    con = duckdb.connect()
    for feed in ALL_FEEDS:
        landed = len(_landing_records(paths, feed))
        raw, quarantined = (
            con.execute(
                "select count(*) from read_parquet(?)", [str(layer / feed.source / feed.name / "*.parquet")]
            ).fetchone()[0]
            for layer in (paths.raw, paths.quarantine)
        )
        assert raw + quarantined == landed, feed.key


def test_quarantine_holds_exactly_the_injected_contract_violations(pipeline):
    paths, *_ = pipeline
    expected = _injected_violations(paths)
    assert expected, "the generator injects some contract violations"
    con = duckdb.connect()
    got = set()
    for feed in ALL_FEEDS:
        rows = con.execute(
            "select _source_file, _original from read_parquet(?)",
            [str(paths.quarantine / feed.source / feed.name / "*.parquet")],
        ).fetchall()
        for source_file, original in rows:
            got.add((source_file, _record_id(feed, json.loads(original))))
    assert got == expected


def test_staging_counts_equal_distinct_valid_keys_in_the_landing_files(pipeline):
    paths, *_ = pipeline
    bad = _injected_violations(paths)
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        for feed in ALL_FEEDS:
            keys = {
                _record_id(feed, r)
                for r in _landing_records(paths, feed)
                if (r["_file"], _record_id(feed, r)) not in bad
            }
            staged = con.execute(f"select count(*) from staging.{STAGING_MODEL[feed.key]}").fetchone()[0]
            assert staged == len(keys), feed.key
    finally:
        con.close()


def test_definitions_validate_from_the_command_line():
    out = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "dagster_project.definitions"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
