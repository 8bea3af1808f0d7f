"""Sensors: new landing files start a pipeline run; a failed run logs a clear summary and,
when configured, calls a webhook.

The landing sensor's cursor remembers every file it has asked a run for (its path, size and
modification time), so a file starts exactly one run, a changed file (a corrected re-send
under the same name) starts another, and an evaluation that finds nothing new skips.
Ingestion itself never loads a file twice (the load manifest, by content hash), so a run
requested twice by accident would load nothing new either.

The run covers the landing days of the new files (ingest/partitions.py): one day, or the
range from the first to the last as one run, so the days show as materialized in the UI.
New files spread over more than MAX_SENSOR_DAYS days (a history dropped in at once) get
an unpartitioned catch-up run instead, which loads them all without writing one event per
day into Dagster's log.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request

import dagster as dg

from .contracts import ALL_FEEDS
from .ingest.landing import LandedFile, discover
from .ingest.partitions import partition_date, range_tags
from .settings import Paths

WEBHOOK_ENV = "VECTOR_CRM_FAILURE_WEBHOOK"
LANDING_SENSOR_SECONDS = 60
MAX_SENSOR_DAYS = 31


def landed_files(paths: Paths) -> dict[str, LandedFile]:
    """{path relative to the landing zone: file} for every file of every feed."""
    if not paths.landing.is_dir():
        return {}
    return {f.relative: f for feed in ALL_FEEDS for f in discover(paths.landing, feed)}


def fingerprint(f: LandedFile) -> str:
    return f"{f.size}:{f.mtime_ns}"


def run_days(files: list[LandedFile]) -> dict[str, str]:
    """Run tags for the landing days of these files: a partition range, or none (catch-up)."""
    days = sorted({partition_date(f) for f in files})
    if (days[-1] - days[0]).days >= MAX_SENSOR_DAYS:
        return {"vector_crm/catch_up": f"{len(days)} landing days from {days[0]} to {days[-1]}"}
    return range_tags(days[0].isoformat(), days[-1].isoformat())


def build_landing_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_landing_files",
        job=job,
        minimum_interval_seconds=LANDING_SENSOR_SECONDS,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts the pipeline when files appear (or change) in the landing zone.",
    )
    def new_landing_files(context: dg.SensorEvaluationContext):
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        files = landed_files(Paths.from_env())
        now = {name: fingerprint(f) for name, f in files.items()}
        new = sorted(name for name, fp in now.items() if seen.get(name) != fp)
        if not new:
            return dg.SkipReason(f"no new files among {len(now)} in the landing zone")
        run_key = hashlib.sha256("\n".join(f"{n}={now[n]}" for n in new).encode()).hexdigest()[:32]
        context.log.info(f"{len(new)} new or changed landing file(s): " + ", ".join(new[:10])
                         + (f" and {len(new) - 10} more" if len(new) > 10 else ""))
        tags = {"vector_crm/new_files": str(len(new)), **run_days([files[n] for n in new])}
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags=tags)],
            cursor=json.dumps({**seen, **{n: now[n] for n in new}}, sort_keys=True),
        )

    return new_landing_files


def _root_message(error) -> str:
    """The innermost cause: Dagster wraps the user's exception in its own step error."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else ""


def failure_summary(context: dg.RunFailureSensorContext) -> dict:
    """What failed, in a form a person (or a chat webhook) reads at a glance."""
    failed_steps = [
        {"step": e.step_key, "error": _root_message(e.event_specific_data.error if e.event_specific_data else None)}
        for e in context.get_step_failure_events()
    ]
    run = context.dagster_run
    return {
        "text": f"vector-crm: run {run.run_id} of job {run.job_name} failed"
        + (f" at {', '.join(s['step'] for s in failed_steps)}" if failed_steps else ""),
        "job": run.job_name,
        "run_id": run.run_id,
        "failure": context.failure_event.message,
        "failed_steps": failed_steps,
    }


def post_webhook(url: str, payload: dict, timeout_s: float = 10.0) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (the user's own URL)
        return response.status


@dg.run_failure_sensor(
    name="report_failed_runs",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Logs a summary of every failed run; also POSTs it as JSON to ${WEBHOOK_ENV} when set.",
)
def report_failed_runs(context: dg.RunFailureSensorContext):
    summary = failure_summary(context)
    context.log.error(summary["text"] + "\n" + "\n".join(f"  {s['step']}: {s['error']}" for s in summary["failed_steps"]))
    url = os.environ.get(WEBHOOK_ENV)
    if url:
        try:
            status = post_webhook(url, summary)
            context.log.info(f"failure webhook answered {status}")
        except OSError as exc:  # a broken webhook must not hide the failure it reports
            context.log.warning(f"failure webhook {url} could not be called: {exc}")
