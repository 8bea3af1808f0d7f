"""What the serving snapshot says about its own data quality, for BI users and managers.

Two tables in the serving file's default schema, rebuilt at every publish:

- ``quality_status``: one row per open item as of the snapshot: a batch held back (an error
  rule of its feed's GX suite failed; its rows are in no mart), a landed file rejected
  (unreadable), a mart held back (its last good version is served), and the warnings and
  acceptances of the run that published. Columns: item, asset, location, rule, observed,
  allowed, since, run_id, fix.
- ``quality_acceptances``: every acceptance (who accepted which failure, when and why).

Only file names, rules and aggregate observations travel: never a row of data.
"""

from __future__ import annotations

import json

import pandas as pd

from ..contracts import ALL_FEEDS
from ..ingest import verdicts
from ..ingest.manifest import read_manifest
from ..quality import acceptances as acc
from ..quality import store
from ..quality.checks import accept_command
from ..settings import Paths, duckdb_connect

STATUS_COLUMNS = ["item", "asset", "location", "rule", "observed", "allowed", "since", "run_id", "fix"]


def held_batches(paths: Paths) -> list[dict]:
    out = []
    for feed in ALL_FEEDS:
        for v in verdicts.held(paths, feed).values():
            for r in json.loads(v["reasons"] or "[]"):
                out.append(
                    {
                        "item": "held_batch",
                        "asset": f"raw/{feed.key}",
                        "location": v["source_file"],
                        "rule": r["rule"],
                        "observed": r.get("observed"),
                        "allowed": r.get("threshold"),
                        "since": v["judged_at"],
                        "run_id": v["run_id"],
                        "fix": "land a corrected file, or " + accept_command(r["suite"], v["source_file"]),
                    }
                )
    return out


def _unchanged(paths: Paths, record: dict) -> bool:
    f = paths.landing / record["source_file"]
    if not f.is_file():
        return False
    st = f.stat()
    return (st.st_size, st.st_mtime_ns) == (record["size_bytes"], record["mtime_ns"])


def rejected_files(paths: Paths) -> list[dict]:
    """Rejected files still in the landing zone as they were (a fixed file loads as a new record;
    a file moved out of the landing zone is no longer waiting for anyone)."""
    out = []
    for feed in ALL_FEEDS:
        newest: dict[str, dict] = {}
        for r in read_manifest(paths.feed_dir(paths.manifest, feed.source, feed.name)):
            newest[r["source_file"]] = r
        for r in newest.values():
            if r["status"] == "rejected" and _unchanged(paths, r):
                out.append(
                    {
                        "item": "rejected_file",
                        "asset": f"raw/{feed.key}",
                        "location": r["source_file"],
                        "rule": r.get("problem"),
                        "since": r["loaded_at"],
                        "run_id": None,
                        "fix": "correct the file and land it again, or move it out of the landing zone",
                    }
                )
    return out


def run_results(paths: Paths, run_id: str) -> list[dict]:
    """This run's warnings, errors and acceptances, from the results history."""
    files = sorted(store.results_dir(paths).glob(f"*/*-{store.safe_run_id(run_id)}.parquet"))
    if not files:
        return []
    con = duckdb_connect()
    try:
        rel = con.execute(
            "select asset, suite, rule, observed_value, threshold, status, run_at from read_parquet(?, union_by_name = true) "
            "where status in ('warning', 'accepted') order by suite, rule",
            [[str(f) for f in files]],
        )
        return [
            {
                "item": status,
                "asset": asset,
                "location": None,
                "rule": rule,
                "observed": observed,
                "allowed": allowed,
                "since": run_at,
                "run_id": run_id,
                "fix": None if status == "accepted" else "does not block; " + accept_command(suite) + " to silence it",
            }
            for asset, suite, rule, observed, allowed, status, run_at in rel.fetchall()
        ]
    finally:
        con.close()


def status_tables(paths: Paths, run_id: str, held_marts: dict[str, str]) -> dict[str, pd.DataFrame]:
    items = held_batches(paths) + rejected_files(paths)
    items += [
        {
            "item": "held_mart",
            "asset": f"marts/{mart}",
            "location": None,
            "rule": reason,
            "since": None,
            "run_id": run_id,
            "fix": "see the mart's GX check; the snapshot serves its last good version",
        }
        for mart, reason in sorted(held_marts.items())
    ]
    items += run_results(paths, run_id)
    status = pd.DataFrame(items, columns=STATUS_COLUMNS).astype({c: "string" for c in STATUS_COLUMNS if c != "since"})
    status["since"] = pd.to_datetime(status["since"])
    accepted = pd.DataFrame(acc.load(paths), columns=list(acc.ACCEPTANCE_COLUMNS)).astype(
        {c: "string" for c in acc.ACCEPTANCE_COLUMNS if c != "accepted_at"}
    )
    accepted["accepted_at"] = pd.to_datetime(accepted["accepted_at"])
    return {"quality_status": status, "quality_acceptances": accepted}
