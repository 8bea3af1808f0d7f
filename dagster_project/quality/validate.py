"""Run one suite on one pandas frame with GX Core 1.x, and flatten the result.

The GX project is file-backed under <data dir>/quality/gx, so that every validation is
kept and GX Data Docs (a static HTML site) are rebuilt after each one. Suites are read
from expectations/ on every run; the copies GX keeps in its project are overwritten.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..settings import Paths
from .suites import Suite, gx_expectations

SAMPLE = 10  # failing values and rows kept per expectation
DATASOURCE = "vector_crm"
# Rebuilding Data Docs is about half of a small validation's time; bulk test runs turn it off.
DATA_DOCS_ENV = "VECTOR_CRM_QUALITY_DATA_DOCS"

# GX prints a progress bar per validation and logs at INFO; the check's metadata says it all.
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass
class Outcome:
    suite: Suite
    run_id: str
    run_at: datetime
    success: bool
    results: list[dict] = field(default_factory=list)  # one per expectation, see _flatten
    frame_rows: int = 0
    note: str = ""

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]


def gx_root(paths: Paths) -> Path:
    return paths.data_dir / "quality"


def data_docs_index(paths: Paths) -> Path:
    return gx_root(paths) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def validate(paths: Paths, suite: Suite, frame: pd.DataFrame, run_id: str) -> Outcome:
    run_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    if frame.empty:
        return Outcome(suite, run_id, run_at, True, note="nothing to validate (no batch loaded yet, or an empty result)")
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(gx_root(paths)))
    context.variables.progress_bars = {"globally": False}  # no bars in Dagster's logs
    try:
        source = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = source.get_asset(suite.name)
    except LookupError:
        asset = source.add_dataframe_asset(suite.name)
    try:
        batch = asset.get_batch_definition("whole")
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe("whole")
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=suite.name, expectations=gx_expectations(suite), meta=suite.spec.get("meta", {}))
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
        name=suite.name, validation_definitions=[definition],
        actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if os.environ.get(DATA_DOCS_ENV, "1") != "0" else [],
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE},
    ))
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        run_id=gx.RunIdentifier(run_name=run_id, run_time=run_at.replace(tzinfo=timezone.utc)),
    )
    [validation] = result.run_results.values()
    rows = [_flatten(suite, run_id, run_at, r, frame) for r in validation.results]
    return Outcome(suite, run_id, run_at, bool(validation.success), rows, len(frame))


def _flatten(suite: Suite, run_id: str, run_at: datetime, r, frame: pd.DataFrame) -> dict:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    res = r.result or {}
    failing = res.get("partial_unexpected_index_list") or []
    sample_rows = [_row(frame, i) for i in failing[:SAMPLE] if isinstance(i, int) and i < len(frame)]
    exception = (r.exception_info or {}).get("exception_message") if not r.success else None
    observed = res.get("observed_value")
    if observed is None and "unexpected_count" in res:
        # Empty cells are not looked at (a profile's value rows leave the batch columns empty).
        looked_at = (res.get("element_count") or 0) - (res.get("missing_count") or 0)
        observed = f"{res['unexpected_count']} of {looked_at} unexpected"
    return {
        "run_id": run_id,
        "run_at": run_at,
        "suite": suite.name,
        "kind": suite.kind,
        "asset": "/".join(suite.asset),
        "expectation": config.type,
        "column_name": kwargs.get("column"),
        "rule": (config.meta or {}).get("rule") or _describe(kwargs),
        "origin": (config.meta or {}).get("origin", ""),
        "kwargs": json.dumps(kwargs, default=str, sort_keys=True),
        "success": bool(r.success),
        "observed_value": None if observed is None else str(observed),
        "unexpected_count": res.get("unexpected_count"),
        "element_count": res.get("element_count"),
        "unexpected_values": json.dumps(res.get("partial_unexpected_list", [])[:SAMPLE], default=str),
        "failing_rows": json.dumps(sample_rows, default=str),
        "exception": exception,
    }


def _describe(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("column", "result_format"))


def _row(frame: pd.DataFrame, i: int) -> dict:
    """A frame row without its empty cells (a profile row is mostly empty for other kinds)."""
    return {k: v for k, v in frame.iloc[i].items() if not pd.isna(v)}
