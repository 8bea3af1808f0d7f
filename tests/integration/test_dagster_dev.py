"""`dagster dev` (what `make dev` runs) serves the asset graph on 127.0.0.1."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dagster_project.contracts import ALL_FEEDS
from dagster_project.settings import REPO_ROOT

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _asset_keys(port: int) -> set[tuple[str, ...]]:
    query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", query, {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return {tuple(n["assetKey"]["path"]) for n in json.load(resp)["data"]["assetNodes"]}


def _schedules_and_sensors(port: int) -> tuple[set[str], set[str]]:
    query = json.dumps(
        {
            "query": "{ repositoriesOrError { ... on RepositoryConnection { nodes { "
            "schedules { name } sensors { name } } } } }"
        }
    ).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", query, {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        nodes = json.load(resp)["data"]["repositoriesOrError"]["nodes"]
    return ({s["name"] for n in nodes for s in n["schedules"]}, {s["name"] for n in nodes for s in n["sensors"]})


def _location_names(port: int) -> set[str]:
    query = json.dumps({"query": "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", query, {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return {e["name"] for e in json.load(resp)["data"]["workspaceOrError"]["locationEntries"]}


def test_dagster_dev_serves_every_asset(tmp_path):
    port = _free_port()
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.Popen(
        [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, DAGSTER_HOME=str(tmp_path)),
        start_new_session=True,
    )
    try:
        keys: set = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not keys:
            time.sleep(2)
            try:
                keys = _asset_keys(port)
            except OSError:
                continue
        for feed in ALL_FEEDS:
            assert ("raw", feed.source, feed.name) in keys
            assert ("staging", f"stg_{feed.source}__{feed.name}") in keys
        assert {("serving", "warehouse"), ("serving", "reports"), ("marts", "customer_clv")} <= keys
        assert _location_names(port) == {"vector_crm"}  # as pyproject.toml's [tool.dagster] names it
        schedules, sensors = _schedules_and_sensors(port)
        assert schedules == {"daily_full_pipeline"}
        assert sensors == {"new_landing_files", "record_complete_runs", "report_failed_runs", "recover_stale_runs"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
