"""One loader per feed at a time: two loaders started at the same instant load every file
once, and a loader killed while it holds the lock does not keep it."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dagster_project.contracts import get_feed
from dagster_project.ingest.lock import feed_lock, lock_path
from dagster_project.ingest.manifest import read_manifest
from dagster_project.settings import DATA_DIR_ENV, REPO_ROOT
from tests.helpers import read_rows

OL = get_feed("sales", "order_lines")

# Waits for the go file, so that both loaders start at the same instant, then loads the feed.
LOADER = textwrap.dedent("""
    import os, sys, time
    from dagster_project.contracts import get_feed
    from dagster_project.ingest.loader import ingest_feed
    from dagster_project.settings import Paths
    go = sys.argv[1]
    while not os.path.exists(go):
        time.sleep(0.001)
    report = ingest_feed(Paths.from_env(), get_feed("sales", "order_lines"), say=lambda m: print(m, flush=True))
    print("loaded", report.count("loaded"), "rows", report.rows_raw, flush=True)
""")


def test_two_loaders_started_together_load_every_file_once(paths, tmp_path):
    files, rows_per_file = 40, 2000
    folder = paths.landing / "sales" / "order_lines"
    folder.mkdir(parents=True)
    for d in range(files):
        lines = "".join(f"O{d}-{i},2024-01-01,C{i % 50},{i}.50\n" for i in range(rows_per_file))
        (folder / f"order_lines_{d:03d}.csv").write_text("order_id,order_date,customer_id,net_amount\n" + lines)
    go = tmp_path / "go"
    env = os.environ | {DATA_DIR_ENV: str(paths.data_dir)}
    loaders = [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, str(go)],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # both imported and waiting
    go.touch()
    outputs = [p.communicate(timeout=300) for p in loaders]
    assert [p.returncode for p in loaders] == [0, 0], [err for _, err in outputs]
    said = "".join(out for out, _ in outputs)
    assert "waiting for the loader that holds" in said  # they did meet at the lock
    assert sorted(out.splitlines()[-1] for out, _ in outputs) == [
        "loaded 0 rows 0",
        f"loaded {files} rows {files * rows_per_file}",
    ]
    loaded = [
        r["source_file"] for r in read_manifest(paths.manifest / "sales" / "order_lines") if r["status"] == "loaded"
    ]
    assert sorted(loaded) == sorted(f"sales/order_lines/order_lines_{d:03d}.csv" for d in range(files))
    assert len(read_rows(paths.raw / "sales" / "order_lines", "_batch_id")) == files * rows_per_file


def test_a_killed_holder_does_not_keep_the_lock(paths, tmp_path):
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import time, pathlib
        from dagster_project.contracts import get_feed
        from dagster_project.ingest.lock import feed_lock, lock_path
        from dagster_project.settings import Paths
        with feed_lock(Paths.from_env(), get_feed("sales", "order_lines")):
            pathlib.Path({str(ready)!r}).touch()
            time.sleep(600)
    """),
        ],
        env=os.environ | {DATA_DIR_ENV: str(paths.data_dir)},
        cwd=REPO_ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists()
        fd = os.open(lock_path(paths, OL), os.O_RDWR)
        try:  # held now
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        t0 = time.monotonic()
        with feed_lock(paths, OL):  # free as soon as its holder is gone
            waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert waited < 1
