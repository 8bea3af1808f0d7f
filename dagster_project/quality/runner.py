"""Build a suite's frame, validate it, keep the result. Used by the Dagster steps and the CLI.

Raw suites judge their feed's new batches (judge.py). Mart suites validate the rows of their
dbt model (schema quality, dbt/models/quality) or, for the CLV tables, of their SQL, plus the
change columns of ``compare_previous``; a failure an acceptance covers (same suite, expectation
and observed value) counts as accepted, not as an error.
"""

from __future__ import annotations

import pandas as pd

from ..contracts import get_feed
from ..settings import Paths, duckdb_connect
from . import acceptances as acc
from . import store
from .judge import judge_feed
from .suites import Suite
from .validate import ACCEPTED, ERROR, WARNING, Outcome, validate

# The schema of the qc_<mart> models (dbt_project.yml, models.vector_crm.quality.+schema);
# tests/unit/test_quality_models.py checks that the manifest agrees.
QUALITY_SCHEMA = "quality"


def mart_query(suite: Suite) -> str:
    """What the suite validates: every row of its dbt model, or its SQL (the CLV tables)."""
    return f"select * from {QUALITY_SCHEMA}.{suite.model}" if suite.model else suite.query


def with_previous(paths: Paths, suite: Suite, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a column per compare_previous entry: base / base's value in the last run
    of this suite without an error; null before the first such run or when that value is 0
    (as the SQL `base / nullif(<previous base>, 0)` would)."""
    for column, base in (suite.compare_previous or {}).items():
        previous = store.previous_value(paths, suite.name, base)
        current = pd.to_numeric(frame[base], errors="coerce").astype("float64")
        frame[column] = current / float(previous) if previous is not None and float(previous) != 0 else float("nan")
    return frame


def mart_frame(paths: Paths, suite: Suite) -> pd.DataFrame:
    if not paths.warehouse.exists():
        raise FileNotFoundError(f"{suite.name}: no warehouse at {paths.warehouse}; build the marts first")
    con = duckdb_connect(str(paths.warehouse), read_only=True)
    try:
        frame = con.execute(mart_query(suite)).df()
    finally:
        con.close()
    return with_previous(paths, suite, frame)


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
