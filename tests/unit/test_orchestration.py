"""Sensors: one run per new landing file, none on the next tick; a failed run is summarised
and sent to the webhook when one is configured."""

from __future__ import annotations

import json
import threading
import typing
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from dagster_project.definitions import defs
from dagster_project.orchestration import WEBHOOK_ENV
from tests.helpers import resources

ORDERS = "order_id,order_date,customer_id,net_amount\nO1,2024-01-05,C7,10.00\n"


def _tick(sensor, cursor, instance, paths):
    # a built context opens resources (and may open an instance) that only its exit closes
    with dg.build_sensor_context(cursor=cursor, instance=instance, resources=resources(paths)) as context:
        return sensor.evaluate_tick(context)


def test_a_landed_file_gets_exactly_one_run(paths):
    sensor = defs.resolve_sensor_def("new_landing_files")
    with dg.instance_for_test() as instance:
        empty = _tick(sensor, None, instance, paths)
        assert empty.run_requests == [] and empty.skip_message.startswith("no new files among 0")

        folder = paths.landing / "sales" / "order_lines"
        folder.mkdir(parents=True)
        (folder / "orders_2024-01-05.csv").write_text(ORDERS, encoding="utf-8")
        first = _tick(sensor, empty.cursor, instance, paths)
        assert len(first.run_requests) == 1
        assert first.run_requests[0].job_name in (None, "full_pipeline")
        assert sensor.job_name == "full_pipeline"
        assert first.run_requests[0].tags["vector_crm/new_files"] == "1"
        # the run covers the file's landing day (the date in its name), as a partition range
        assert (
            first.run_requests[0].tags[ASSET_PARTITION_RANGE_START_TAG],
            first.run_requests[0].tags[ASSET_PARTITION_RANGE_END_TAG],
        ) == ("2024-01-05", "2024-01-05")

        again = _tick(sensor, first.cursor, instance, paths)
        assert again.run_requests == [] and again.skip_message == "no new files among 1 in the landing zone"

        # a second file: one more run, for it alone
        (folder / "orders_2024-01-06.csv").write_text(ORDERS.replace("O1", "O2"), encoding="utf-8")
        second = _tick(sensor, again.cursor, instance, paths)
        assert len(second.run_requests) == 1 and second.run_requests[0].run_key != first.run_requests[0].run_key
        assert second.run_requests[0].tags[ASSET_PARTITION_RANGE_START_TAG] == "2024-01-06"
        assert json.loads(second.cursor).keys() == {
            "sales/order_lines/orders_2024-01-05.csv",
            "sales/order_lines/orders_2024-01-06.csv",
        }

        # files of 3 and 9 days later: one run over the 7 days between them
        for day in ("2024-01-09", "2024-01-15"):
            (folder / f"orders_{day}.csv").write_text(ORDERS.replace("O1", day), encoding="utf-8")
        week = _tick(sensor, second.cursor, instance, paths)
        [request] = week.run_requests
        assert (request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG]) == (
            "2024-01-09",
            "2024-01-15",
        )

        # a history dropped in at once (31 days or more apart): one unpartitioned catch-up run
        for day in ("2023-03-01", "2023-12-31"):
            (folder / f"orders_{day}.csv").write_text(ORDERS.replace("O1", day), encoding="utf-8")
        [catch_up] = _tick(sensor, week.cursor, instance, paths).run_requests
        assert ASSET_PARTITION_RANGE_START_TAG not in catch_up.tags
        assert catch_up.tags["vector_crm/catch_up"] == "2 landing days from 2023-03-01 to 2023-12-31"
        # it loads every new file, as make run does: once it succeeds it is a complete run
        from dagster_project import run_state
        from dagster_project.orchestration import INPUTS_TAG

        assert json.loads(catch_up.tags[INPUTS_TAG]) == run_state.fingerprint(paths)
        assert INPUTS_TAG not in request.tags  # the partitioned run of one week is not


class _Hook(BaseHTTPRequestHandler):
    received: typing.ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@dg.op
def broken_step():
    raise ValueError("the landing folder is not readable")


@dg.job
def broken_job():
    broken_step()


@pytest.mark.parametrize("with_webhook", [True, False])
def test_a_failed_run_is_summarised_and_sent(monkeypatch, with_webhook):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    if with_webhook:
        monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook")
    else:
        monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    try:
        with dg.instance_for_test() as instance:
            result = broken_job.execute_in_process(instance=instance, raise_on_error=False)
            assert not result.success
            failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
            context = dg.build_run_status_sensor_context(
                sensor_name="report_failed_runs",
                dagster_event=failure,
                dagster_instance=instance,
                dagster_run=result.dagster_run,
            ).for_run_failure()
            defs.resolve_sensor_def("report_failed_runs")(context)
    finally:
        server.shutdown()
    if not with_webhook:
        assert _Hook.received == []
        return
    assert len(_Hook.received) == 1
    sent = _Hook.received[0]
    assert sent["job"] == "broken_job" and sent["run_id"] == result.run_id
    assert sent["failed_steps"][0]["step"] == "broken_step"
    assert "the landing folder is not readable" in sent["failed_steps"][0]["error"]
    assert sent["text"] == f"vector-crm: run {result.run_id} of job broken_job failed at broken_step"


