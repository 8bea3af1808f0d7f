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
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..settings import Paths
from .suites import Suite, expectation_key, gx_expectations, severity

SAMPLE = 10  # failing values and rows kept per expectation
DATASOURCE = "vector_crm"
# Rebuilding Data Docs is about half of a small validation's time; bulk test runs turn it off.
DATA_DOCS_ENV = "VECTOR_CRM_QUALITY_DATA_DOCS"

# GX prints a progress bar per validation and logs at INFO; the check's metadata says it all.
logging.getLogger("great_expectations").setLevel(logging.WARNING)


# What a result row's `status` says, from GX's success and the expectation's severity: an
# error not accepted blocks what it judges; a warning and an accepted failure never block.
PASSED, WARNING, ERROR, ACCEPTED, NOT_JUDGED = "passed", "warning", "error", "accepted", "not_judged"


@dataclass
class Outcome:
    suite: Suite
    run_id: str
    run_at: datetime
    success: bool  # GX's: every expectation passed
    results: list[dict] = field(default_factory=list)  # one per expectation, see _flatten
    frame_rows: int = 0
    note: str = ""
    # frame row numbers of every failing row, by expectation key (raw suites: the batches they hold)
    failing_index: dict[str, list[int]] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.results if not r["success"]]

    @property
    def errors(self) -> list[dict]:
        return [r for r in self.results if r["status"] == ERROR]

    @property
    def warnings(self) -> list[dict]:
        return [r for r in self.results if r["status"] == WARNING]

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.results if r["status"] == ACCEPTED]

    @property
    def passed(self) -> bool:
        """Nothing blocking: every failure is a warning or accepted."""
        return not self.errors


def gx_root(paths: Paths) -> Path:
    return paths.data_dir / "quality"


def data_docs_index(paths: Paths) -> Path:
    return gx_root(paths) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def validate(paths: Paths, suite: Suite, frame: pd.DataFrame, run_id: str) -> Outcome:
    run_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    if frame.empty:
        return Outcome(
            suite, run_id, run_at, True, note="nothing to validate (no batch loaded yet, or an empty result)"
        )
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
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")]
            if os.environ.get(DATA_DOCS_ENV, "1") != "0"
            else [],
            # a raw error holds every batch it fails on: the complete list of failing rows is needed
            # (profiles are small: one row per batch, load or day)
            result_format={
                "result_format": "COMPLETE" if suite.kind == "raw" else "SUMMARY",
                "partial_unexpected_count": SAMPLE,
            },
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        run_id=gx.RunIdentifier(run_name=run_id, run_time=run_at.replace(tzinfo=UTC)),
    )
    [validation] = result.run_results.values()
    # the suite's own expectations give key and severity (gx_expectations put the key in meta)
    specs = {expectation_key(e): e for e in suite.expectations}
    rows = [
        _flatten(suite, specs[r.expectation_config.meta["key"]], run_id, run_at, r, frame) for r in validation.results
    ]
    failing = {
        row["expectation_key"]: list(
            (r.result or {}).get("unexpected_index_list") or (r.result or {}).get("partial_unexpected_index_list") or []
        )
        for row, r in zip(rows, validation.results, strict=False)
        if not row["success"]
    }
    return Outcome(suite, run_id, run_at, bool(validation.success), rows, len(frame), failing_index=failing)


def _exception(info) -> str | None:
    """GX's exception message: on the result itself, or (GX 1.x, a metric that raised) in a
    dict keyed by the metric that raised."""
    if not info:
        return None
    if "exception_message" in info:
        return info.get("exception_message")
    messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
    return "; ".join(m for m in messages if m) or None


def number_text(v) -> str:
    """A number as a person reads it: 400, not 400.0; 0.0512 kept; dates as dates."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ").removesuffix(" 00:00:00") if hasattr(v, "hour") else v.isoformat()
    return str(v)


def threshold_text(kwargs: dict) -> str:
    """What the expectation allows, in words a person checks a number against."""
    if "value_set" in kwargs:
        return "one of " + ", ".join(map(str, kwargs["value_set"]))
    low, high = (None if kwargs.get(k) is None else number_text(kwargs[k]) for k in ("min_value", "max_value"))
    lt = "<" if kwargs.get("strict_max") else "<="
    gt = ">" if kwargs.get("strict_min") else ">="
    if low is not None and high is not None:
        return f"= {low}" if low == high else f"{gt} {low} and {lt} {high}"
    if high is not None:
        return f"{lt} {high}"
    if low is not None:
        return f"{gt} {low}"
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} {'>=' if kwargs.get('or_equal') else '>'} {kwargs['column_B']}"
    if "value" in kwargs:
        return f"= {kwargs['value']}"
    return _describe(kwargs)


def _flatten(suite: Suite, spec: dict, run_id: str, run_at: datetime, r, frame: pd.DataFrame) -> dict:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    res = r.result or {}
    failing = res.get("partial_unexpected_index_list") or res.get("unexpected_index_list") or []
    sample_rows = [_row(frame, i) for i in failing[:SAMPLE] if isinstance(i, int) and i < len(frame)]
    exception = _exception(r.exception_info) if not r.success else None
    observed = res.get("observed_value")
    if observed is None and "unexpected_count" in res:
        # Empty cells are not looked at (a profile's value rows leave the batch columns empty).
        looked_at = (res.get("element_count") or 0) - (res.get("missing_count") or 0)
        values = [number_text(v) for v in (res.get("partial_unexpected_list") or [])[:3]]
        if looked_at == 1 and res["unexpected_count"] == 1 and values:
            observed = values[0]  # a one-row frame (a mart's totals): the value itself
        elif res["unexpected_count"]:
            observed = f"{res['unexpected_count']} of {looked_at} unexpected: " + ", ".join(values)
        else:
            observed = f"0 of {looked_at} unexpected"
    elif isinstance(observed, float):
        observed = number_text(observed)
    judged = res.get("element_count") is None or (res.get("element_count") or 0) - (res.get("missing_count") or 0) > 0
    sev = severity(spec)
    status = PASSED if r.success and judged else NOT_JUDGED if r.success else ERROR if sev == "error" else WARNING
    return {
        "run_id": run_id,
        "run_at": run_at,
        "suite": suite.name,
        "kind": suite.kind,
        "asset": "/".join(suite.asset),
        "expectation": config.type,
        "expectation_key": expectation_key(spec),
        "column_name": kwargs.get("column"),
        "rule": (config.meta or {}).get("rule") or _describe(kwargs),
        "origin": (config.meta or {}).get("origin", ""),
        "severity": sev,
        "status": status,
        "threshold": threshold_text(kwargs),
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
