"""The one Definitions object: assets, checks, jobs, schedules and resources."""

import dagster as dg
from dagster_dbt import DbtCliResource

from .clv.asset import customer_clv
from .ingest.assets import ingest_assets
from .orchestration import build_landing_sensor, report_failed_runs
from .quality.checks import quality_checks
from .serving.assets import publish_asset
from .serving.reports import serving_reports
from .transform.assets import vector_crm_dbt_assets
from .transform.project import dbt_project

full_pipeline = dg.define_asset_job(
    "full_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every landing feed, build and test the dbt project, fit the CLV model, "
    "check the marts and publish them for BI tools.",
)
ingest_only = dg.define_asset_job(
    "ingest_only",
    selection=dg.AssetSelection.groups("raw"),
    description="Load new landing files into the raw lake and quarantine.",
)
daily_full_pipeline = dg.ScheduleDefinition(
    name="daily_full_pipeline",
    job=full_pipeline,
    cron_schedule="0 5 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

# GX suites in expectations/ as asset checks: raw ones block dbt, mart ones (dbt's and the
# CLV model's) block publishing.
quality_asset_checks = quality_checks(
    {a.key for a in ingest_assets} | set(vector_crm_dbt_assets.keys) | set(customer_clv.keys)
)

# The publish step waits for every mart (dbt's and the CLV model's); the blocking mart
# checks above stop it when a mart fails them, so BI tools keep the last good snapshot.
mart_keys = [k for k in (*vector_crm_dbt_assets.keys, *customer_clv.keys) if k.path[0] == "marts"]
serving_warehouse = publish_asset(mart_keys)

defs = dg.Definitions(
    assets=[*ingest_assets, vector_crm_dbt_assets, customer_clv, serving_warehouse, serving_reports],
    asset_checks=quality_asset_checks,
    jobs=[full_pipeline, ingest_only],
    schedules=[daily_full_pipeline],
    sensors=[build_landing_sensor(full_pipeline), report_failed_runs],
    resources={"dbt": DbtCliResource(project_dir=dbt_project)},
)
