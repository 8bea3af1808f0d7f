"""Dagster wiring of the engines that do not read the lake in place.

PostgreSQL: the asset ``pg_raw/<source>/<feed>`` (one multi-asset, one step) copies the batches
PostgreSQL lacks from the raw lake into schema raw after ingestion, and the lake's verdicts
(``pg_raw/lake/batch_verdicts``); dbt's sources map to these keys (transform/assets.py), so the
dbt step waits for the load. It writes PostgreSQL only, so it needs no warehouse slot.
"""

import dagster as dg

from ..contracts import ALL_FEEDS
from ..ingest.assets import raw_key
from ..resources import WarehouseResource
from .postgres import PgSettings, load_raw

PG_PREFIX = "pg_raw"


def pg_source_key(source: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([PG_PREFIX, source, table])


def postgres_raw_asset() -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            pg_source_key(f.source, f.name),
            deps=[raw_key(f)],
            group_name="raw",
            kinds={"postgres"},
            description=f"{f.key} in PostgreSQL: raw.{f.source}__{f.name}, the lake's batches copied in.",
        )
        for f in ALL_FEEDS
    ]
    specs.append(
        dg.AssetSpec(
            pg_source_key("lake", "batch_verdicts"),
            deps=[raw_key(f) for f in ALL_FEEDS],
            group_name="raw",
            kinds={"postgres"},
            description="The lake's batch verdicts in PostgreSQL (raw.lake__batch_verdicts).",
        )
    )

    @dg.multi_asset(
        specs=specs,
        name="pg_raw_load",
        description="Copy the raw lake's new batches (and every batch verdict) into PostgreSQL's schema raw.",
    )
    def pg_raw_load(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        copied = load_raw(warehouse.paths(), PgSettings.from_env(), say=context.log.info)
        for spec in specs:
            table = f"{spec.key.path[1]}__{spec.key.path[2]}"
            yield dg.MaterializeResult(asset_key=spec.key, metadata={"rows_copied": copied.get(table, 0)})

    return pg_raw_load
