"""Run the GX suites outside Dagster (the benchmark's quality stage, or a look by hand).

    python -m dagster_project.quality                # every suite: raw, then marts
    python -m dagster_project.quality --kind raw     # raw suites only
    python -m dagster_project.quality --no-sync      # leave warehouse.duckdb alone

Exit code 1 when a suite fails. Never run it while a pipeline writes the warehouse.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid

from ..settings import Paths
from . import store
from .runner import run_suite
from .suites import load_suites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["raw", "mart"])
    parser.add_argument("--no-sync", action="store_true", help="do not mirror results into warehouse.duckdb")
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    run_id = f"cli-{uuid.uuid4().hex[:12]}"
    suites = sorted((s for s in load_suites() if args.kind in (None, s.kind)), key=lambda s: (s.kind != "raw", s.name))
    ok = True
    t_all = time.monotonic()
    for suite in suites:
        t0 = time.monotonic()
        outcome = run_suite(paths, suite, run_id)
        ok &= outcome.success
        failed = f"{len(outcome.failed)} failed" if outcome.failed else "ok"
        print(f"{suite.name:<40} {failed:<10} {outcome.frame_rows:>8,} rows  {time.monotonic() - t0:6.1f} s", flush=True)
    if not args.no_sync:
        print(f"quality.validation_results: {store.sync_warehouse(paths):,} rows")
    print(f"{len(suites)} suites in {time.monotonic() - t_all:.1f} s: {'all passed' if ok else 'FAILURES'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
