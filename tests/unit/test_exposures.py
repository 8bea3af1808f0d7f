"""The dbt exposures say what reads the marts outside dbt; the serving snapshot's must list
exactly the public marts (every model in schema marts and the Python-built ones declared as
sources), or dbt docs would show a mart as unused, or a retired one as served."""

import json
import re

from dagster_project.settings import REPO_ROOT
from dagster_project.transform.project import dbt_project


def _manifest() -> dict:
    return json.loads(dbt_project().manifest_path.read_text())


def _exposure(manifest: dict, name: str) -> dict:
    return next(e for e in manifest["exposures"].values() if e["name"] == name)


def test_the_serving_snapshot_exposure_lists_every_public_mart():
    manifest = _manifest()
    public = {uid for uid, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["schema"] == "marts"}
    public |= {uid for uid, s in manifest["sources"].items() if s["schema"] == "marts"}
    assert set(_exposure(manifest, "bi_serving_snapshot")["depends_on"]["nodes"]) == public


def test_the_reports_exposure_lists_what_the_reports_read():
    manifest = _manifest()
    names = {
        manifest["nodes"][uid]["name"]
        for uid in _exposure(manifest, "segment_and_cohort_reports")["depends_on"]["nodes"]
    }
    # what serving/reports.py's SQL reads, read off its source
    read = set(re.findall(r"\bmarts\.(\w+)", (REPO_ROOT / "dagster_project/serving/reports.py").read_text()))
    assert read and names == read
