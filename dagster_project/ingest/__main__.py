"""Load new landing files without Dagster (used by the benchmark; handy for debugging).

    python -m dagster_project.ingest [--feed sales/order_lines ...]
"""

from __future__ import annotations

import argparse
import sys
import time

from ..contracts import ALL_FEEDS, FEEDS_BY_KEY
from ..settings import Paths
from .loader import ingest_feed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", action="append", choices=sorted(FEEDS_BY_KEY), help="default: every feed")
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    failed = False
    for feed in [FEEDS_BY_KEY[k] for k in args.feed] if args.feed else ALL_FEEDS:
        t0 = time.monotonic()
        report = ingest_feed(paths, feed)
        print(
            f"{feed.key:<32} new files {report.count('loaded'):>5}  rows raw {report.rows_raw:>11,}  "
            f"quarantined {report.rows_quarantined:>8,}  {time.monotonic() - t0:6.1f} s"
        )
        for f in report.rejected:
            failed = True
            print(f"  REJECTED {f.source_file}: {f.problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
