"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from ..engines import engine, mirror_marts, prepare_environment
from ..engines.assets import pg_source_key
from ..privacy import ensure_pii_secret
from ..resources import WAREHOUSE_POOL, WarehouseResource
from ..run_state import forget as forget_complete_run
from . import refresh

# When set (`make run` sets it), dbt's console output goes to this file instead of stdout:
# dagster-dbt echoes every dbt line to stdout, about 900 lines on the demo data.
DBT_STDOUT_ENV = "VECTOR_CRM_DBT_STDOUT"


class VectorCrmTranslator(DagsterDbtTranslator):
    """Models are keyed by <schema>/<model> and grouped by their layer, in dependency order:
    staging, intermediate, core (models/marts/core), marts. Seeds are keyed by their folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source" and engine() == "postgres":
            # PostgreSQL reads the lake's copy in schema raw, which engines/assets.py loads
            return pg_source_key(dbt_resource_props["source_name"], dbt_resource_props["name"])
        if dbt_resource_props["resource_type"] == "model":
            schema = (dbt_resource_props.get("config") or {}).get("schema") or dbt_resource_props["fqn"][1]
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        if dbt_resource_props["resource_type"] in ("seed", "snapshot"):
            folder = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "seeds"
            return dg.AssetKey([folder, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        # meta.owner (dbt_project.yml, per layer) names a team; Dagster writes a team as team:<name>
        owner = (dbt_resource_props.get("meta") or {}).get("owner")
        return [f"team:{owner}"] if owner else super().get_owners(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props["fqn"]
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2:
            return "core" if fqn[1:3] == ["marts", "core"] else fqn[1]
        return "seeds" if dbt_resource_props["resource_type"] == "seed" else None


# dbt's source tests (not_null on the contracts' required columns) are not asset checks: the
# raw/<feed> assets' check is their GX raw suite, which judges each batch before staging may
# read it and states the same rules (null_rate__<column> = 0, an error). The source tests still
# run in `dbt build`, over every batch in raw.
translator = VectorCrmTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=False)
)


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step (launchpad: ops: vector_crm_dbt_assets: config: ...), passed
    to `dbt build` as dbt vars. Unset, dbt_project.yml's defaults apply."""

    # 'YYYY-MM-DD': every metric as of that day; null: as of the latest order date
    as_of_date: str | None = None
    # rebuild the incremental models from scratch (transform/refresh.py says when it happens anyway)
    full_refresh: bool = False


def dbt_vars(config: DbtBuildConfig) -> dict[str, str]:
    """The dbt vars the run sets (none: dbt_project.yml's defaults)."""
    given = {"as_of_date": config.as_of_date}
    set_vars = {name: value for name, value in given.items() if value is not None}
    if "as_of_date" in set_vars:
        try:
            date.fromisoformat(set_vars["as_of_date"])
        except ValueError as e:
            raise ValueError(f"as_of_date {set_vars['as_of_date']!r}: a date as YYYY-MM-DD ({e})") from e
    return set_vars


def dbt_vars_args(config: DbtBuildConfig) -> list[str]:
    """`--vars '{"as_of_date": "2025-06-30"}'` for the vars the run sets; nothing when none is."""
    set_vars = dbt_vars(config)
    return ["--vars", json.dumps(set_vars, sort_keys=True)] if set_vars else []


# the dbt step's name in a run (run config ops.<name>; logs say "<name> done")
DBT_STEP = "vector_crm_dbt_assets"


def dbt_run_config(as_of_date: str | None, full_refresh: bool = False) -> dict:
    """The run config that hands the dbt vars and a full refresh to the dbt step (nothing when unset)."""
    config = {k: v for k, v in {"as_of_date": as_of_date, "full_refresh": full_refresh}.items() if v}
    return {"ops": {DBT_STEP: {"config": config}}} if config else {}


def dbt_build_args(config: DbtBuildConfig, full_refresh: bool) -> list[str]:
    """`dbt build` with the run's vars; from scratch, or incremental without the unit tests.

    Unit tests check the models' logic on fixtures, not the data: the code of an incremental
    build is that of the last completed build (transform/refresh.py), whose unit tests passed.
    A full refresh, which every change to the dbt project causes, runs them."""
    args = ["build", *dbt_vars_args(config)]
    return [*args, "--full-refresh"] if full_refresh else [*args, "--exclude-resource-type", "unit_test"]


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    """Every model, seed and test of the project as one multi-asset (one `dbt build` step)."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
        name=DBT_STEP,
    )
    def vector_crm_dbt_assets(
        context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        now = refresh.fingerprint(dbt_vars(config))
        paths = warehouse.paths()
        reason = refresh.full_refresh_reason(paths, now, asked=config.full_refresh)
        if reason:
            context.log.info(f"dbt build --full-refresh: {reason}")
            refresh.forget(paths)  # a full refresh stopped half-way is done again next time
        yield from _build(context, dbt_build_args(config, full_refresh=bool(reason)), dbt, warehouse)
        if reason:
            refresh.record(paths, now)

    return vector_crm_dbt_assets


def _build(context: dg.AssetExecutionContext, args: list[str], dbt: DbtCliResource, warehouse: WarehouseResource):
    # One target folder per data directory, reused by every run (the pool above allows one
    # dbt step at a time): dagster-dbt's default, a new dbt/target/<run id> folder per run,
    # is never removed and grows by the size of a build with every run.
    paths = warehouse.paths()
    warehouse.export_env()  # dbt's profiles.yml reads the data directory and the engine
    ensure_pii_secret(paths, say=context.log.warning)  # dbt's pii_hash reads it from the environment
    prepare_environment(paths, warehouse.engine_name())
    # From here the warehouse no longer matches the last complete run: until a run completes
    # again, `make run` must not take "nothing new" for "nothing to do" (run_state.py).
    forget_complete_run(paths)
    invocation = dbt.cli(args, context=context, target_path=paths.dbt_target)
    out = os.environ.get(DBT_STDOUT_ENV)
    if not out:
        yield from invocation.stream()
    else:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
            yield from invocation.stream()
    # the CLV fit, the mart suites and the publish step read the marts from the local file
    counts = mirror_marts(paths, warehouse.engine_name())
    if counts is not None:
        context.log.info(
            f"{warehouse.engine_name()}: {len(counts)} marts mirrored into {paths.warehouse} ({sum(counts.values()):,} rows)"
        )
        # the mart suites read their qc_<mart> views from the local file (quality/runner.py): the
        # engine built them over its own marts, so build them there too, over the mirrored ones
        dbt.cli(
            ["run", "--select", "path:models/quality", "--target", "duckdb"],
            target_path=paths.dbt_target / "local_quality",
        ).wait()
