"""`make bench SIZE=M|L`: generate (or reuse) data of one size, then measure in one run
the floor, ingestion, dbt build, identity resolution, segments alone (first build and daily
run), repurchase/desertion and customer profitability alone, and the whole pipeline: wall time and peak memory; then the identity report on the
pipeline's output: precision and recall against the ground truth.

Data for each size lives in <data dir>/bench/<SIZE>-seed<SEED>/ (its own data directory);
results are printed as a table and written to <data dir>/bench/results-<SIZE>-<timestamp>.json
(the identity report beside it, as identity-report-<SIZE>-<timestamp>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.privacy import PII_SECRET_ENV, ensure_pii_secret
from dagster_project.settings import DATA_DIR_ENV, DBT_PROJECT_DIR, Paths, duckdb_connect

GOAL_INGEST_OVER_FLOOR = 2.0
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


def measure(cmd: list[str], env: dict, check: bool = True) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.measure", *cmd], env=env, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        sys.stderr.write(out.stderr[-4000:])
        if check:
            raise SystemExit(f"stage failed: {' '.join(cmd)}")
    return result


def landing_bytes(landing: Path) -> int:
    return sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())


def reset_outputs(bench_paths: Paths) -> None:
    for p in (bench_paths.lake, bench_paths.data_dir / "floor"):
        shutil.rmtree(p, ignore_errors=True)
    bench_paths.warehouse.unlink(missing_ok=True)


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
        stages["generate"] = measure(
            [py, "-m", "vector_crm_tools.generate", "--size", args.size, "--seed", str(args.seed), "--force"], env
        )
    # the contact hashes' key: the bench data directory's own (dbt runs outside Dagster here)
    env[PII_SECRET_ENV] = ensure_pii_secret(bench_paths)
    size = landing_bytes(bench_paths.landing)
    files = sum(1 for p in bench_paths.landing.rglob("*") if p.is_file())
    if args.engines:
        from bench import engines

        main_paths.bench.mkdir(parents=True, exist_ok=True)
        return engines.main(args.size, args.seed, args.engines, bench_paths, main_paths)

    reset_outputs(bench_paths)
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
    stages["identity_resolution"] = measure([dbt, "run", *dbt_args, "--select", *IDENTITY_MODELS], env)
    print("segments, first build (dbt run of their models, monthly history back-filled) ...", flush=True)
    forget_segment_history(bench_paths.warehouse, last_month_only=False)
    stages["segments_first_build"] = measure([dbt, "run", *dbt_args, "--select", *SEGMENT_MODELS], env)
    print("segments, daily run (one month end to add) ...", flush=True)
    forget_segment_history(bench_paths.warehouse, last_month_only=True)
    stages["segments_daily"] = measure([dbt, "run", *dbt_args, "--select", *SEGMENT_MODELS], env)
    print("repurchase and desertion (dbt run of their models) ...", flush=True)
    stages["repurchase"] = measure([dbt, "run", *dbt_args, "--select", *REPURCHASE_MODELS], env)
    print("customer profitability (dbt run of its models) ...", flush=True)
    stages["profitability"] = measure([dbt, "run", *dbt_args, "--select", *PROFITABILITY_MODELS], env)
    print("CLV fit (BG/NBD + Gamma-Gamma on customer_purchase_stats, read-only) ...", flush=True)
    stages["clv_fit"] = measure([py, "-m", "dagster_project.clv"], env)
    reset_outputs(bench_paths)
    print("whole pipeline (Dagster) ...", flush=True)
    stages["pipeline"] = measure([py, "-m", "dagster_project.run"], env)
    shutil.rmtree(bench_paths.data_dir / "floor", ignore_errors=True)
    print("quality checks (every GX suite, python -m dagster_project.quality) ...", flush=True)
    # every batch judged again (not only new ones) and every mart checked: the whole battery
    stages["quality_checks"] = measure([py, "-m", "dagster_project.quality", "--all-batches"], env, check=False)
    # Quality of the pipeline's identity resolution. A failure here must not throw away the
    # timings above: they are written first, and the exit code says the report failed.
    print("identity report ...", flush=True)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    main_paths.bench.mkdir(parents=True, exist_ok=True)
    identity_file = main_paths.bench / f"identity-report-{args.size}-{stamp}.json"
    stages["identity_report"] = measure(
        [py, "-m", "vector_crm_tools.evaluate.identity", "--output", str(identity_file)], env, check=False
    )
    identity = json.loads(identity_file.read_text()) if stages["identity_report"]["returncode"] == 0 else None

    ratio = stages["ingestion"]["wall_s"] / max(stages["floor"]["wall_s"], 1e-9)
    result = {
        "size": args.size,
        "seed": args.seed,
        "landing_bytes": size,
        "landing_files": files,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "stages": stages,
        "ingestion_over_floor": round(ratio, 2),
        "goal_ingestion_over_floor": GOAL_INGEST_OVER_FLOOR,
        "goals_on_l_s": STAGE_GOALS_L,
        "identity": identity,
    }
    out = main_paths.bench / f"results-{args.size}-{stamp}.json"
    out.write_text(json.dumps(result, indent=2))

    print(f"\nvector-crm benchmark, size {args.size}: {files:,} landing files, {size / 1e6:,.0f} MB")
    print(f"{'stage':<20} {'wall s':>9} {'peak MB':>9}")
    for name, s in stages.items():
        print(f"{name:<20} {s['wall_s']:>9.1f} {s['peak_rss_mb']:>9.0f}")
    verdict = "within" if ratio <= GOAL_INGEST_OVER_FLOOR else "OVER"
    print(f"ingestion / floor = {ratio:.2f} ({verdict} the goal of {GOAL_INGEST_OVER_FLOOR}x)")
    for stage, goal in STAGE_GOALS_L.items():
        if stage in stages:
            seconds = stages[stage]["wall_s"]
            verdict = ("within" if seconds <= goal else "OVER") if args.size == "L" else "the goal is set for L"
            print(f"{stage} = {seconds:.1f} s ({verdict}: {goal:.0f} s on L)")
    if stages["quality_checks"]["returncode"] != 0:
        print("quality checks: some suites failed on the pipeline's output (python -m dagster_project.quality)")
    if identity is None:
        print("identity report FAILED (see the message above); no precision or recall")
    else:
        goal = identity["goal"]
        verdict = "within" if identity["meets_goal"] else "OUTSIDE"
        print(
            f"identity: precision {identity['precision']:.4f}, recall {identity['recall']:.4f} "
            f"({verdict} the goal of precision >= {goal['precision']}, recall >= {goal['recall']}); "
            f"over-merged people {identity['over_merged_people']:,}, under-merged {identity['under_merged_people']:,}"
        )
        print(f"identity report: {identity_file}")
    print(f"results: {out}")
    return 0 if identity is not None else 1


if __name__ == "__main__":
    sys.exit(main())
