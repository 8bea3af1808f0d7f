"""The GX suites as Dagster asset checks, and the plain-words account of what each one found.

Neither kind is a Dagster *blocking* check: a blocking check that fails skips every step
downstream of its asset, and every dbt model is downstream of every feed (identity resolution
joins them all), so one file would freeze the warehouse. Each check is instead evaluated by
the step that acts on it, and blocks only what its failure would make wrong:

- raw suites run inside their feed's ingest step, right after the load (``raw_check``): a new
  batch that breaks an error rule is held back in the lake (staging never reads it); the
  rest of the feed, and every other feed, go on to dbt;
- mart suites run inside the publish step (``serving/assets.py``): a mart that breaks an
  error rule keeps its last good version in the serving snapshot, with the marts built from it.

Each result carries ``issues`` in its metadata: one record per thing a person may act on (a
batch held back, a file rejected, a warning, a mart held), which the run's closing summary
(``run.py``) and the failure reports print.
"""

from __future__ import annotations

import json

import dagster as dg

from ..contracts import Feed
from ..settings import Paths
from . import store
from .judge import Judgement, judge_feed
from .suites import EXPECTATIONS_DIR, Suite, load_suite, raw_suite_path
from .validate import ACCEPTED, ERROR, WARNING, Outcome, data_docs_index, number_text

MAX_LISTED = 20
MAX_ROWS_PER_RULE = 3  # failing files (loads, days) named per rule in a check's issues
ISSUES_KEY = "issues"


def _shown(suite: Suite) -> str:
    root = EXPECTATIONS_DIR.parent
    return str(suite.path.relative_to(root)) if suite.path.is_relative_to(root) else str(suite.path)


def check_spec(suite: Suite) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        suite.check_name,
        asset=dg.AssetKey(list(suite.asset)),
        description=f"GX suite `{_shown(suite)}`. {suite.description}",
        metadata={"suite_file": dg.MetadataValue.path(str(suite.path))},
    )


def raw_check_spec(feed: Feed) -> dg.AssetCheckSpec:
    return check_spec(load_suite(raw_suite_path(feed)))


# --- what a person may act on ----------------------------------------------------------------


def accept_command(suite: str, where: str | None = None) -> str:
    file = f" FILE={where}" if where else ""
    return f'make accept SUITE={suite}{file} REASON="..."'


def _where(row: dict) -> str:
    """The file, load or landing day a profile row stands for (raw), or nothing (marts)."""
    if row.get("kind") == "day":
        return f"landing day {str(row.get('landing_day'))[:10]}: {row.get('source_file')}"
    if row.get("kind") == "load":
        return f"load of {str(row.get('loaded_at'))[:19]}: {row.get('source_file')}"
    return row.get("source_file") or ""


def result_issues(outcome: Outcome) -> list[dict]:
    """Warnings, errors and acceptances of a validation, with where they were seen: for a raw
    suite one issue per failing file, load or landing day (its own value), a few at most."""
    out = []
    for r in outcome.results:
        if r["status"] not in (ERROR, WARNING, ACCEPTED):
            continue
        issue = {
            "level": {"error": "error", "warning": "warning", "accepted": "accepted"}[r["status"]],
            "asset": r["asset"],
            "suite": r["suite"],
            "rule": r["rule"],
            "expectation": r["expectation_key"],
            "observed": r["observed_value"],
            "threshold": r["threshold"],
            "where": "",
        }
        rows = [x for x in json.loads(r["failing_rows"]) if _where(x)]
        if outcome.suite.kind != "raw" or not rows:
            out.append(issue)
            continue
        n = len(outcome.failing_index.get(r["expectation_key"], rows))
        for x in rows[:MAX_ROWS_PER_RULE]:
            value = x.get(r["column_name"])
            out.append(issue | {"where": _where(x), "observed": None if value is None else number_text(value)})
        if n > MAX_ROWS_PER_RULE:
            out[-1]["where"] += f" (and {n - MAX_ROWS_PER_RULE} more)"
    return out


