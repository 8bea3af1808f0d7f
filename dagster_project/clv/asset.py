"""The CLV asset: fits BG/NBD and Gamma-Gamma on marts.customer_purchase_stats and writes
marts.customer_clv and marts.clv_model_fit, as the warehouse's one writer of the moment."""

from datetime import UTC, datetime

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ..resources import WAREHOUSE_POOL, WarehouseResource
from ..settings import duckdb_connect
from . import model
from .settings import ClvSettings
from .warehouse import read_summary, write

# The dbt model the fit reads; its asset key comes from the dbt manifest (build_clv_asset).
SUMMARY_MODEL = "customer_purchase_stats"
# The same keys as the dbt source `clv` (dbt/models/marts/repurchase/_clv__sources.yml,
# meta.dagster.asset_key), so dbt models that select from them link to this asset.
CLV_KEY = dg.AssetKey(["marts", "customer_clv"])
FIT_KEY = dg.AssetKey(["marts", "clv_model_fit"])


def build_clv_asset(dbt_assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The CLV multi-asset, downstream of the summary model of these dbt assets."""
    summary_key = get_asset_key_for_model([dbt_assets], SUMMARY_MODEL)

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                CLV_KEY,
                deps=[summary_key],
                group_name="marts",
                description="One row per buying customer: P(alive), expected purchases in 90 and 365 days, "
                "expected order value and 12-month CLV (BG/NBD + Gamma-Gamma).",
            ),
            dg.AssetSpec(
                FIT_KEY,
                deps=[summary_key],
                group_name="marts",
                description="One row per fit of the CLV models: parameters, log-likelihoods, convergence.",
            ),
        ],
        check_specs=[
            dg.AssetCheckSpec(
                "predictions_consistent",
                asset=CLV_KEY,
                description="Every customer a converged model covers has 0 < p_alive <= 1, 0 <= expected "
                "purchases 90d <= 365d, an expected order value > 0 and clv_12m >= 0.",
            )
        ],
        pool=WAREHOUSE_POOL,
    )
    def customer_clv(context: dg.AssetExecutionContext, config: ClvSettings, warehouse: WarehouseResource):
        yield from _fit(context, config, warehouse)

    return customer_clv


def _fit(context: dg.AssetExecutionContext, config: ClvSettings, warehouse: WarehouseResource):
    paths = warehouse.paths()
    # Opened and closed inside the step: the warehouse has one writer at a time (the pool).
    con = duckdb_connect(str(paths.warehouse))
    try:
        summary, as_of = read_summary(con)
        scored = model.score(summary, config)
        write(con, scored.customers, scored.fit, context.run_id, as_of, datetime.now(UTC).replace(tzinfo=None))
    finally:
        con.close()

    fit = scored.fit
    if not fit["bgnbd_converged"]:
        context.log.warning(
            f"BG/NBD did not converge ({fit['bgnbd_message']}): P(alive), expected purchases and CLV are null"
        )
    if not fit["gg_converged"]:
        context.log.warning(f"Gamma-Gamma did not converge ({fit['gg_message']}): order values and CLV are null")
    clv = scored.customers["clv_12m"]
    yield dg.MaterializeResult(
        asset_key=CLV_KEY,
        metadata={
            "dagster/row_count": len(scored.customers),
            "as_of_date": str(as_of),
            "customers_with_clv": int(clv.notna().sum()),
            "total_clv_12m": float(clv.sum()),
            "mean_p_alive": float(scored.customers["p_alive"].mean()) if len(scored.customers) else None,
        },
    )
    found = model.inconsistencies(scored)
    yield dg.AssetCheckResult(
        asset_key=CLV_KEY,
        check_name="predictions_consistent",
        passed=not found,
        metadata={"problems": dg.MetadataValue.text("; ".join(found) or "none")},
    )
    yield dg.MaterializeResult(
        asset_key=FIT_KEY,
        metadata={
            key: (dg.MetadataValue.text(value) if isinstance(value, str) else value)
            for key, value in fit.items()
            if value is None or isinstance(value, (bool, int, float, str))
        },
    )
