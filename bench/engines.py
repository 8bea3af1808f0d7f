"""`make bench SIZE=M ENGINE=all` (or a comma list such as duckdb,spark): the whole pipeline on
each engine, one after the other in one run, on the same landing files; wall time, the dbt
step's time and peak memory side by side, with each engine's ratio to DuckDB.

Each engine gets its own data directory, <bench>/<SIZE>-seed<SEED>/engines/<engine>/, whose
landing zone links to the size's landing files (generated first when missing), and starts
empty: every run is a first build. PostgreSQL runs as a local server in that directory (its
memory is the server's, outside the measured process tree; the table says so); Spark runs
inside dbt's process (dbt-spark's session method), so its memory is counted.

Results are printed and written to <data dir>/bench/engines-<SIZE>-<timestamp>.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime

from dagster_project.engines import ENGINE_ENV, ENGINES
from dagster_project.settings import DATA_DIR_ENV, Paths

DBT_STEP = re.compile(r"vector_crm_dbt_assets done in (\d+) s")


def engine_list(text: str) -> list[str]:
    names = list(ENGINES) if text == "all" else [e.strip() for e in text.split(",") if e.strip()]
    unknown = [e for e in names if e not in ENGINES]
    if unknown:
        raise SystemExit(f"unknown engine(s) {', '.join(unknown)}: the engines are {', '.join(ENGINES)} (or all)")
    return names


def run_engine(engine: str, bench_paths: Paths) -> dict:
    paths = Paths(bench_paths.data_dir / "engines" / engine)
    shutil.rmtree(paths.data_dir, ignore_errors=True)
    paths.data_dir.mkdir(parents=True)
    paths.landing.symlink_to(bench_paths.landing, target_is_directory=True)
    env = dict(
        os.environ, **{DATA_DIR_ENV: str(paths.data_dir), "DAGSTER_HOME": str(paths.dagster_home), ENGINE_ENV: engine}
    )
    out = subprocess.run(
        [sys.executable, "-m", "bench.measure", sys.executable, "-m", "dagster_project.run"],
        env=env,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    step = DBT_STEP.search(out.stdout)
    result["dbt_step_s"] = int(step.group(1)) if step else None
    if result["returncode"] != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-2000:])
    return result


def main(size: str, seed: int, engines: str, bench_paths: Paths, main_paths: Paths) -> int:
    names = engine_list(engines)
    results = {}
    for engine in names:
        print(f"whole pipeline on {engine} ...", flush=True)
        results[engine] = run_engine(engine, bench_paths)
    base = results.get("duckdb")
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}"
    out = main_paths.bench / f"engines-{size}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "size": size,
                "seed": seed,
                "cpus": os.cpu_count(),
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "engines": results,
            },
            indent=2,
        )
    )
    print(f"\nvector-crm engines, size {size}: the whole pipeline (first build) per engine")
    print(f"{'engine':<10} {'pipeline s':>11} {'dbt step s':>11} {'peak MB':>9} {'vs DuckDB':>10}")
    for engine, r in results.items():
        ratio = f"{r['wall_s'] / base['wall_s']:.1f}x" if base and base["returncode"] == 0 else "-"
        status = "" if r["returncode"] == 0 else "  FAILED"
        note = " (+ server)" if engine == "postgres" else ""
        print(
            f"{engine:<10} {r['wall_s']:>11.1f} {r['dbt_step_s'] or 0:>11} {r['peak_rss_mb']:>9.0f} {ratio:>10}{note}{status}"
        )
    print(f"results: {out}")
    return 0 if all(r["returncode"] == 0 for r in results.values()) else 1
