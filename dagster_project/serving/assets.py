"""The publish step as a Dagster asset: after every mart (and the mart checks that block it),
copy the public marts to serving/warehouse.duckdb and serving/parquet/ (see publish.py)."""

from collections.abc import Iterable

import dagster as dg

from ..settings import Paths
from ..transform.assets import WAREHOUSE_POOL
from .publish import publish

SERVING_KEY = dg.AssetKey(["serving", "warehouse"])


def publish_asset(mart_keys: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    """The serving asset, downstream of every mart. It reads the warehouse, so it takes the
    warehouse slot: no dbt step writes the file while the copy is made."""

    @dg.asset(
        key=SERVING_KEY,
        deps=sorted(mart_keys, key=lambda k: k.to_user_string()),
        pool=WAREHOUSE_POOL,
        group_name="serving",
        kinds={"duckdb", "parquet"},
        description="The public marts for BI tools: serving/warehouse.duckdb (swapped in atomically) "
        "and serving/parquet/<mart>.parquet, with publish_log.",
    )
    def serving_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        published = publish(Paths.from_env(), run_id=context.run.run_id)
        context.log.info(
            f"published {len(published.row_counts)} marts, {sum(published.row_counts.values()):,} rows, "
            f"to {published.database}"
        )
        return dg.MaterializeResult(
            metadata={
                "database": dg.MetadataValue.path(str(published.database)),
                "parquet": dg.MetadataValue.path(str(published.parquet_dir)),
                "publish_run_id": published.run_id,
                "marts": len(published.row_counts),
                "row_counts": dg.MetadataValue.md(
                    "| mart | rows |\n|---|---:|\n"
                    + "\n".join(f"| {m} | {n:,} |" for m, n in sorted(published.row_counts.items()))
                ),
            }
        )

    return serving_warehouse
