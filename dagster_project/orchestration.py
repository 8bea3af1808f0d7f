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

from . import run_state
from .contracts import ALL_FEEDS
from .ingest.landing import LandedFile, discover
from .ingest.partitions import partition_date, range_tags
from .resources import WarehouseResource
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
    def new_landing_files(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        files = landed_files(warehouse.paths())
        now = {name: fingerprint(f) for name, f in files.items()}
        new = sorted(name for name, fp in now.items() if seen.get(name) != fp)
        if not new:
            return dg.SkipReason(f"no new files among {len(now)} in the landing zone")
        run_key = hashlib.sha256("\n".join(f"{n}={now[n]}" for n in new).encode()).hexdigest()[:32]
        context.log.info(
            f"{len(new)} new or changed landing file(s): "
            + ", ".join(new[:10])
            + (f" and {len(new) - 10} more" if len(new) > 10 else "")
        )
        tags = {"vector_crm/new_files": str(len(new)), **run_days([files[n] for n in new])}
        if "vector_crm/catch_up" in tags:  # unpartitioned: it loads every file, as make run does
            tags[INPUTS_TAG] = json.dumps(run_state.fingerprint(warehouse.paths()))
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


# A run reported already (by `make run`, which runs without the daemon and so reports its own
# failure at once) carries this tag, so that the sensor does not report it a second time.
REPORTED_TAG = "vector_crm/failure_reported"


def failure_summary(run, step_failure_events, failure_message: str) -> dict:
    """What failed, in a form a person (or a chat webhook) reads at a glance."""
    failed_steps = [
        {"step": e.step_key, "error": _root_message(e.event_specific_data.error if e.event_specific_data else None)}
        for e in step_failure_events
    ]
    return {
        "text": f"vector-crm: run {run.run_id} of job {run.job_name} failed"
        + (f" at {', '.join(s['step'] for s in failed_steps)}" if failed_steps else ""),
        "job": run.job_name,
        "run_id": run.run_id,
        "failure": failure_message,
        "failed_steps": failed_steps,
    }


def post_webhook(url: str, payload: dict, timeout_s: float = 10.0) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return response.status


def report_failure(summary: dict, log) -> None:
    """Log the summary and, when $VECTOR_CRM_FAILURE_WEBHOOK is set, POST it there."""
    log.error(summary["text"] + "\n" + "\n".join(f"  {s['step']}: {s['error']}" for s in summary["failed_steps"]))
    url = os.environ.get(WEBHOOK_ENV)
    if url:
        try:
            status = post_webhook(url, summary)
            log.info(f"failure webhook answered {status}")
        except OSError as exc:  # a broken webhook must not hide the failure it reports
            log.warning(f"failure webhook {url} could not be called: {exc}")


@dg.run_failure_sensor(
    name="report_failed_runs",
    # every run of the instance: those `make run` executes in its own process have no code
    # location of their own, and a sensor watching only this location would never see them
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Logs a summary of every failed pipeline run (launched from the UI, a schedule, a sensor "
    f"or `make run`); also POSTs it as JSON to ${WEBHOOK_ENV} when set.",
)
def report_failed_runs(context: dg.RunFailureSensorContext):
    run = context.dagster_run
    if run.tags.get(REPORTED_TAG):
        return
    report_failure(failure_summary(run, context.get_step_failure_events(), context.failure_event.message), context.log)


# An unpartitioned run (the daily schedule, a catch-up) carries the fingerprint of what it was
# requested for (run_state.py); when it succeeds, record_complete_runs records it, so that the
# next schedule tick and the next `make run` know that nothing is new. A partitioned run loads
# some days only, and carries none. Fingerprints are taken when the run is requested: a file
# that lands during the run differs from them, so the next tick runs again (never the reverse).
INPUTS_TAG = "vector_crm/inputs"


def build_daily_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="daily_full_pipeline",
        job=job,
        cron_schedule="0 5 * * *",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="05:00 every day: the whole pipeline, unless nothing is new since the last complete run.",
    )
    def daily_full_pipeline(context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource):
        paths = warehouse.paths()
        inputs = run_state.fingerprint(paths)
        changed = run_state.changes(paths, inputs, run_state.complete_run_outputs(paths))
        if not changed:
            last = run_state.last_complete_run(paths) or {}
            return dg.SkipReason(f"nothing new since the last complete run ({last.get('run_id', '?')[:8]})")
        context.log.info(f"changed since the last complete run: {', '.join(changed)}")
        return dg.RunRequest(tags={INPUTS_TAG: json.dumps(inputs)})

    return daily_full_pipeline


def build_record_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name="record_complete_runs",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[job],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Records what a successful unpartitioned run was built from, so that a later run "
        "with nothing new (the schedule, make run) does nothing.",
    )
    def record_complete_runs(context: dg.RunStatusSensorContext, warehouse: WarehouseResource):
        inputs = context.dagster_run.tags.get(INPUTS_TAG)
        if inputs:
            run_state.record(warehouse.paths(), json.loads(inputs), context.dagster_run.run_id)

    return record_complete_runs
