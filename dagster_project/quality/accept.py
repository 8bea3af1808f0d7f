"""Accept a reviewed failure, so that it stops holding data back.

    make accept SUITE=raw.web.events [FILE=events_2025-06-01.jsonl] [RULE=days_after_load] REASON="..."
    python -m dagster_project.quality.accept --suite raw.web.events --file ... --reason "..." [--by name]

- A raw suite: accepts the error rules that hold back batches of its feed: every held batch,
  or those of FILE (its path under landing/ or its file name); RULE narrows it to the failures
  whose expectation, column or rule text contains it. A batch whose every failure is accepted
  is admitted at once (verdict ``accepted``): the next run builds it into the marts.
- A mart suite: accepts the failures of its latest check exactly as observed; the next check
  that observes the same value passes them as accepted (and publishes the mart). A different
  value is a different failure.

Who (``--by``, default $USER), when and why are recorded in quality/acceptances/ (table
``quality.acceptances``, and ``quality_acceptances`` in the serving file), and the acceptance
appears in the results history (``quality.validation_results``, status ``accepted``).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import PurePosixPath

import duckdb
import pandas as pd

from ..contracts import get_feed
from ..ingest import verdicts
from ..ingest.lock import feed_lock
from ..settings import Paths, duckdb_connect
from . import acceptances as acc
from . import store
from .suites import load_suites
from .validate import ERROR, WARNING


class NothingToAccept(ValueError):
    pass


def _matches(text: str | None, wanted: str | None) -> bool:
    return wanted is None or (text is not None and wanted.lower() in text.lower())


def _same_file(source_file: str, wanted: str | None) -> bool:
    return (
        wanted is None
        or source_file == wanted.lstrip("/")
        or PurePosixPath(source_file).name == PurePosixPath(wanted).name
    )


def _latest_mart_failures(paths: Paths, suite: str) -> list[dict]:
    files = sorted(f for f in (store.results_dir(paths) / suite).glob("*.parquet") if "-accept-" not in f.name)
    if not files:
        return []
    con = duckdb_connect()
    try:
        rel = con.execute("select * from read_parquet(?) where status in (?, ?)", [str(files[-1]), ERROR, WARNING])
        names = [d[0] for d in rel.description]
        return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def accept(
    paths: Paths,
    suite_name: str,
    reason: str,
    *,
    file: str | None = None,
    rule: str | None = None,
    by: str | None = None,
) -> list[dict]:
    """Record the acceptances; returns them (one per failure accepted)."""
    if not reason.strip():
        raise ValueError('say why: REASON="..." is recorded with the acceptance')
    suites = {s.name: s for s in load_suites()}
    if suite_name not in suites:
        raise NothingToAccept(f"no suite {suite_name!r}; suites: {', '.join(sorted(suites))}")
    suite = suites[suite_name]
    accepted_at = datetime.now(UTC).replace(tzinfo=None)
    acceptance_id = uuid.uuid4().hex[:12]
    who = by or os.environ.get("USER") or getpass.getuser()
    base = {
        "acceptance_id": acceptance_id,
        "suite": suite.name,
        "accepted_by": who,
        "accepted_at": accepted_at,
        "reason": reason.strip(),
    }
    rows, admitted = [], []
    if suite.kind == "raw":
        feed = get_feed(*suite.feed.split("/"))
        held = verdicts.held(paths, feed)
        earlier = acc.load(paths)  # a batch's other failures may have been accepted one by one before
        for v in held.values():
            if not _same_file(v["source_file"], file):
                continue
            reasons = json.loads(v["reasons"] or "[]")
            for r in reasons:
                cover = acc.covering(earlier, suite.name, r["expectation_key"], batch_id=v["batch_id"])
                r["acceptance_id"] = r.get("acceptance_id") or (cover["acceptance_id"] if cover else None)
                if r["acceptance_id"] or not any(
                    _matches(x, rule) for x in (r["expectation_key"], r.get("column"), r["rule"])
                ):
                    continue
                r["acceptance_id"] = acceptance_id
                rows.append(
                    base
                    | {
                        "expectation_key": r["expectation_key"],
                        "rule": r["rule"],
                        "column_name": r.get("column"),
                        "batch_id": v["batch_id"],
                        "source_file": v["source_file"],
                        "observed_value": r.get("observed"),
                        "threshold": r.get("threshold"),
                    }
                )
            if reasons and all(r.get("acceptance_id") for r in reasons):
                admitted.append(
                    {
                        "batch_id": v["batch_id"],
                        "source_file": v["source_file"],
                        "verdict": "accepted",
                        "reasons": json.dumps(reasons, default=str),
                        "acceptance_id": acceptance_id,
                    }
                )
        where = f"held batches of {feed.key}" + (f" from {file}" if file else "")
        available = sorted({v["source_file"] for v in held.values()})
    else:
        failures = [
            f
            for f in _latest_mart_failures(paths, suite.name)
            if any(_matches(x, rule) for x in (f["expectation_key"], f["column_name"], f["rule"]))
        ]
        for f in failures:
            rows.append(
                base
                | {
                    "expectation_key": f["expectation_key"],
                    "rule": f["rule"],
                    "column_name": f["column_name"],
                    "batch_id": None,
                    "source_file": None,
                    "observed_value": f["observed_value"],
                    "threshold": f["threshold"],
                }
            )
        where = f"the latest check of {suite.name}"
        available = []
    if not rows:
        hint = f" (held back now: {', '.join(available)})" if available else ""
        raise NothingToAccept(
            f"nothing to accept: no failure of {where}" + (f" matching {rule!r}" if rule else "") + hint
        )
    for r in rows:
        r["admitted"] = any(a["batch_id"] == r["batch_id"] for a in admitted)
    acc.record(paths, rows)
    if admitted:
        feed = get_feed(*suite.feed.split("/"))
        with feed_lock(paths, feed):  # no judgement of the feed writes verdicts meanwhile
            verdicts.write(paths, feed, admitted, run_id=f"accept-{acceptance_id}")
    _record_in_history(paths, suite, rows)
    with contextlib.suppress(duckdb.Error):  # a pipeline holds the warehouse: the next sync mirrors it
        store.sync_warehouse(paths)
    return rows


def _record_in_history(paths: Paths, suite, rows: list[dict]) -> None:
    """One result row per accepted failure, status `accepted`, in the suite's results history."""
    history = pd.DataFrame(
        [
            {
                "run_id": f"accept-{r['acceptance_id']}",
                "run_at": r["accepted_at"],
                "suite": suite.name,
                "kind": suite.kind,
                "asset": "/".join(suite.asset),
                "expectation_key": r["expectation_key"],
                "column_name": r["column_name"],
                "rule": r["rule"],
                "status": "accepted",
                "success": False,
                "observed_value": r["observed_value"],
                "threshold": r["threshold"],
                "acceptance_id": r["acceptance_id"],
                "accepted_by": r["accepted_by"],
                "accept_reason": r["reason"],
                "held_batches": json.dumps(
                    [{"batch_id": r["batch_id"], "source_file": r["source_file"]}] if r["batch_id"] else []
                ),
            }
            for r in rows
        ]
    )
    target = (
        store.results_dir(paths)
        / suite.name
        / f"{rows[0]['accepted_at']:%Y%m%dT%H%M%S}-accept-{rows[0]['acceptance_id']}.parquet"
    )
    store.write_frame(history, target, store.RESULT_TYPES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", required=True, help="e.g. raw.web.events or marts.customer_segments")
    parser.add_argument("--file", help="raw suites: the held file (path under landing/, or its name)")
    parser.add_argument("--rule", help="only failures whose expectation, column or rule contains this")
    parser.add_argument("--reason", required=True, help="why it may pass (recorded)")
    parser.add_argument("--by", help="who accepts (default: $USER)")
    args = parser.parse_args(argv)
    try:
        rows = accept(Paths.from_env(), args.suite, args.reason, file=args.file, rule=args.rule, by=args.by)
    except ValueError as e:
        print(f"make accept: {e}", file=sys.stderr)
        return 2
    for r in rows:
        where = f" in {r['source_file']}" if r["source_file"] else ""
        then = (
            "; the batch is admitted: the next run builds it into the marts"
            if r["admitted"]
            else "; the batch stays held back by its other failures"
            if r["batch_id"]
            else "; the next check that observes the same passes it"
        )
        print(
            f"accepted: {r['suite']}: {r['rule']} (observed {r['observed_value']}, allowed {r['threshold']}){where}{then}"
        )
    print(
        f"by {rows[0]['accepted_by']} at {rows[0]['accepted_at']:%Y-%m-%d %H:%M:%S} UTC, acceptance {rows[0]['acceptance_id']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