def judgement_issues(j: Judgement, rejected: list, still_rejected: list) -> list[dict]:
    suite, asset = j.outcome.suite.name, "/".join(j.outcome.suite.asset)
    out = []
    for f in rejected:
        out.append(
            {
                "level": "rejected",
                "asset": asset,
                "suite": suite,
                "where": f.source_file,
                "rule": f.problem,
                "fix": "correct the file and land it again (new bytes load as a new batch); nothing was loaded from it",
            }
        )
    for b in j.held:
        for reason in b["reasons"]:
            out.append(
                {
                    "level": "held",
                    "asset": asset,
                    "suite": suite,
                    "where": b["source_file"],
                    "rule": reason["rule"],
                    "expectation": reason["expectation_key"],
                    "observed": reason["observed"],
                    "threshold": reason["threshold"],
                    "fix": "land a corrected file (it replaces these rows by business key), or accept it: "
                    + accept_command(suite, b["source_file"]),
                }
            )
    out += [i for i in result_issues(j.outcome) if i["level"] == "warning"]
    for b in j.still_held:
        out.append(
            {
                "level": "still_held",
                "asset": asset,
                "suite": suite,
                "where": b["source_file"],
                "rule": "; ".join(r["rule"] for r in b["reasons"]),
                "since": str(b["judged_at"])[:19],
                "fix": accept_command(suite, b["source_file"]),
            }
        )
    for b in j.superseded:
        out.append(
            {
                "level": "superseded",
                "asset": asset,
                "suite": suite,
                "where": b["source_file"],
                "rule": "; ".join(r["rule"] for r in b["reasons"]),
                "since": str(b["judged_at"])[:19],
                "fix": "nothing to do: a corrected re-send replaced every row of it",
            }
        )
    for f in still_rejected:
        out.append(
            {
                "level": "still_rejected",
                "asset": asset,
                "suite": suite,
                "where": f.source_file,
                "rule": f.problem,
                "fix": "correct the file (new bytes), or move it out of the landing zone",
            }
        )
    return out


def describe(issues: list[dict]) -> str:
    """The issues as short lines (a check's description, a log line)."""
    words = {
        "held": "held back",
        "rejected": "file rejected",
        "warning": "warning",
        "error": "error: mart held back",
        "accepted": "accepted",
        "still_held": "still held back",
        "still_rejected": "still rejected",
        "superseded": "replaced by a corrected re-send",
    }
    lines = []
    for i in issues[:MAX_LISTED]:
        seen = f": observed {i['observed']}" if i.get("observed") not in (None, "") else ""
        allowed = f", allowed {i['threshold']}" if i.get("threshold") else ""
        where = f" [{i['where']}]" if i.get("where") else ""
        lines.append(f"- {words[i['level']]}: {i['rule']}{seen}{allowed}{where}")
    if len(issues) > MAX_LISTED:
        lines.append(f"- … and {len(issues) - MAX_LISTED} more")
    return "\n".join(lines)


def _severity(issues: list[dict]) -> tuple[bool, dg.AssetCheckSeverity]:
    blocking = {"held", "rejected", "error", "not_run"}
    if any(i["level"] in blocking for i in issues):
        return False, dg.AssetCheckSeverity.ERROR
    if any(i["level"] not in ("accepted", "superseded") for i in issues):
        return False, dg.AssetCheckSeverity.WARN
    return True, dg.AssetCheckSeverity.WARN


# --- raw: judged inside the ingest step --------------------------------------------------------


