"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import contextlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ..engines import engine, mirror_marts, prepare_environment
from ..engines.assets import pg_source_key
from ..privacy import ensure_pii_secret
from ..settings import Paths
from .project import dbt_project

# When set (`make run` sets it), dbt's console output goes to this file instead of stdout:
# dagster-dbt echoes every dbt line to stdout, about 900 lines on the demo data.
DBT_STDOUT_ENV = "VECTOR_CRM_DBT_STDOUT"

# Only one process may write warehouse.duckdb: every dbt step takes a slot in this pool,
# whose limit is 1 (dagster.yaml written by `python -m dagster_project.run` / `make dev`).
WAREHOUSE_POOL = "warehouse"


class VectorCrmTranslator(DagsterDbtTranslator):
    """Models are keyed by <schema>/<model> and grouped by their folder (staging, intermediate, marts)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source" and engine() == "postgres":
            # PostgreSQL reads the lake's copy in schema raw, which engines/assets.py loads
            return pg_source_key(dbt_resource_props["source_name"], dbt_resource_props["name"])
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            layer = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "seeds"
            return dg.AssetKey([layer, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        # meta.owner (dbt_project.yml, per layer) names a team; Dagster writes a team as team:<name>
        owner = (dbt_resource_props.get("meta") or {}).get("owner")
        return [f"team:{owner}"] if owner else super().get_owners(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props["fqn"]
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2:
            return fqn[1]
        return "seeds" if dbt_resource_props["resource_type"] == "seed" else None


# dbt's source tests (not_null on the contracts' required columns) are not asset checks: the
# raw/<feed> assets' check is their GX raw suite, which judges each batch before staging may
# read it and states the same rules (null_rate__<column> = 0, an error). The source tests still
# run in `dbt build`, over every batch in raw.
translator = VectorCrmTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=False)
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def vector_crm_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # One target folder per data directory, reused by every run (the pool above allows one
    # dbt step at a time): dagster-dbt's default, a new dbt/target/<run id> folder per run,
    # is never removed and grows by the size of a build with every run.
    paths = Paths.from_env()
    ensure_pii_secret(paths, say=context.log.warning)  # dbt's pii_hash reads it from the environment
    prepare_environment(paths)
    invocation = dbt.cli(["build"], context=context, target_path=paths.dbt_target)
    out = os.environ.get(DBT_STDOUT_ENV)
    if not out:
        yield from invocation.stream()
    else:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
            yield from invocation.stream()
    # the CLV fit, the mart suites and the publish step read the marts from the local file
    counts = mirror_marts(paths)
    if counts is not None:
        context.log.info(
            f"{engine()}: {len(counts)} marts mirrored into {paths.warehouse} ({sum(counts.values()):,} rows)"
        )
        # the mart suites read their qc_<mart> views from the local file (quality/runner.py): the
        # engine built them over its own marts, so build them there too, over the mirrored ones
        dbt.cli(
            ["run", "--select", "path:models/quality", "--target", "duckdb"],
            target_path=paths.dbt_target / "local_quality",
        ).wait()
