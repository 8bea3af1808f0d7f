"""The publish step as a Dagster asset: check every mart with its GX suite, then copy the marts
to serving/warehouse.duckdb and serving/parquet/ (publish.py), holding back the ones that failed.

The mart suites are this step's asset checks (on the mart assets), evaluated here, after every
mart is built and before anything is published, so that a failure holds back exactly what it
would make wrong: the mart whose suite found an error, and the marts built from it (lineage
from the asset graph). Their last good versions stay in the snapshot; every other mart is
published. A warning, or a failure someone accepted (``make accept``), holds back nothing.

Materializing one mart in the UI includes its check, which runs this step for that check alone
(no publish). The step reads the warehouse and writes quality results into it, so it takes the
warehouse slot: no dbt step writes the file meanwhile.
"""

from collections.abc import Iterable, Mapping

import dagster as dg

from ..quality import store
from ..quality.checks import check_spec, mart_check_result
from ..quality.runner import check_mart
from ..quality.suites import Suite
from ..resources import WAREHOUSE_POOL, WarehouseResource
from .publish import publish
from .status import status_tables

SERVING_KEY = dg.AssetKey(["serving", "warehouse"])


def downstream_marts(failed: Iterable[str], upstream: Mapping[str, set[str]]) -> dict[str, str]:
    """{mart: why it is held}: the failed marts, and every mart built (transitively) from one."""
    held = dict.fromkeys(failed, "its GX suite found an error")
    for mart, ups in sorted(upstream.items()):
        if mart not in held and ups & set(failed):
            held[mart] = "built from " + ", ".join(sorted(ups & set(failed))) + ", held back"
    return held


def publish_asset(
    mart_keys: "Iterable[dg.AssetKey]", upstream_marts: "Mapping[str, set[str]]", suites: list[Suite]
) -> dg.AssetsDefinition:
    """The serving asset, downstream of every mart, owning the mart suites' checks.

    upstream_marts: {mart name: every mart it is built from, transitively}."""
    mart_keys = sorted(mart_keys, key=lambda k: k.to_user_string())
    names = {k.path[-1] for k in mart_keys}
    suites = [s for s in suites if s.kind == "mart" and s.asset[-1] in names]

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                SERVING_KEY,
                deps=mart_keys,
                group_name="serving",
                kinds={"duckdb", "parquet"},
                description="The public marts for BI tools: serving/warehouse.duckdb (swapped in atomically) "
                "and serving/parquet/<mart>.parquet, with publish_log and quality_status. A mart whose GX suite "
                "finds an error (and the marts built from it) keeps its last good version.",
            )
        ],
        check_specs=[check_spec(s) for s in suites],
        can_subset=True,
        # the checks are on the mart assets, evaluated here, before publishing (module docstring)
        allow_arbitrary_check_specs=True,
        pool=WAREHOUSE_POOL,
    )
    def serving_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        paths = warehouse.paths()
        selected = context.selected_asset_check_keys
        failed, results = [], []
        for suite in suites:
            key = dg.AssetCheckKey(dg.AssetKey(list(suite.asset)), suite.check_name)
            if key not in selected:
                continue
            try:
                outcome = check_mart(paths, suite, context.run.run_id)
            except Exception as e:
                message = f"{suite.name}: could not run ({type(e).__name__}: {e})"
                context.log.error(message)
                failed.append(suite.asset[-1])
                results.append(
                    dg.AssetCheckResult(
                        asset_key=key.asset_key,
                        check_name=key.name,
                        passed=False,
                        severity=dg.AssetCheckSeverity.ERROR,
                        description=message,
                        metadata={
                            "issues": dg.MetadataValue.json(
                                [
                                    {
                                        "level": "error",
                                        "asset": "/".join(suite.asset),
                                        "suite": suite.name,
                                        "rule": message,
                                    }
                                ]
                            )
                        },
                    )
                )
                continue
            result = mart_check_result(paths, outcome)
            if outcome.errors:
                failed.append(suite.asset[-1])
            if not result.passed:
                (context.log.error if outcome.errors else context.log.warning)(result.description)
            results.append(result)
        try:
            store.sync_warehouse(paths)  # the raw gates' results too: they run outside the warehouse slot
        except Exception as e:
            context.log.warning(f"quality.validation_results not updated this time: {str(e).splitlines()[0]}")
        if SERVING_KEY not in context.selected_asset_keys:
            yield from results
            return
        held = downstream_marts(failed, upstream_marts)
        published = publish(
            paths, run_id=context.run.run_id, held=held, extra_tables=status_tables(paths, context.run.run_id, held)
        )
        if published.leftovers_removed:
            context.log.warning(
                "removed temporary files of a publish that never finished: " + ", ".join(published.leftovers_removed)
            )
        for mart, why in held.items():
            served = published.served_run.get(mart)
            context.log.error(
                f"marts/{mart} held back ({why}): the snapshot "
                + (f"keeps its version of run {served}" if served else "has no version of it yet")
            )
        context.log.info(
            f"published {len(published.row_counts) - len(published.served_run)} marts, held back {len(held)}, "
            f"{sum(published.row_counts.values()):,} rows, to {published.database}"
        )
        yield from results
        yield dg.MaterializeResult(
            asset_key=SERVING_KEY,
            metadata={
                "database": dg.MetadataValue.path(str(published.database)),
                "parquet": dg.MetadataValue.path(str(published.parquet_dir)),
                "publish_run_id": published.run_id,
                "marts": len(published.row_counts),
                "marts_held": dg.MetadataValue.json(
                    [{"mart": m, "reason": r, "served_run_id": published.served_run.get(m)} for m, r in held.items()]
                ),
                "row_counts": dg.MetadataValue.md(
                    "| mart | rows | status |\n|---|---:|---|\n"
                    + "\n".join(
                        f"| {m} | {n:,} | {'held: ' + held[m] if m in held else 'published'} |"
                        for m, n in sorted(published.row_counts.items())
                    )
                ),
            },
        )

    return serving_warehouse