def raw_check(paths: Paths, feed: Feed, report, run_id: str, log) -> dg.AssetCheckResult:
    """Judge the batches the load just made (and any left unjudged), as the feed's GX check."""
    suite = load_suite(raw_suite_path(feed))
    rejected = report.rejected
    still_rejected = [f for f in report.files if f.status == "still_rejected"]
    try:
        j = judge_feed(paths, feed, run_id, suite=suite)
    except Exception as e:
        message = (
            f"{suite.name}: could not judge the new batches ({type(e).__name__}: {e}); they stay out of "
            "staging until a judgement admits them (the next run tries again)"
        )
        log.error(message)
        issues = [
            {
                "level": "not_run",
                "asset": "/".join(suite.asset),
                "suite": suite.name,
                "rule": message,
                "fix": "python -m dagster_project.quality --kind raw   (after fixing the cause)",
            }
        ]
        return dg.AssetCheckResult(
            check_name=suite.check_name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=message,
            metadata={ISSUES_KEY: dg.MetadataValue.json(issues)},
        )
    issues = judgement_issues(j, rejected, still_rejected)
    passed, severity = _severity(issues)
    head = (
        f"{suite.name}: {len(j.held)} batch(es) held back, {len(rejected)} file(s) rejected, "
        f"{len(j.outcome.warnings)} warning(s); {j.admitted + len(j.accepted)} new batch(es) admitted"
        if j.outcome.results or rejected
        else f"{suite.name}: no new batch to judge"
    )
    text = head + ("\n" + describe(issues) if issues else "")
    if not passed:
        (log.error if severity == dg.AssetCheckSeverity.ERROR else log.warning)(text)
    return dg.AssetCheckResult(
        check_name=suite.check_name,
        passed=passed,
        severity=severity,
        description=text,
        metadata=check_metadata(paths, j.outcome, issues)
        | {
            "batches_admitted": j.admitted + len(j.accepted),
            "batches_held": len(j.held),
            "batches_still_held": len(j.still_held),
            "files_rejected": len(rejected),
        },
    )


# --- marts: checked inside the publish step ----------------------------------------------------


def mart_check_result(paths: Paths, outcome: Outcome) -> dg.AssetCheckResult:
    issues = result_issues(outcome)
    for i in issues:
        if i["level"] in ("error", "warning"):
            i["fix"] = (
                "fix the model or its data, or accept this observation: " + accept_command(i["suite"])
                if i["level"] == "error"
                else "look at it; it does not block (accept it to silence it: " + accept_command(i["suite"]) + ")"
            )
    passed, severity = _severity(issues)
    if outcome.note:
        text = f"{outcome.suite.name}: {outcome.note}"
    elif not issues:
        text = f"{outcome.suite.name}: all {len(outcome.results)} expectations passed on {outcome.frame_rows:,} rows"
    else:
        text = f"{outcome.suite.name}: {len(outcome.errors)} error(s), {len(outcome.warnings)} warning(s)\n" + describe(
            issues
        )
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(outcome.suite.asset)),
        check_name=outcome.suite.check_name,
        passed=passed,
        severity=severity,
        description=text,
        metadata=check_metadata(paths, outcome, issues),
    )


def check_metadata(paths: Paths, outcome: Outcome, issues: list[dict]) -> dict:
    rows = ["| status | expectation | rule | observed | allowed |", "|---|---|---|---|---|"]
    for r in [x for x in outcome.results if x["status"] in (ERROR, WARNING, ACCEPTED)][:MAX_LISTED]:
        rows.append(
            f"| {r['status']} | {r['expectation_key']} | {r['rule']} | {r['observed_value']} | {r['threshold']} |"
        )
    samples = [
        {
            "rule": r["rule"],
            "column": r["column_name"],
            "failing_rows": json.loads(r["failing_rows"]),
            "raw_rows": json.loads(r.get("raw_rows") or "[]"),
        }
        for r in outcome.failed[:MAX_LISTED]
    ]
    docs = data_docs_index(paths)
    return {
        "suite": outcome.suite.name,
        "rows_validated": outcome.frame_rows,
        "expectations": len(outcome.results),
        "errors": len(outcome.errors),
        "warnings": len(outcome.warnings),
        "accepted": len(outcome.accepted),
        "failing_expectations": dg.MetadataValue.md("\n".join(rows) if outcome.failed else "none"),
        "sample_failing_rows": dg.MetadataValue.json(samples),
        ISSUES_KEY: dg.MetadataValue.json(issues),
        "results_dir": dg.MetadataValue.path(str(store.results_dir(paths) / outcome.suite.name)),
        "data_docs": dg.MetadataValue.url(docs.as_uri()) if docs.exists() else "not built yet",
    }
