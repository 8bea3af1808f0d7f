"""Stable keys on generated data: land every day but the last, resolve, then land the last
day and resolve again. No existing record may change its customer key except through a
merge that customer_key_merges records."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.helpers import dbt_executable

pytestmark = pytest.mark.integration

DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _env(data_dir):
    return os.environ | {"VECTOR_CRM_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def _load_and_resolve(data_dir) -> None:
    ingest = subprocess.run([sys.executable, "-m", "dagster_project.ingest"], env=_env(data_dir),
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    build = subprocess.run(
        [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(data_dir / "dbt_target"), "--log-path", str(data_dir / "dbt_logs"),
         "--select", "+path:models/marts/customers", "identity_components_converged",
         "--indirect-selection", "cautious"],
        env=_env(data_dir), capture_output=True, text=True, cwd=REPO_ROOT, timeout=900,
    )
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr


def _identity_map(data_dir) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select source_feed, source_record_id, customer_key from marts.customer_identity_map").fetchall()
    return {(feed, rid): key for feed, rid, key in rows}


@pytest.fixture(scope="module")
def two_loads(pipeline, tmp_path_factory):
    full = pipeline[0]
    data_dir = tmp_path_factory.mktemp("next_day") / "data"
    files = [p for p in full.landing.rglob("*") if p.is_file()]
    last_day = max(DAY.search(p.name).group(1) for p in files)
    held_back = [p for p in files if DAY.search(p.name).group(1) == last_day]
    for p in files:
        if p not in held_back:
            target = data_dir / "landing" / p.relative_to(full.landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, target)
    _load_and_resolve(data_dir)
    before = _identity_map(data_dir)
    for p in held_back:
        shutil.copy2(p, data_dir / "landing" / p.relative_to(full.landing))
    _load_and_resolve(data_dir)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        merges = set(con.execute("select retired_customer_key, surviving_customer_key from marts.customer_key_merges").fetchall())
    return before, _identity_map(data_dir), merges, held_back


def test_the_last_day_adds_records(two_loads):
    before, after, _, held_back = two_loads
    assert held_back and len(after) > len(before)
    assert set(before) <= set(after)


def test_no_key_changes_except_recorded_merges(two_loads):
    before, after, merges, _ = two_loads
    missing = "-1"
    changed = {rec: (before[rec], after[rec]) for rec in before if before[rec] != after[rec]}
    # a record may gain a key (its new evidence resolves it) but an existing key only moves by a merge
    unrecorded = {rec: change for rec, change in changed.items() if change[0] != missing and change not in merges}
    assert unrecorded == {}
