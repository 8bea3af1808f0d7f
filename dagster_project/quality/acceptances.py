"""Acceptances: a person's record that a reviewed failure may pass.

One acceptance covers one failure exactly: a suite's expectation on one batch (raw suites:
the landed file's content hash), or on one observed value (mart suites). Anything else, a new
file or a different value, is a different failure, and an acceptance never silences it.

``<data dir>/quality/acceptances/<accepted_at>-<id>.parquet``: append-only, one file per
``make accept``; mirrored into ``quality.acceptances`` (store.sync_warehouse) and published
to the serving file as ``quality_acceptances``.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import Paths, duckdb_connect
from .store import acceptances_dir, write_frame

ACCEPTANCE_COLUMNS = {
    "acceptance_id": ("VARCHAR", "Id of the acceptance."),
    "suite": ("VARCHAR", "GX suite whose failure is accepted."),
    "expectation_key": ("VARCHAR", "The expectation within the suite (type:column)."),
    "rule": ("VARCHAR", "The expectation's rule, in words."),
    "column_name": ("VARCHAR", "Column the expectation judges."),
    "batch_id": ("VARCHAR", "Raw suites: the batch (landed file content hash) accepted; null for a mart."),
    "source_file": ("VARCHAR", "Raw suites: the landed file accepted."),
    "observed_value": (
        "VARCHAR",
        "What the suite observed when the failure was accepted (a mart's acceptance holds "
        "while it observes exactly this).",
    ),
    "threshold": ("VARCHAR", "What the expectation allows."),
    "accepted_by": ("VARCHAR", "Who accepted ($USER, or --by)."),
    "accepted_at": ("TIMESTAMP", "When (UTC)."),
    "reason": ("VARCHAR", "Why, in the person's words."),
}


def load(paths: Paths) -> list[dict]:
    files = sorted(acceptances_dir(paths).glob("*.parquet"))
    if not files:
        return []
    con = duckdb_connect()
    try:
        rel = con.execute(
            "select * from read_parquet(?, union_by_name = true) order by accepted_at", [[str(f) for f in files]]
        )
        names = [d[0] for d in rel.description]
        return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def covering(
    acceptances: list[dict], suite: str, key: str, *, batch_id: str | None = None, observed: str | None = None
) -> dict | None:
    """The acceptance that covers this failure, if any (the newest)."""
    for a in reversed(acceptances):
        if a["suite"] != suite or a["expectation_key"] != key:
            continue
        if batch_id is not None and a["batch_id"] == batch_id:
            return a
        if batch_id is None and a["batch_id"] is None and a["observed_value"] == observed:
            return a
    return None


def record(paths: Paths, rows: list[dict]) -> Path:
    """Write one acceptance file (all rows share accepted_at and acceptance_id's prefix)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(ACCEPTANCE_COLUMNS))
    target = acceptances_dir(paths) / f"{rows[0]['accepted_at']:%Y%m%dT%H%M%S%f}-{rows[0]['acceptance_id']}.parquet"
    write_frame(frame, target, {name: typ for name, (typ, _) in ACCEPTANCE_COLUMNS.items()})
    return target
