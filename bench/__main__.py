"""`make bench SIZE=M|L`: generate (or reuse) data of one size, then measure in one run
the floor, ingestion, dbt build, identity resolution, segments alone (first build and daily
run), repurchase/desertion and customer profitability alone, and the whole pipeline three
times: without the last landing day (the full build), after that day lands (the daily run),
and once more with nothing new (the no-op); wall time and peak memory of each. Then the
identity report on the pipeline's output: precision and recall against the ground truth.

A stage that fails is recorded as failed (its exit code, in the JSON and the table); the
stages that need its output are skipped, the others still run, and the exit code is 1.

Data for each size lives in <data dir>/bench/<SIZE>-seed<SEED>/ (its own data directory);
results are printed as a table and written to <data dir>/bench/results-<SIZE>-<timestamp>.json
(the identity report beside it, as identity-report-<SIZE>-<timestamp>.json).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.stages import (
    StageFailed,
    land_held_back,
    measure,
    quality_reports,
    reset_outputs,
    stage_by_stage,
    whole_pipeline,
)
from dagster_project.privacy import PII_SECRET_ENV, ensure_pii_secret
from dagster_project.settings import DATA_DIR_ENV, Paths

GOAL_INGEST_OVER_FLOOR = 2.0
# Seconds each stage may take on L (the issues' goals); stages not listed have none.
STAGE_GOALS_L = {
    "identity_resolution": 60.0,
    "segments_first_build": 30.0,
    "segments_daily": 30.0,
    "repurchase": 60.0,
    "profitability": 30.0,
    # CLV models (issue 6): read customer_purchase_stats, fit BG/NBD and Gamma-Gamma, predict.
    "clv_fit": 60.0,
    # Every GX suite, raw and marts (issue 7), on what the whole pipeline just built.
    "quality_checks": 90.0,
}


def landing_bytes(landing: Path) -> int:
    return sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="M", choices=["S", "M", "L", "XL"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--engines",
        help="instead of the stages: the whole pipeline per engine, side by side "
        "(all, or a comma list of duckdb, postgres, spark); see bench/engines.py",
    )
    args = parser.parse_args(argv)

    main_paths = Paths.from_env()
    bench_paths = Paths(main_paths.bench / f"{args.size}-seed{args.seed}")
    env = dict(os.environ, **{DATA_DIR_ENV: str(bench_paths.data_dir), "DAGSTER_HOME": str(bench_paths.dagster_home)})
    py = sys.executable
    stages: dict[str, dict] = {}

    if not (bench_paths.landing.is_dir() and any(bench_paths.landing.rglob("*.*"))):
        print(f"generating size {args.size} (seed {args.seed}) into {bench_paths.data_dir} ...", flush=True)
        try:
            stages["generate"] = measure(
                [py, "-m", "vector_crm_tools.generate", "--size", args.size, "--seed", str(args.seed), "--force"], env
            )
        except StageFailed:
            print("generating the data failed: nothing to measure", file=sys.stderr)
            return 1
    # the contact hashes' key: the bench data directory's own (dbt runs outside Dagster here)
    env[PII_SECRET_ENV] = ensure_pii_secret(bench_paths)
    size = landing_bytes(bench_paths.landing)
    files = sum(1 for p in bench_paths.landing.rglob("*") if p.is_file())
    if args.engines:
        from bench import engines

        main_paths.bench.mkdir(parents=True, exist_ok=True)
        return engines.main(args.size, args.seed, args.engines, bench_paths, main_paths)

    held = bench_paths.data_dir / "held_back_day"
    land_held_back(bench_paths.landing, held)  # a bench killed while the last day was held back
    reset_outputs(bench_paths)
    # a failed stage is recorded in stages; the stages after it in the same group need its output
    with contextlib.suppress(StageFailed):
        stage_by_stage(stages, bench_paths, env)
    try:
        with contextlib.suppress(StageFailed):
            whole_pipeline(stages, bench_paths, env, held)
    finally:
        land_held_back(bench_paths.landing, held)
    shutil.rmtree(bench_paths.data_dir / "floor", ignore_errors=True)
    identity = quality_reports(stages, main_paths, env, args.size) if "pipeline_noop" in stages else None
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    main_paths.bench.mkdir(parents=True, exist_ok=True)
    ratio = ratio_of(stages, "ingestion", "floor")
    result = {
        "size": args.size,
        "seed": args.seed,
        "landing_bytes": size,
        "landing_files": files,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "stages": stages,
        "failed_stages": [name for name, s in stages.items() if s["returncode"] != 0],
        "ingestion_over_floor": ratio,
        "daily_over_full": ratio_of(stages, "pipeline_daily", "pipeline"),
        "full_over_floor": ratio_of(stages, "pipeline", "floor"),
        "goal_ingestion_over_floor": GOAL_INGEST_OVER_FLOOR,
        "goals_on_l_s": STAGE_GOALS_L,
        "identity": identity,
    }
    out = main_paths.bench / f"results-{args.size}-{stamp}.json"
    out.write_text(json.dumps(result, indent=2))
    print_table(result)
    print(f"results: {out}")
    return 0 if identity is not None and not result["failed_stages"] else 1


def ratio_of(stages: dict, numerator: str, denominator: str) -> float | None:
    if any(name not in stages or stages[name]["returncode"] != 0 for name in (numerator, denominator)):
        return None
    return round(stages[numerator]["wall_s"] / max(stages[denominator]["wall_s"], 1e-9), 3)


def print_table(result: dict) -> None:
    stages, size = result["stages"], result["size"]
    print(f"\nvector-crm benchmark, size {size}: {result['landing_files']:,} landing files, ", end="")
    print(f"{result['landing_bytes'] / 1e6:,.0f} MB")
    print(f"{'stage':<20} {'wall s':>9} {'peak MB':>9}")
    for name, s in stages.items():
        failed = f"  FAILED (exit {s['returncode']}): {s.get('failed', '')}" if s["returncode"] != 0 else ""
        print(f"{name:<20} {s['wall_s']:>9.1f} {s['peak_rss_mb']:>9.0f}{failed}")
    ratio = result["ingestion_over_floor"]
    if ratio is not None:
        verdict = "within" if ratio <= GOAL_INGEST_OVER_FLOOR else "OVER"
        print(f"ingestion / floor = {ratio:.2f} ({verdict} the goal of {GOAL_INGEST_OVER_FLOOR}x)")
    for name, label in (("daily_over_full", "daily run / full build"), ("full_over_floor", "full build / floor")):
        if result[name] is not None:
            print(f"{label} = {result[name]:.3f}")
    for stage, goal in STAGE_GOALS_L.items():
        if stage in stages and stages[stage]["returncode"] == 0:
            seconds = stages[stage]["wall_s"]
            verdict = ("within" if seconds <= goal else "OVER") if size == "L" else "the goal is set for L"
            print(f"{stage} = {seconds:.1f} s ({verdict}: {goal:.0f} s on L)")
    if stages.get("quality_checks", {}).get("returncode", 0) != 0:
        print("quality checks: some suites failed on the pipeline's output (python -m dagster_project.quality)")
    identity = result["identity"]
    if identity is None:
        print("identity report: none (a stage before it failed, or the report did; see above)")
    else:
        goal = identity["goal"]
        verdict = "within" if identity["meets_goal"] else "OUTSIDE"
        print(
            f"identity: precision {identity['precision']:.4f}, recall {identity['recall']:.4f} "
            f"({verdict} the goal of precision >= {goal['precision']}, recall >= {goal['recall']}); "
            f"over-merged people {identity['over_merged_people']:,}, under-merged {identity['under_merged_people']:,}"
        )
        print(f"identity report: {identity['file']}")


if __name__ == "__main__":
    sys.exit(main())
