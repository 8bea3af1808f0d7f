"""The closing block of `make run`: what a person has to act on after a run, in a few lines.

Collected from the run's events: failed steps (their first error line), and the ``issues``
the quality gates put in their check results (quality/checks.py): batches held back, files
rejected, marts held back, warnings, items still waiting from earlier runs, acceptances used.
Each says where (file, load or mart), which rule, what was observed against what is allowed,
and the command that fixes it. Stack traces and Dagster's step lists stay in the event log.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import dagster as dg

from .orchestration import _root_message
from .quality.checks import ISSUES_KEY

# What each kind of issue is called, in the order the block lists them.
HEADINGS = {
    "not_run": "NOT JUDGED",
    "held": "HELD BACK",
    "rejected": "REJECTED",
    "error": "MART HELD",
    "warning": "WARNING",
    "still_held": "WAITING",
    "still_rejected": "WAITING",
    "accepted": "ACCEPTED",
    "superseded": "REPLACED",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its console lines
BLOCKING = ("not_run", "held", "rejected", "error")
MAX_PER_KIND = 8


@dataclass
class RunReport:
    failed_steps: list[tuple[str, str]] = field(default_factory=list)  # (step, first error line)
    issues: list[dict] = field(default_factory=list)
    held_marts: list[dict] = field(default_factory=list)  # from the publish step

    @property
    def failed(self) -> bool:
        return bool(self.failed_steps)

    def count(self, *levels: str) -> int:
        return sum(1 for i in self.issues if i["level"] in levels)


def collect(events) -> RunReport:
    report = RunReport()
    for e in events:
        if e.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = ANSI.sub("", _root_message(e.event_specific_data.error if e.event_specific_data else None))
            lines = error.splitlines() or [""]
            # dbt's failure message lists its failing nodes ("12 of 418 ERROR ..."): keep a few
            nodes = [x.strip() for x in lines[1:] if " ERROR " in x or x.strip().startswith("Failure in")][:3]
            report.failed_steps.append((e.step_key, "\n            ".join([lines[0], *nodes])))
        elif e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            value = e.event_specific_data.metadata.get(ISSUES_KEY)
            if value is not None:
                report.issues.extend(value.value if hasattr(value, "value") else json.loads(value))
        elif e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            held = e.event_specific_data.materialization.metadata.get("marts_held")
            if held is not None:
                report.held_marts.extend(held.value)
    return report


def _groups(issues: list[dict]) -> list[list[dict]]:
    """Issues of one kind about one file (load, mart) together, in first-seen order."""
    groups: dict[tuple, list[dict]] = {}
    for i in issues:
        groups.setdefault((i["level"], i["asset"], i.get("where") or ""), []).append(i)
    return list(groups.values())


def headline(report: RunReport, seconds: float) -> str:
    if report.failed:
        steps = ", ".join(s for s, _ in report.failed_steps)
        return f"vector-crm pipeline FAILED at {steps} after {seconds:.0f} s"

    def files(*levels: str) -> int:
        return len(_groups([i for i in report.issues if i["level"] in levels]))

    parts = [
        f"{n} {word}"
        for n, word in (
            (files("held"), "batch(es) held back"),
            (files("rejected"), "file(s) rejected"),
            (len(report.held_marts), "mart(s) held back"),
            (files("not_run"), "feed(s) not judged"),
            (report.count("warning"), "warning(s)"),
            (files("still_held", "still_rejected"), "item(s) waiting"),
        )
        if n
    ]
    if report.count(*BLOCKING) or report.held_marts:
        return (
            f"vector-crm pipeline finished in {seconds:.0f} s: "
            + ", ".join(parts)
            + "; everything else was built and published"
        )
    return f"vector-crm pipeline succeeded in {seconds:.0f} s" + (f" ({', '.join(parts)})" if parts else "")


def render(report: RunReport, seconds: float, log_path: str) -> str:
    """The closing block (the last thing `make run` prints)."""
    lines = []
    for step, error in report.failed_steps:
        lines += [
            f"FAILED      {step}",
            f"            {error}",
            f"            the whole log: {log_path}; the run in the Dagster UI: make dev",
        ]
    for level, heading in HEADINGS.items():
        groups = _groups([i for i in report.issues if i["level"] == level])
        for group in groups[:MAX_PER_KIND]:
            first = group[0]
            lines.append(f"{heading:<11} {first['asset']}" + (f"  {first['where']}" if first.get("where") else ""))
            for i in group:
                seen = [
                    f"observed {i['observed']}" if i.get("observed") not in (None, "") else "",
                    f"allowed {i['threshold']}" if i.get("threshold") else "",
                    f"since {i['since']}" if i.get("since") else "",
                ]
                lines.append(f"            {i['rule']}" + (f": {', '.join(s for s in seen if s)}" if any(seen) else ""))
            if first.get("fix") and level not in ("warning", "superseded"):
                lines.append(f"            fix: {first['fix']}")
        if len(groups) > MAX_PER_KIND:
            lines.append(
                f"{heading:<11} … and {len(groups) - MAX_PER_KIND} more (quality.latest_results in the warehouse)"
            )
    for m in report.held_marts:
        served = (
            f"serving keeps its version of run {m['served_run_id']}"
            if m.get("served_run_id")
            else "serving has no version of it yet"
        )
        lines.append(f"{'NOT SERVED':<11} marts/{m['mart']}  {m['reason']}; {served}")
    return "\n".join([headline(report, seconds), *lines])
