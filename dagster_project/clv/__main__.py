"""Fit the CLV models on a warehouse and report, without writing anything (read-only).

    python -m dagster_project.clv                      # the warehouse of $VECTOR_CRM_DATA_DIR
    python -m dagster_project.clv --warehouse PATH     # another one

Prints one JSON line: read, fit and total seconds, customers, the fitted parameters and
the converged flags.
The benchmark times this as its CLV stage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..settings import Paths, duckdb_connect
from . import model, warehouse
from .settings import ClvSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", default=None, help="DuckDB file (default: the data directory's warehouse)")
    args = parser.parse_args(argv)
    path = args.warehouse or str(Paths.from_env().warehouse)
    settings = ClvSettings()
    t0 = time.monotonic()
    con = duckdb_connect(path, read_only=True)
    try:
        summary, as_of = warehouse.read_summary(con)
    finally:
        con.close()
    t1 = time.monotonic()
    scored = model.score(summary, settings)
    t2 = time.monotonic()
    fit = scored.fit
    print(
        json.dumps(
            {
                "warehouse": path,
                "as_of_date": str(as_of),
                "read_s": round(t1 - t0, 2),
                "fit_and_predict_s": round(t2 - t1, 2),
                "total_s": round(t2 - t0, 2),
                **{k: v for k, v in fit.items() if k != "fit_seconds"},
            }
        )
    )
    # A fit that did not converge is a result (the flags say so), not a failed measurement.
    return 0


if __name__ == "__main__":
    sys.exit(main())
