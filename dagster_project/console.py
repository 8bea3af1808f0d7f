"""Loggers for `make run`: a short line per step on the console, the whole log in a file.

Dagster's own console logger prints every event (about a thousand lines on the demo data,
stack traces included). `make run` silences it and turns on these two instead:

- ``progress``: one line when a step starts and one when it ends (its time, or why it failed,
  first line only); nothing else. The run's closing summary (run.py) says what was held back
  or warned about, and how to fix it.
- ``logfile``: every log line, as Dagster's console would print it, into a file of the data
  directory (``dagster_home/last_run.log``); the Dagster UI keeps the event log as well.

Both are off unless a run's config turns them on, so runs launched from the UI log as usual.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata

STEP_EVENTS = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED", "STEP_UP_FOR_RETRY"}


class _ProgressHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if not has_log_record_metadata(record):
            return
        meta = get_log_record_metadata(record)
        event = meta.get("dagster_event")
        if (
            event is not None
            and event.event_type_value == "ENGINE_EVENT"
            and "blocked by limit for pool" in (event.message or "")
        ):
            pool = event.message.rsplit(" ", 1)[-1]
            self.stream.write(
                f"  {event.step_key or ''} waiting for the '{pool}' slot: another run is writing the "
                "warehouse (make dev shows it; a run whose process died is freed by the next make run)\n"
            )
            self.stream.flush()
            return
        if event is None or event.event_type_value not in STEP_EVENTS:
            return
        step = event.step_key or ""
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            line = f"  {step} …"
        elif kind == "STEP_SUCCESS":
            line = f"  {step} done in {time.monotonic() - self.started.get(step, time.monotonic()):.0f} s"
        elif kind == "STEP_SKIPPED":
            line = f"  {step} skipped (a step before it failed)"
        elif kind == "STEP_UP_FOR_RETRY":
            line = f"  {step} failed, retrying"
        else:
            error = event.event_specific_data.error if event.event_specific_data else None
            while error is not None and error.cause is not None:
                error = error.cause
            first = (error.message.strip().splitlines() or [""])[0] if error is not None else ""
            line = f"  {step} FAILED: {first[:300]}"
        self.stream.write(line + "\n")
        self.stream.flush()


@dg.logger(
    config_schema={"enabled": dg.Field(bool, default_value=False)},
    description="One line per step start and end (make run's console); off unless enabled.",
)
def progress(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("vector_crm.progress")
    log.propagate = False
    log.handlers = [_ProgressHandler(sys.stdout)] if init_context.logger_config["enabled"] else []
    log.setLevel(logging.DEBUG)
    return log


@dg.logger(
    config_schema={"path": dg.Field(str, default_value=""), "log_level": dg.Field(str, default_value="INFO")},
    description="Every log line into a file (make run: dagster_home/last_run.log); off without a path.",
)
def logfile(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("vector_crm.logfile")
    log.propagate = False
    path = init_context.logger_config["path"]
    log.handlers = []
    if path:
        handler = logging.FileHandler(path, mode="a", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))
        log.handlers = [handler]
    log.setLevel(init_context.logger_config["log_level"])
    return log


LOGGERS = {"console": dg.colored_console_logger, "progress": progress, "logfile": logfile}


def run_config(log_path: str) -> dict:
    """Logger config for `make run`: Dagster's console quiet, progress and the log file on."""
    return {
        "loggers": {
            "console": {"config": {"log_level": "CRITICAL"}},
            "progress": {"config": {"enabled": True}},
            "logfile": {"config": {"path": log_path}},
        }
    }
