"""Run the GX suites outside Dagster (the benchmark's quality stages, or a look by hand).

    python -m dagster_project.quality                # every suite: raw, then marts
    python -m dagster_project.quality --kind raw     # judge the feeds' new batches only
    python -m dagster_project.quality --kind raw --rejudge-held
                                                     # and judge the held-back batches again
                                                     # (after a threshold changed, say)
    python -m dagster_project.quality --all-batches  # judge every batch again (the benchmark)
    python -m dagster_project.quality --no-sync      # leave warehouse.duckdb alone

A raw suite judges the batches loaded and not judged yet, and records their verdicts in the
lake (held back, or admitted), exactly as the pipeline's ingest step does. Exit code 1 when a
suite found an error (a batch held back, a mart failing an error rule); warnings only print.
Never run it while a pipeline writes the warehouse.
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
    parser.add_argument("--rejudge-held", action="store_true", help="raw suites: judge held-back batches again")
    parser.add_argument("--all-batches", action="store_true", help="raw suites: judge every batch again")
    parser.add_argument("--no-sync", action="store_true", help="do not mirror results into warehouse.duckdb")
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    run_id = f"cli-{uuid.uuid4().hex[:12]}"
    suites = sorted((s for s in load_suites() if args.kind in (None, s.kind)), key=lambda s: (s.kind != "raw", s.name))
    ok = True
    t_all = time.monotonic()
    for suite in suites:
        t0 = time.monotonic()
        options = {"rejudge_held": args.rejudge_held, "all_batches": args.all_batches} if suite.kind == "raw" else {}
        outcome = run_suite(paths, suite, run_id, **options)
        ok &= outcome.passed
        said = ", ".join(
            f"{len(rows)} {word}"
            for rows, word in (
                (outcome.errors, "error(s)"),
                (outcome.warnings, "warning(s)"),
                (outcome.accepted, "accepted"),
            )
            if rows
        ) or ("ok" if outcome.results else outcome.note or "nothing to judge")
        print(f"{suite.name:<40} {said:<30} {outcome.frame_rows:>8,} rows  {time.monotonic() - t0:6.1f} s", flush=True)
        for r in outcome.errors + outcome.warnings:
            print(f"    {r['status']}: {r['rule']}: observed {r['observed_value']}, allowed {r['threshold']}")
    if not args.no_sync:
        print(f"quality.validation_results: {store.sync_warehouse(paths):,} rows")
    print(f"{len(suites)} suites in {time.monotonic() - t_all:.1f} s: {'no error' if ok else 'ERRORS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
