"""Batch verdicts: which batches of the raw lake staging reads.

Raw is append-only and keeps every batch (landed file) whose rows passed their contract. Before
dbt reads a batch, its feed's GX raw suite judges it once (quality/judge.py):

- ``admitted``: no error rule failed (warnings are recorded with the results);
- ``held``: an error rule failed (an absurd amount, a date in the future, a broken contract
  promise): staging never reads it, whatever loads after it, until a corrected re-send (new
  bytes: a new batch) replaces its rows by business key, or a person accepts it;
- ``accepted``: held, then admitted by an acceptance (``make accept``; quality/acceptances.py);
- ``superseded``: held, and every row of it has since been re-sent in an admitted batch (the
  corrected file replaced it by business key). Still never read; nobody needs to act on it.

A batch without a verdict (loaded, not judged yet: a run killed between the load and the
judgement) is not read either; the next judgement picks it up.

Layout: ``lake/verdicts/<source>/<feed>/part-*.parquet``, append-only, one part per judgement
that decided something; a batch's newest verdict counts. ``lake/verdicts/_schema.parquet`` is
a zero-row file so that ``lake/verdicts/**/*.parquet`` (dbt's source ``lake.batch_verdicts``)
always matches a file.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from ..contracts import Feed
from ..settings import Paths, duckdb_connect
from ..sql import lit

VERDICT_COLUMNS = {
    "feed": ("VARCHAR", "Feed of the batch, <source>/<feed>."),
    "batch_id": ("VARCHAR", "The batch (landed file content hash, 16 hex digits): _batch_id in raw."),
    "source_file": ("VARCHAR", "The landed file, relative to the landing directory."),
    "verdict": (
        "VARCHAR",
        "admitted, held, accepted (held, then admitted by a person's acceptance) or "
        "superseded (held, and every row re-sent since in an admitted batch; never read).",
    ),
    "reasons": (
        "VARCHAR",
        "JSON list of the error rules the batch broke: suite, expectation, rule, observed "
        "value and threshold (empty for an admitted batch).",
    ),
    "acceptance_id": ("VARCHAR", "For an accepted batch: the acceptance that admitted it (quality.acceptances)."),
    "run_id": ("VARCHAR", "Dagster run (or command) that gave the verdict."),
    "judged_at": ("TIMESTAMP", "When the verdict was given (UTC); a batch's newest verdict counts."),
}
ADMITTED = ("admitted", "accepted")
HELD = "held"
SUPERSEDED = "superseded"


def verdicts_dir(paths: Paths) -> Path:
    return paths.lake / "verdicts"


def feed_dir(paths: Paths, feed: Feed) -> Path:
    return verdicts_dir(paths) / feed.source / feed.name


def ensure_schema(paths: Paths) -> None:
    target = verdicts_dir(paths) / "_schema.parquet"
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    cols = ", ".join(f"cast(null as {typ}) as {name}" for name, (typ, _) in VERDICT_COLUMNS.items())
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    con = duckdb_connect()
    try:
        con.execute(f"copy (select {cols} limit 0) to {lit(str(tmp))} (format parquet)")
    finally:
        con.close()
    os.replace(tmp, target)


def write(paths: Paths, feed: Feed, rows: list[dict], run_id: str) -> Path | None:
    """Append one part of verdicts (rows: batch_id, source_file, verdict, reasons, acceptance_id)."""
    if not rows:
        return None
    ensure_schema(paths)
    folder = feed_dir(paths, feed)
    folder.mkdir(parents=True, exist_ok=True)
    # full precision: two judgements in one second must still be ordered
    judged_at = datetime.now(UTC).replace(tzinfo=None)
    target = folder / f"part-{judged_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.parquet"
    values = {
        "feed": [feed.key] * len(rows),
        "batch_id": [r["batch_id"] for r in rows],
        "source_file": [r["source_file"] for r in rows],
        "verdict": [r["verdict"] for r in rows],
        "reasons": [r.get("reasons") or "[]" for r in rows],
        "acceptance_id": [r.get("acceptance_id") for r in rows],
        "run_id": [run_id] * len(rows),
        "judged_at": [judged_at] * len(rows),
    }
    select = ", ".join(f"cast(unnest(?) as {typ}) as {name}" for name, (typ, _) in VERDICT_COLUMNS.items())
    tmp = target.with_name(target.name + ".tmp")
    con = duckdb_connect()
    try:
        con.execute(f"copy (select {select}) to {lit(str(tmp))} (format parquet)", [values[n] for n in VERDICT_COLUMNS])
    finally:
        con.close()
    os.replace(tmp, target)
    return target


def latest(paths: Paths, feed: Feed) -> dict[str, dict]:
    """{batch_id: its newest verdict record} for a feed."""
    parts = sorted(feed_dir(paths, feed).glob("part-*.parquet"))
    if not parts:
        return {}
    con = duckdb_connect()
    try:
        rel = con.execute(
            "select * from read_parquet(?, filename = true) "
            "qualify row_number() over (partition by batch_id order by judged_at desc, filename desc) = 1",
            [[str(p) for p in parts]],
        )
        names = [d[0] for d in rel.description]
        return {r["batch_id"]: r for r in (dict(zip(names, row, strict=True)) for row in rel.fetchall())}
    finally:
        con.close()


def held(paths: Paths, feed: Feed) -> dict[str, dict]:
    """The feed's batches held back now: {batch_id: verdict record}."""
    return {b: v for b, v in latest(paths, feed).items() if v["verdict"] == HELD}
