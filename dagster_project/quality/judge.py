"""Judge a feed's new batches with its GX raw suite, and record each batch's verdict.

The pending batches (loaded, no verdict yet) are profiled (profile.py) and validated. A batch
on which an *error* expectation fails is held back (ingest/verdicts.py: staging never reads it);
every other pending batch is admitted, its warnings recorded with the results. A failure an
acceptance covers (acceptances.py: same suite, expectation and batch) admits the batch as
``accepted``. Held batches are not judged again: they stay out until a corrected re-send
replaces their rows, or someone accepts them (``make accept``, which admits them at once), or
``python -m dagster_project.quality --kind raw --rejudge-held`` judges them again (after a
threshold changed, say).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..contracts import Feed
from ..ingest import verdicts
from ..ingest.lock import feed_lock
from ..settings import duckdb_connect
from ..sql import lit, q
from . import acceptances as acc
from . import store
from .profile import Batches, batch_profile, manifest_frame, sample_raw_rows
from .suites import Suite, load_suite, raw_suite_path
from .validate import ACCEPTED, ERROR, Outcome, number_text, validate

MAX_REASONS = 20


@dataclass
class Judgement:
    feed: Feed
    outcome: Outcome
    held: list[dict] = field(default_factory=list)  # held now: batch_id, source_file, reasons
    accepted: list[dict] = field(default_factory=list)  # admitted by an acceptance now
    admitted: int = 0
    still_held: list[dict] = field(default_factory=list)  # held by an earlier judgement, left so
    superseded: list[dict] = field(default_factory=list)  # held before, replaced by a re-send now


def judge_feed(
    paths, feed: Feed, run_id: str, *, suite: Suite | None = None, rejudge_held: bool = False, all_batches: bool = False
) -> Judgement:
    """Judge the feed's pending batches (module docstring), holding the feed's load lock so that
    no loader commits batches and no other judgement writes verdicts meanwhile."""
    with feed_lock(paths, feed):
        return _judge(paths, feed, run_id, suite or load_suite(raw_suite_path(feed)), rejudge_held, all_batches)


def _judge(paths, feed: Feed, run_id: str, suite: Suite, rejudge_held: bool, all_batches: bool) -> Judgement:
    state = verdicts.latest(paths, feed)
    loaded = set(manifest_frame(paths, feed)["batch_id"])
    held_before = {b for b, v in state.items() if v["verdict"] == verdicts.HELD}
    if all_batches:
        pending = loaded
    else:
        pending = {b for b in loaded if b not in state} | (held_before & loaded if rejudge_held else set())
    frame = batch_profile(paths, feed, suite.columns, Batches(frozenset(pending), frozenset(held_before)))
    outcome = validate(paths, suite, frame, run_id)
    judgement = Judgement(
        feed,
        outcome,
        still_held=[
            {
                "batch_id": b,
                "source_file": v["source_file"],
                "reasons": json.loads(v["reasons"] or "[]"),
                "judged_at": v["judged_at"],
            }
            for b, v in sorted(state.items())
            if b in held_before - pending
        ],
    )
    if frame.empty:
        outcome.note = "no new batch to judge" + (
            f" ({len(judgement.still_held)} held back)" if judgement.still_held else ""
        )
        return judgement

    reasons = _reasons_by_batch(suite, outcome, frame, acc.load(paths))
    rows = []
    for b in frame.loc[frame["kind"] == "batch", ["batch_id", "source_file"]].itertuples(index=False):
        broke = reasons.get(b.batch_id, [])
        open_ = [r for r in broke if not r.get("acceptance_id")]
        verdict = verdicts.HELD if open_ else "accepted" if broke else "admitted"
        row = {
            "batch_id": b.batch_id,
            "source_file": b.source_file,
            "verdict": verdict,
            "reasons": json.dumps(broke, default=str),
            "acceptance_id": broke[0]["acceptance_id"] if broke and not open_ else None,
        }
        rows.append(row)
        if verdict == verdicts.HELD:
            judgement.held.append({"batch_id": b.batch_id, "source_file": b.source_file, "reasons": open_})
        elif verdict == "accepted":
            judgement.accepted.append({"batch_id": b.batch_id, "source_file": b.source_file, "reasons": broke})
        else:
            judgement.admitted += 1
    verdicts.write(paths, feed, rows, run_id)
    if judgement.admitted or judgement.accepted:
        replaced = set(_supersede(paths, feed, run_id))
        judgement.superseded = [b for b in judgement.still_held if b["batch_id"] in replaced]
        judgement.still_held = [b for b in judgement.still_held if b["batch_id"] not in replaced]
    _add_raw_samples(paths, feed, outcome, frame)
    store.save(paths, outcome, frame)
    return judgement


def _reasons_by_batch(
    suite: Suite, outcome: Outcome, frame: pd.DataFrame, accepted: list[dict]
) -> dict[str, list[dict]]:
    """{batch_id: the error rules it broke}; each reason names the acceptance that covers it, if any.
    Also marks each error result row with the batches it holds, and as accepted when all are covered."""
    out: dict[str, list[dict]] = {}
    for r in outcome.results:
        if r["status"] != ERROR:
            continue
        held = []
        for i in outcome.failing_index.get(r["expectation_key"], []):
            batch_id = frame.at[i, "batch_id"]
            if pd.isna(batch_id):  # suites.load_suite allows raw errors only on batch rows
                raise ValueError(f"{suite.name}: error {r['expectation_key']} failed on a row that names no batch")
            column = r["column_name"]
            observed = frame.at[i, column] if column in frame.columns else None
            cover = acc.covering(accepted, suite.name, r["expectation_key"], batch_id=batch_id)
            reason = {
                "suite": suite.name,
                "expectation_key": r["expectation_key"],
                "rule": r["rule"],
                "column": column,
                "observed": _observed(observed),
                "threshold": r["threshold"],
                "acceptance_id": cover["acceptance_id"] if cover else None,
            }
            out.setdefault(batch_id, []).append(reason)
            held.append(
                {
                    "batch_id": batch_id,
                    "source_file": frame.at[i, "source_file"],
                    "observed": reason["observed"],
                    "acceptance_id": reason["acceptance_id"],
                }
            )
        r["held_batches"] = json.dumps(held[:MAX_REASONS], default=str)
        if held and all(h["acceptance_id"] for h in held):
            r["status"] = ACCEPTED
            r["acceptance_id"] = held[0]["acceptance_id"]
    return out


def _supersede(paths, feed: Feed, run_id: str) -> list[str]:
    """Mark held batches whose every row a later admitted batch re-sent (same business key) as
    superseded: the corrected file replaced them, nobody needs to act on them any more.
    Returns the batches marked."""
    state = verdicts.latest(paths, feed)
    held = sorted(b for b, v in state.items() if v["verdict"] == verdicts.HELD)
    if not held:
        return []
    admitted = sorted(b for b, v in state.items() if v["verdict"] in verdicts.ADMITTED)
    key = " and ".join(f"a.{q(c)} is not distinct from h.{q(c)}" for c in feed.business_key)
    raw = f"read_parquet({lit(str(paths.feed_dir(paths.raw, feed.source, feed.name) / '*.parquet'))}, union_by_name = true)"
    con = duckdb_connect()
    try:
        con.execute("create temp table held as select unnest(?::varchar[]) as batch_id", [held])
        con.execute("create temp table admitted as select unnest(?::varchar[]) as batch_id", [admitted])
        replaced = [
            r[0]
            for r in con.execute(f"""
            with r as (select * from {raw})
            select h._batch_id from r h
            where h._batch_id in (select batch_id from held)
            group by h._batch_id
            having bool_and(exists (
              select 1 from r a where a._batch_id in (select batch_id from admitted)
                and a._loaded_at > h._loaded_at and {key}))
        """).fetchall()
        ]
    finally:
        con.close()
    verdicts.write(
        paths,
        feed,
        [
            {
                "batch_id": b,
                "source_file": state[b]["source_file"],
                "verdict": verdicts.SUPERSEDED,
                "reasons": state[b]["reasons"],
            }
            for b in replaced
        ],
        run_id,
    )
    return replaced


def _observed(v) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return number_text(float(v)) if isinstance(v, (Decimal, int, float)) else number_text(v)


def _add_raw_samples(paths, feed: Feed, outcome: Outcome, frame: pd.DataFrame) -> None:
    """A failing profile row names a file (or a load); add a few of its raw rows that show why."""
    for r in outcome.failed:
        if not r["column_name"]:
            continue
        indices = outcome.failing_index.get(r["expectation_key"], [])[:1]
        if not indices:
            continue
        row = frame.loc[indices[0]]
        failing = {
            "batch_id": None if pd.isna(row.get("batch_id")) else row.get("batch_id"),
            "loaded_at": row.get("loaded_at") if row.get("kind") == "load" else None,
        }
        bad = json.loads(r["unexpected_values"])
        r["raw_rows"] = json.dumps(sample_raw_rows(paths, feed, r["column_name"], failing, bad), default=str)
