"""A run whose process died never blocks the next one: make run marks it failed and frees its
slot in the warehouse pool; a finished run's leftover claim is freed too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import dagster as dg

from dagster_project.recovery import recover_stale_runs
from dagster_project.run import DAGSTER_YAML
from dagster_project.settings import REPO_ROOT

# A job whose one step takes the warehouse slot and never ends, run in-process as make run does.
HOLDER = textwrap.dedent("""
    import time, dagster as dg

    @dg.op(pool="warehouse")
    def writes_the_warehouse():
        print("holding", flush=True)
        time.sleep(600)

    @dg.job
    def stuck():
        writes_the_warehouse()

    with dg.DagsterInstance.get() as instance:
        stuck.execute_in_process(instance=instance)
""")


@dg.op(pool="warehouse")
def quick_write():
    return 1


@dg.job
def next_run():
    quick_write()


def _slots(instance) -> list[str]:
    return [c.run_id for c in instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots]


def test_a_killed_run_is_marked_failed_and_its_slot_freed(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    env = os.environ | {"DAGSTER_HOME": str(home)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with dg.DagsterInstance.from_config(str(home)) as instance:
            [stuck] = instance.get_runs()
            assert stuck.status == dg.DagsterRunStatus.STARTED and _slots(instance) == [stuck.run_id]
            assert recover_stale_runs(instance, say=lambda _: None) == []  # alive: left alone
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()
            said = []
            [recovered] = recover_stale_runs(instance, say=said.append)
            assert (recovered.run_id, recovered.pid, recovered.what) == (stuck.run_id, holder.pid, "marked failed")
            assert instance.get_run_by_id(stuck.run_id).status == dg.DagsterRunStatus.FAILURE
            assert _slots(instance) == []
            assert f"run {stuck.run_id} of stuck had lost its process (pid {holder.pid})" in said[0]
            # the next run takes the slot at once
            t0 = time.monotonic()
            assert next_run.execute_in_process(instance=instance).success
            assert time.monotonic() - t0 < 30
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()


def test_a_finished_run_that_still_claims_a_slot_is_freed(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        done = next_run.execute_in_process(instance=instance)
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default("warehouse")
        assert storage.claim_concurrency_slot("warehouse", done.run_id, "quick_write").assigned_timestamp
        assert _slots(instance) == [done.run_id]
        [freed] = recover_stale_runs(instance, say=lambda _: None)
        assert (freed.run_id, freed.what) == (done.run_id, "slot freed") and _slots(instance) == []
