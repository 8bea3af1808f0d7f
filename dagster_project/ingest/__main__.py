"""Load new landing files without Dagster (used by the benchmark; handy for debugging).

    python -m dagster_project.ingest [--feed sales/order_lines ...] [--jobs N]

Feeds are independent (each writes only its own folders), so they load in parallel,
as Dagster's multiprocess executor runs the ingest assets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from ..contracts import ALL_FEEDS, FEEDS_BY_KEY
from ..settings import Paths, share_duckdb_among
from .loader import ingest_feed


def _ingest(key: str) -> tuple[str, list[str], float]:
    t0 = time.monotonic()
    feed = FEEDS_BY_KEY[key]
    report = ingest_feed(Paths.from_env(), feed)
    line = (
        f"{feed.key:<32} new files {report.count('loaded'):>5}  rows raw {report.rows_raw:>11,}  "
        f"quarantined {report.rows_quarantined:>8,}"
    )
    return line, [f"{f.source_file}: {f.problem}" for f in report.rejected], time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", action="append", choices=sorted(FEEDS_BY_KEY), help="default: every feed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="feeds loaded at once")
    args = parser.parse_args(argv)
    keys = args.feed or [f.key for f in ALL_FEEDS]
    # Largest feeds first, so that the two longest loads overlap.
    landing = Paths.from_env().landing
    keys.sort(key=lambda k: -sum(p.stat().st_size for p in (landing / k).glob("*") if p.is_file()))
    failed = False
    jobs = max(1, min(args.jobs, len(keys)))
    # Each worker's DuckDB gets its share of the cores (faster than two workers of two threads
    # each on two cores, docs/DECISIONLOG.md) and of the memory limit.
    share_duckdb_among(jobs)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for line, rejected, seconds in pool.map(_ingest, keys):
            print(f"{line}  {seconds:6.1f} s", flush=True)
            for problem in rejected:
                failed = True
                print(f"  REJECTED {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
