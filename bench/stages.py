"""The benchmark's stages: each runs in a fresh process measured by bench.measure (wall time,
peak RSS of its process tree). A stage that fails is recorded with its exit code; StageFailed
stops the stages that need its output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, Paths, duckdb_connect

# Identity resolution alone: its dbt models, re-run on the staging the build just made.
IDENTITY_MODELS = ["path:models/intermediate/identity", "customer_identity_map", "customer_key_merges", "dim_customers"]
# Segments alone, on the marts the build just made: first as on a first build (the monthly
# history back-filled for every month end), then as on a daily run (one month end to add).
SEGMENT_MODELS = [
    "int_customers__profiles",
    "int_customers__order_days",
    "path:models/marts/segments",
]
# Repurchase and desertion models alone (issue 6), on the marts and segments just built.
REPURCHASE_MODELS = ["path:models/marts/repurchase"]
# Customer profitability models alone (issue 5), on the marts and segments just built.
PROFITABILITY_MODELS = ["path:models/marts/profitability"]


def forget_segment_history(warehouse: Path, last_month_only: bool) -> None:
    """Drop the append-only segment history (first build), or only its last month (daily run)."""
    con = duckdb_connect(str(warehouse))
    try:
        for table in ("customer_segment_history", "segment_migration"):
            if last_month_only:
                con.execute(f"delete from marts.{table} where month_end = (select max(month_end) from marts.{table})")
            else:
                con.execute(f"drop table if exists marts.{table}")
    finally:
        con.close()


class StageFailed(Exception):
    """A stage whose output the next stages need failed: they are skipped."""


def measure(cmd: list[str], env: dict, check: bool = True) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.measure", *cmd], env=env, capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"returncode": out.returncode, "wall_s": 0.0, "peak_rss_mb": 0.0}
    if result["returncode"] != 0:
        sys.stderr.write(out.stderr[-4000:])
        result["failed"] = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))
        if check:
            raise StageFailed(result)
    return result


def hold_back_last_day(landing: Path, held: Path) -> list[Path]:
    """Move the landing files of the last landing day (every feed) aside: the daily run's day,
    as the pipeline dates a file (the date in its name, else its modification day)."""
    from dagster_project.contracts import ALL_FEEDS
    from dagster_project.ingest.landing import discover
    from dagster_project.ingest.partitions import landing_date

    files = [f for feed in ALL_FEEDS for f in discover(landing, feed)]
    last = max(landing_date(f) for f in files)
    moved = []
    for f in files:
        if landing_date(f) == last:
            target = held / f.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            moved.append(Path(shutil.move(f.path, target)))
    return moved


def land_held_back(landing: Path, held: Path) -> int:
    files = [p for p in held.rglob("*") if p.is_file()]
    for p in files:
        shutil.move(p, landing / p.relative_to(held))
    shutil.rmtree(held, ignore_errors=True)
    return len(files)


def reset_outputs(bench_paths: Paths) -> None:
    for p in (bench_paths.lake, bench_paths.data_dir / "floor"):
        shutil.rmtree(p, ignore_errors=True)
    bench_paths.warehouse.unlink(missing_ok=True)


def stage_by_stage(stages: dict, bench_paths: Paths, env: dict) -> None:
    """Floor, ingestion, gates, dbt build, then areas alone on what the build made."""
    py = sys.executable
    print("floor ...", flush=True)
    stages["floor"] = measure(
        [py, "-m", "bench.floor", str(bench_paths.landing), str(bench_paths.data_dir / "floor")], env
    )
    print("ingestion ...", flush=True)
    stages["ingestion"] = measure([py, "-m", "dagster_project.ingest"], env)
    # staging reads only judged, admitted batches: judge them as the ingest steps do in Dagster
    print("raw quality gates (each new batch judged by its feed's GX suite) ...", flush=True)
    stages["raw_gates"] = measure([py, "-m", "dagster_project.quality", "--kind", "raw", "--no-sync"], env)
    print("dbt build ...", flush=True)
    dbt = str(Path(py).parent / "dbt")
    dbt_args = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    stages["dbt_build"] = measure([dbt, "build", *dbt_args], env)
    print("identity resolution (dbt run of its models) ...", flush=True)
    stages["identity_resolution"] = measure([dbt, "run", *dbt_args, "--select", *IDENTITY_MODELS], env, False)
    print("segments, first build (dbt run of their models, monthly history back-filled) ...", flush=True)
    forget_segment_history(bench_paths.warehouse, last_month_only=False)
    stages["segments_first_build"] = measure([dbt, "run", *dbt_args, "--select", *SEGMENT_MODELS], env)
    print("segments, daily run (one month end to add) ...", flush=True)
    forget_segment_history(bench_paths.warehouse, last_month_only=True)
    stages["segments_daily"] = measure([dbt, "run", *dbt_args, "--select", *SEGMENT_MODELS], env)
    print("repurchase and desertion (dbt run of their models) ...", flush=True)
    stages["repurchase"] = measure([dbt, "run", *dbt_args, "--select", *REPURCHASE_MODELS], env, False)
    print("customer profitability (dbt run of its models) ...", flush=True)
    stages["profitability"] = measure([dbt, "run", *dbt_args, "--select", *PROFITABILITY_MODELS], env, False)
    print("CLV fit (BG/NBD + Gamma-Gamma on customer_purchase_stats, read-only) ...", flush=True)
    stages["clv_fit"] = measure([py, "-m", "dagster_project.clv"], env, False)


def whole_pipeline(stages: dict, bench_paths: Paths, env: dict, held: Path) -> None:
    """make run three times: the full build without the last landing day, the daily run once
    that day lands, and the no-op run with nothing new."""
    py = sys.executable
    reset_outputs(bench_paths)
    moved = hold_back_last_day(bench_paths.landing, held)
    print(f"whole pipeline (Dagster), all but the last landing day ({len(moved)} files held back) ...", flush=True)
    stages["pipeline"] = measure([py, "-m", "dagster_project.run", "--force"], env)
    print(f"daily run: the last landing day lands ({land_held_back(bench_paths.landing, held)} files) ...", flush=True)
    stages["pipeline_daily"] = measure([py, "-m", "dagster_project.run"], env)
    print("no-op run: nothing new ...", flush=True)
    stages["pipeline_noop"] = measure([py, "-m", "dagster_project.run"], env)


def quality_reports(stages: dict, main_paths: Paths, env: dict, size: str) -> dict | None:
    """Every GX suite on the pipeline's output, then the identity report (precision, recall)."""
    py = sys.executable
    print("quality checks (every GX suite, python -m dagster_project.quality) ...", flush=True)
    # every batch judged again (not only new ones) and every mart checked: the whole battery
    stages["quality_checks"] = measure([py, "-m", "dagster_project.quality", "--all-batches"], env, check=False)
    print("identity report ...", flush=True)
    main_paths.bench.mkdir(parents=True, exist_ok=True)
    identity_file = main_paths.bench / f"identity-report-{size}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    stages["identity_report"] = measure(
        [py, "-m", "vector_crm_tools.evaluate.identity", "--output", str(identity_file)], env, check=False
    )
    if stages["identity_report"]["returncode"] != 0:
        return None
    identity = json.loads(identity_file.read_text())
    identity["file"] = str(identity_file)
    return identity
