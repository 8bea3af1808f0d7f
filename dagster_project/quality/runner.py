"""Build a suite's frame, validate it, keep the result. Used by the Dagster steps and the CLI.

Raw suites judge their feed's new batches (judge.py). Mart suites validate the result of their
SQL over the warehouse; a failure an acceptance covers (same suite, expectation and observed
value) counts as accepted, not as an error.
"""

from __future__ import annotations

import re

import pandas as pd

from ..contracts import get_feed
from ..settings import Paths, duckdb_connect
from . import acceptances as acc
from . import store
from .judge import judge_feed
from .suites import Suite
from .validate import ACCEPTED, ERROR, WARNING, Outcome, validate

PREVIOUS = re.compile(r"\{previous:(\w+)\}")


def mart_query(paths: Paths, suite: Suite) -> str:
    """The suite's SQL with each {previous:<column>} replaced by that column's value in the
    last run of this suite that had no error (NULL before the first), as a SQL literal."""

    def literal(m: re.Match) -> str:
        v = store.previous_value(paths, suite.name, m.group(1))
        return (
            "null"
            if v is None
            else repr(float(v))
            if isinstance(v, (int, float))
            else "'" + str(v).replace("'", "''") + "'"
        )

    return PREVIOUS.sub(literal, suite.query or "")


def mart_frame(paths: Paths, suite: Suite) -> pd.DataFrame:
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"{suite.name}: no warehouse at {paths.warehouse}; build the marts first")
    con = duckdb_connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(mart_query(paths, suite)).df()
    finally:
        con.close()


def check_mart(paths: Paths, suite: Suite, run_id: str) -> Outcome:
    frame = mart_frame(paths, suite)
    outcome = validate(paths, suite, frame, run_id)
    accepted = acc.load(paths)
    for r in outcome.results:
        if r["status"] in (ERROR, WARNING):
            cover = acc.covering(accepted, suite.name, r["expectation_key"], observed=r["observed_value"])
            if cover:
                r["status"], r["acceptance_id"] = ACCEPTED, cover["acceptance_id"]
    store.save(paths, outcome, frame)
    return outcome


def run_suite(paths: Paths, suite: Suite, run_id: str, **judge_options) -> Outcome:
    """Raw suites judge the feed's new batches (judge_options go to judge_feed); mart suites check."""
    if suite.kind == "raw":
        source, name = suite.feed.split("/")
        return judge_feed(paths, get_feed(source, name), run_id, suite=suite, **judge_options).outcome
    return check_mart(paths, suite, run_id)
