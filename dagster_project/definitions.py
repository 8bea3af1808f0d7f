"""The one Definitions object: assets, checks, jobs, schedules and resources.

This is where the definitions are built: the dbt project (and, under `dagster dev`, its
manifest) is prepared here, once (transform/project.py); every other module only defines
factories and imports without side effects. Keys of dbt nodes that Python assets depend on
come from the manifest (dagster-dbt's get_asset_key_for_model / _for_source)."""

import dagster as dg
from dagster_dbt import DbtCliResource, get_asset_key_for_source

from .clv.asset import build_clv_asset
from .console import LOGGERS
from .contracts import ALL_FEEDS
from .engines import engine
from .engines.assets import postgres_raw_asset
from .ingest.assets import build_ingest_asset
from .orchestration import build_daily_schedule, build_landing_sensor, build_record_sensor, report_failed_runs
from .quality.accept_job import accept_quality_failure
from .quality.checks import raw_check, raw_check_spec
from .quality.suites import load_suites
from .recovery import recover_stale_runs_sensor
from .resources import warehouse_from_env
from .serving.assets import publish_asset
from .serving.reports import serving_reports
from .sql import LAKE_SOURCE
from .transform.assets import build_dbt_assets
from .transform.project import dbt_project

# Each feed's GX raw suite judges its new batches inside the ingest step (quality/checks.py).
ingest_assets = [build_ingest_asset(f, gate=raw_check, gate_spec=raw_check_spec(f)) for f in ALL_FEEDS]
project = dbt_project()
vector_crm_dbt_assets = build_dbt_assets(project)
customer_clv = build_clv_asset(vector_crm_dbt_assets)


def upstream_marts(assets: list[dg.AssetsDefinition]) -> dict[str, set[str]]:
    """{mart: every mart it is built from, through any number of models in between}."""
    deps: dict[dg.AssetKey, set[dg.AssetKey]] = {}
    for a in assets:
        for key, ups in a.asset_deps.items():
            deps.setdefault(key, set()).update(ups)

    def walk(key: dg.AssetKey, seen: set[dg.AssetKey]) -> set[dg.AssetKey]:
        for up in deps.get(key, ()):
            if up not in seen:
                seen.add(up)
                walk(up, seen)
        return seen

    return {
        k.path[-1]: {u.path[-1] for u in walk(k, set()) if u.path[0] == "marts"} for k in deps if k.path[0] == "marts"
    }


# The lake's batch verdicts (dbt source lake.batch_verdicts, which every staging model reads
# through stg_lake__admitted_batches) are written by every feed's ingest step: an external
# asset downstream of them all, so that the lineage shows why staging waits for every gate.
batch_verdicts = dg.AssetSpec(
    get_asset_key_for_source([vector_crm_dbt_assets], LAKE_SOURCE),
    deps=[a.key for a in ingest_assets],
    group_name="raw",
    kinds={"parquet"},
    description="Which batches (landed files) staging may read: each feed's ingest step judges its new "
    "batches with the feed's GX raw suite and appends admitted / held / accepted / superseded "
    "verdicts under lake/verdicts/ (dagster_project/ingest/verdicts.py).",
)

# PostgreSQL reads a copy of the lake (engines/): its load replaces the verdicts' external asset.
engine_assets = [postgres_raw_asset()] if engine() == "postgres" else [batch_verdicts]

mart_assets = [vector_crm_dbt_assets, customer_clv]
mart_keys = [k for a in mart_assets for k in a.keys if k.path[0] == "marts"]
# The publish step waits for every mart (dbt's and the CLV model's) and owns their GX suites:
# a mart whose suite finds an error keeps its last good version in the serving snapshot.
serving_warehouse = publish_asset(mart_keys, upstream_marts(mart_assets), load_suites())

full_pipeline = dg.define_asset_job(
    "full_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every landing feed (judging each new batch), build and test the dbt project, "
    "fit the CLV model, check the marts and publish them for BI tools.",
)
ingest_only = dg.define_asset_job(
    "ingest_only",
    selection=dg.AssetSelection.groups("raw"),
    description="Load new landing files into the raw lake and quarantine, and judge the new batches.",
)

defs = dg.Definitions(
    assets=[*ingest_assets, *engine_assets, vector_crm_dbt_assets, customer_clv, serving_warehouse, serving_reports],
    jobs=[full_pipeline, ingest_only, accept_quality_failure],
    schedules=[build_daily_schedule(full_pipeline)],
    sensors=[
        build_landing_sensor(full_pipeline),
        build_record_sensor(full_pipeline),
        report_failed_runs,
        recover_stale_runs_sensor,
    ],
    resources={"dbt": DbtCliResource(project_dir=project), "warehouse": warehouse_from_env()},
    # Dagster's console logger as usual, plus make run's quieter pair (off unless configured)
    loggers=LOGGERS,
)
