"""The as-of date reaches dbt from a run's config: the dbt step's config becomes `dbt build
--vars`, the run config make run builds validates against the job, and dbt reads the value."""

from __future__ import annotations

import json
import os
import subprocess

import dagster as dg
import pytest

from dagster_project.definitions import defs, vector_crm_dbt_assets
from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.assets import DbtBuildConfig, dbt_run_config, dbt_vars_args


def test_no_vars_without_an_as_of_date():
    assert dbt_vars_args(DbtBuildConfig()) == []
    assert dbt_run_config(None) == {}


def test_the_as_of_date_becomes_a_dbt_var():
    args = dbt_vars_args(DbtBuildConfig(as_of_date="2025-06-30"))
    assert args[0] == "--vars" and json.loads(args[1]) == {"as_of_date": "2025-06-30"}


def test_a_malformed_date_is_refused_before_dbt_starts():
    with pytest.raises(ValueError, match="2025-13-01"):
        dbt_vars_args(DbtBuildConfig(as_of_date="2025-13-01"))


def test_the_run_config_fits_the_job_and_reaches_the_dbt_step():
    job = defs.resolve_job_def("full_pipeline")
    config = dbt_run_config("2025-06-30")
    resolved = dg.validate_run_config(job, config)
    [step] = [name for name in resolved["ops"] if "as_of_date" in (resolved["ops"][name].get("config") or {})]
    assert resolved["ops"][step]["config"]["as_of_date"] == "2025-06-30"
    assert step == vector_crm_dbt_assets.op.name  # the step that runs `dbt build`
    assert any(k.path[0] == "marts" for k in vector_crm_dbt_assets.keys)
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.validate_run_config(job, {"ops": {step: {"config": {"as_of": "2025-06-30"}}}})


def test_dbt_reads_the_var_the_step_passes(tmp_path):
    """The args as the step builds them, given to dbt: the compiled SQL holds the date."""
    env = os.environ | {"VECTOR_CRM_DATA_DIR": str(tmp_path)}
    sql = "select '{{ var(\"as_of_date\") }}' as as_of_date"
    out = subprocess.run(
        ["dbt", "compile", "--quiet", "--no-partial-parse", "--target-path", str(tmp_path / "target"),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--inline", sql, *dbt_vars_args(DbtBuildConfig(as_of_date="2024-02-29"))],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "select '2024-02-29' as as_of_date" in out.stdout
