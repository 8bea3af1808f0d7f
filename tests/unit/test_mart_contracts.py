"""Every public mart is a contract with its consumers: enforced column types, a stated grain,
and a description for the model and for every column (read from the dbt manifest)."""

import json

import pytest

from dagster_project.transform.project import dbt_project


def _marts() -> list[dict]:
    manifest = json.loads(dbt_project().manifest_path.read_text())
    return sorted(
        (n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"),
        key=lambda n: n["name"],
    )


def test_there_are_marts():
    assert len(_marts()) >= 20


@pytest.mark.parametrize("mart", _marts(), ids=lambda n: n["name"])
def test_mart_contract(mart):
    assert mart["config"]["contract"]["enforced"], "contract not enforced"
    assert "grain" in mart["description"].lower(), "the description does not state the grain"
    assert all(c.get("data_type") for c in mart["columns"].values()), "a column without a data_type"
    undocumented = [name for name, c in mart["columns"].items() if not c.get("description")]
    assert not undocumented, undocumented
