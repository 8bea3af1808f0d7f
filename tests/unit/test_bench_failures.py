"""`make bench` keeps what it measured when a stage fails: the failure is in the JSON and the
table, the stages that do not need the failed one still run, and the exit code is 1."""

from __future__ import annotations

import json
import sys

import pytest

import bench.__main__ as bench_main
from bench import stages
from dagster_project.settings import DATA_DIR_ENV


def test_measure_records_a_failed_command_and_raises_only_when_asked():
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    result = stages.measure(failing, env={}, check=False)
    assert result["returncode"] == 3 and "failed" in result
    with pytest.raises(stages.StageFailed):
        stages.measure(failing, env={}, check=True)
    assert stages.measure([sys.executable, "-c", "pass"], env={})["returncode"] == 0


def fake(returncode: int = 0, wall_s: float = 1.0) -> dict:
    return {"returncode": returncode, "wall_s": wall_s, "peak_rss_mb": 10.0}


def test_a_failed_stage_keeps_the_others_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    data_dir = tmp_path / "data"
    landing = data_dir / "bench" / "S-seed1" / "landing" / "sales" / "order_lines"
    landing.mkdir(parents=True)
    (landing / "order_lines_2025-01-01.csv").write_text("order_id\n1\n")
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    monkeypatch.setenv("VECTOR_CRM_PII_SECRET", "ab" * 32)

    def stage_by_stage(done, *_):
        done["floor"] = fake(wall_s=2.0)
        done["ingestion"] = fake(returncode=1) | {"failed": "python -m dagster_project.ingest"}
        raise stages.StageFailed(done["ingestion"])

    def whole_pipeline(done, *_):
        done["pipeline"] = fake(wall_s=100.0)
        done["pipeline_daily"] = fake(wall_s=10.0)
        done["pipeline_noop"] = fake(wall_s=1.0)

    monkeypatch.setattr(bench_main, "stage_by_stage", stage_by_stage)
    monkeypatch.setattr(bench_main, "whole_pipeline", whole_pipeline)
    monkeypatch.setattr(bench_main, "quality_reports", lambda *a: None)
    assert bench_main.main(["--size", "S", "--seed", "1"]) == 1
    [results] = (data_dir / "bench").glob("results-S-*.json")
    saved = json.loads(results.read_text())
    assert list(saved["stages"]) == ["floor", "ingestion", "pipeline", "pipeline_daily", "pipeline_noop"]
    assert saved["failed_stages"] == ["ingestion"]
    assert saved["ingestion_over_floor"] is None  # no ratio of a failed stage
    assert saved["daily_over_full"] == pytest.approx(10.0 / 100.0)
    assert saved["full_over_floor"] == pytest.approx(100.0 / 2.0)
    table = capsys.readouterr().out
    assert "FAILED (exit 1): python -m dagster_project.ingest" in table
    assert "daily run / full build = 0.100" in table


def test_the_daily_run_holds_back_every_feeds_last_landing_day_and_lands_it_again(tmp_path):
    landing, held = tmp_path / "landing", tmp_path / "held"
    names = [
        "sales/order_lines/order_lines_2025-12-30.csv",
        "sales/order_lines/order_lines_2025-12-31.csv",
        "web/events/events_2025-12-31.jsonl",
        "contact_center/campaign_members/campaign_members_2025-12-01.csv",
    ]
    for name in names:
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_text(name)
    moved = stages.hold_back_last_day(landing, held)
    assert sorted(p.relative_to(held).as_posix() for p in moved) == [names[1], names[2]]
    assert sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*.*")) == sorted([names[0], names[3]])
    assert stages.land_held_back(landing, held) == 2
    assert sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*.*")) == sorted(names)
    assert not held.exists()
