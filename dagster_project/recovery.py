"""Runs whose process died never block the next one.

A run killed with its process (``kill -9``, out of memory, a closed laptop) stays STARTED in
Dagster's run storage and keeps its claim on the ``warehouse`` pool's only slot, so every
later run waits for that slot forever. Dagster's own run monitoring cannot tell: the default
run launcher has no run-worker health check, and ``make run`` runs without the daemon.

``recover_stale_runs`` finds each unfinished run whose process is gone (the pid Dagster
records when the run's process starts: "Executing steps in process (pid: N)" for ``make run``,
"Started process for run (pid: N)" for a run the UI, a schedule or a sensor launched), marks
it failed with a message saying why, and frees its concurrency claims; it also frees claims
left by runs that have finished. ``make run`` calls it before it starts, and the sensor
``recover_stale_runs`` every minute under ``dagster dev``. Processes are looked up on this
machine: the Dagster instance lives in the data directory and runs here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

from .resources import WAREHOUSE_POOL

UNFINISHED = (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING)


@dataclass(frozen=True)
class Recovered:
    run_id: str
    job_name: str
    pid: int | None
    what: str  # "marked failed" or "slot freed"


def run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that executes the run: the first engine event that names one."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=50).records
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None or event.step_key is not None:
            continue
        pid = event.engine_event_data.metadata.get("pid")  # a text metadata value
        if pid is not None and str(pid.value).isdigit():
            return int(pid.value)
    return None


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def recover_stale_runs(
    instance: dg.DagsterInstance, say: Callable[[str], None] = print, alive: Callable[[int], bool] = process_alive
) -> list[Recovered]:
    recovered = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(UNFINISHED))):
        pid = run_pid(instance, run.run_id)
        if pid is None or alive(pid):
            continue  # not started yet (Dagster's start timeout covers it), or still running
        instance.report_run_failed(
            run,
            f"vector-crm: the process of this run (pid {pid}) is gone; marked failed so that "
            "its concurrency slots are freed and the next run can start",
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(Recovered(run.run_id, run.job_name, pid, "marked failed"))
        say(
            f"run {run.run_id} of {run.job_name} had lost its process (pid {pid}): marked failed, "
            f"its slot in the '{WAREHOUSE_POOL}' pool freed"
        )
    # claims left by runs that finished (a run marked failed by hand, say)
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    for run_id in sorted({c.run_id for c in info.claimed_slots} | {p.run_id for p in info.pending_steps}):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            recovered.append(Recovered(run_id, run.job_name if run else "?", None, "slot freed"))
            say(f"run {run_id} had finished but still held a slot in the '{WAREHOUSE_POOL}' pool: freed")
    return recovered


@dg.sensor(
    name="recover_stale_runs",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed every run whose process died (kill -9, out of memory) and frees its slot "
    "in the warehouse pool, so that later runs do not wait for it forever.",
)
def recover_stale_runs_sensor(context: dg.SensorEvaluationContext):
    found = recover_stale_runs(context.instance, say=context.log.warning)
    return dg.SkipReason(f"{len(found)} stale run(s) recovered" if found else "no stale run")
