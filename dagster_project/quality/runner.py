"""Build a suite's frame, validate it, keep the result. Used by the asset checks and the CLI."""

from __future__ import annotations

import re

import pandas as pd

from ..contracts import get_feed
from ..settings import Paths, duckdb_connect
from . import store
from .profile import batch_profile, sample_raw_rows
from .suites import Suite
from .validate import Outcome, validate

PREVIOUS = re.compile(r"\{previous:(\w+)\}")


def mart_query(paths: Paths, suite: Suite) -> str:
    """The suite's SQL with each {previous:<column>} replaced by that column's value in the
    last successful run of this suite (NULL before the first), as a SQL literal."""
    def literal(m: re.Match) -> str:
        v = store.previous_value(paths, suite.name, m.group(1))
        return "null" if v is None else repr(float(v)) if isinstance(v, (int, float)) else "'" + str(v).replace("'", "''") + "'"
    return PREVIOUS.sub(literal, suite.query or "")


def build_frame(paths: Paths, suite: Suite) -> pd.DataFrame:
    if suite.kind == "raw":
        source, name = suite.feed.split("/")
        return batch_profile(paths, get_feed(source, name), suite.columns)
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"{suite.name}: no warehouse at {paths.warehouse}; build the marts first")
    con = duckdb_connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(mart_query(paths, suite)).df()
    finally:
        con.close()


def run_suite(paths: Paths, suite: Suite, run_id: str) -> Outcome:
    frame = build_frame(paths, suite)
    outcome = validate(paths, suite, frame, run_id)
    if suite.kind == "raw":
        _add_raw_samples(paths, suite, outcome)
    store.save(paths, outcome, frame)
    return outcome


def _add_raw_samples(paths: Paths, suite: Suite, outcome: Outcome) -> None:
    """A failing profile row names a file; add a few of that file's raw rows that show why."""
    import json

    source, name = suite.feed.split("/")
    feed = get_feed(source, name)
    for r in outcome.failed:
        rows = json.loads(r["failing_rows"])
        files = sorted({x["source_file"] for x in rows if x.get("source_file")})
        if not files or not r["column_name"]:
            continue
        bad = json.loads(r["unexpected_values"])
        r["raw_rows"] = json.dumps(sample_raw_rows(paths, feed, r["column_name"], files, bad), default=str)