def test_a_failed_make_run_is_reported_at_once_and_only_once(monkeypatch):
    """`make run` runs without the daemon: it reports its own failure, and the sensor, which sees
    the run later, does not report it again. Its closing block names the step and the error's
    first line, without the stack trace."""
    from dagster_project.run import closing_report
    from dagster_project.run_summary import render

    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook")
    try:
        with dg.instance_for_test() as instance:
            result = broken_job.execute_in_process(instance=instance, raise_on_error=False)
            report = closing_report(instance, result)
            assert len(_Hook.received) == 1 and _Hook.received[0]["run_id"] == result.run_id
            failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
            context = dg.build_run_status_sensor_context(
                sensor_name="report_failed_runs",
                dagster_event=failure,
                dagster_instance=instance,
                dagster_run=instance.get_run_by_id(result.run_id),
            ).for_run_failure()
            defs.resolve_sensor_def("report_failed_runs")(context)
    finally:
        server.shutdown()
    assert len(_Hook.received) == 1  # the sensor skipped the run make run had reported
    text = render(report, 3, "last_run.log")
    assert text.splitlines()[:2] == ["vector-crm pipeline FAILED at broken_step after 3 s", "FAILED      broken_step"]
    assert "the landing folder is not readable" in text and "Traceback" not in text and 'File "' not in text
    # a run executed in-process (make run) has no code location of its own: the sensor must
    # watch every location to see it (no public accessor in Dagster 1.13)
    assert defs.resolve_sensor_def("report_failed_runs")._monitor_all_code_locations is True


@dg.op
def fine_step():
    return 1


@dg.job
def fine_job():
    fine_step()


def _record_success(result, instance, paths) -> None:
    """Evaluate record_complete_runs on a run that succeeded, as the daemon would."""
    success = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS)
    with dg.build_run_status_sensor_context(
        sensor_name="record_complete_runs",
        dagster_event=success,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources=resources(paths),
    ) as context:
        defs.resolve_sensor_def("record_complete_runs")(context)


def _schedule_tick(schedule, instance, paths):
    with dg.build_schedule_context(instance=instance, resources=resources(paths)) as context:
        return schedule.evaluate_tick(context)


def test_the_daily_schedule_runs_only_when_something_is_new_and_its_success_is_recorded(paths):
    from dagster_project import run_state
    from dagster_project.orchestration import INPUTS_TAG
    from dagster_project.serving.publish import serving_database

    (paths.landing / "sales" / "order_lines").mkdir(parents=True)
    (paths.landing / "sales" / "order_lines" / "order_lines_2024-01-05.csv").write_text(ORDERS)
    paths.dagster_home.mkdir(parents=True)
    schedule = defs.resolve_schedule_def("daily_full_pipeline")
    with dg.instance_for_test() as instance:
        tick = _schedule_tick(schedule, instance, paths)
        [request] = tick.run_requests  # no complete run recorded yet
        requested = json.loads(request.tags[INPUTS_TAG])
        assert requested == run_state.fingerprint(paths)

        # the run succeeds (a stand-in job carrying the schedule's tag): the sensor records it
        result = fine_job.execute_in_process(instance=instance, tags={INPUTS_TAG: request.tags[INPUTS_TAG]})
        _record_success(result, instance, paths)
        assert run_state.last_complete_run(paths)["run_id"] == result.run_id

        # its outputs exist and nothing changed: the next tick skips, and says why
        for output in (paths.warehouse, serving_database(paths)):
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(b"")
        again = _schedule_tick(schedule, instance, paths)
        assert again.run_requests == [] and again.skip_message.startswith("nothing new since the last complete run")

        # a file lands: the next tick runs
        (paths.landing / "sales" / "order_lines" / "order_lines_2024-01-06.csv").write_text(ORDERS)
        [_] = _schedule_tick(schedule, instance, paths).run_requests


def test_a_run_without_the_inputs_tag_is_not_recorded(paths):
    from dagster_project import run_state

    paths.dagster_home.mkdir(parents=True)
    with dg.instance_for_test() as instance:
        result = fine_job.execute_in_process(instance=instance)  # a partitioned run carries no tag
        _record_success(result, instance, paths)
    assert run_state.last_complete_run(paths) is None
