"""Pictures people would rather look at than read, rendered as Markdown (the Dagster UI shows
Markdown metadata; no plotting library needed): the segment map (actual vs potential revenue
by segment) and the cohort retention heatmap. Read from the published serving snapshot."""

from pathlib import Path

import dagster as dg

from ..resources import WarehouseResource
from ..settings import duckdb_connect
from .assets import SERVING_KEY
from .publish import serving_database, serving_dir

SHADES = " ░▒▓█"  # 0-19 %, 20-39 %, 40-59 %, 60-79 %, 80-100 %
BAR_WIDTH = 20
TOP_SEGMENTS = 15
COHORTS, MONTHS = 12, 12


def shade(rate: float) -> str:
    """One block character for a rate in [0, 1]: the darker, the higher."""
    return SHADES[min(int(rate * 5), 4)]


def bar(part: float, whole: float, width: int = BAR_WIDTH) -> str:
    """part/whole as a bar of `width` cells: filled cells for the share, light ones for the rest."""
    filled = 0 if whole <= 0 else round(width * min(max(part / whole, 0.0), 1.0))
    return "█" * filled + "░" * (width - filled)


def segment_map(con) -> str:
    rows = con.execute(f"""
        select segment_code, segment_name, records, actual_revenue_year, potential_revenue_year
        from marts.segment_summary
        order by potential_revenue_year - actual_revenue_year desc, segment_code
        limit {TOP_SEGMENTS}""").fetchall()
    lines = [
        f"Top {TOP_SEGMENTS} segments by untapped potential: the segment card's potential (records x "
        "revenue per active customer, a year) minus its actual revenue. The bar is actual / potential.",
        "",
        "| segment | name | records | actual | potential | actual / potential |",
        "|---|---|---:|---:|---:|---|",
    ]
    for code, name, records, actual, potential in rows:
        lines.append(
            f"| {code} | {name} | {records:,} | {float(actual):,.0f} | {float(potential):,.0f} | "
            f"`{bar(float(actual), float(potential))}` {float(actual) / float(potential):.0%} |"
            if potential
            else f"| {code} | {name} | {records:,} | {float(actual):,.0f} | 0 | |"
        )
    return "\n".join(lines)


def cohort_heatmap(con) -> str:
    rows = con.execute("""
        select cohort_month, months_since_first_order, retention_rate, cohort_customers
        from marts.cohort_retention
        where cohort_month >= (select max(cohort_month) from marts.cohort_retention) - interval 11 month
          and months_since_first_order between 1 and 12""").fetchall()
    cells: dict = {}
    sizes: dict = {}
    for month, since, rate, customers in rows:
        cells[(month, since)] = float(rate)
        sizes[month] = customers
    header = "| cohort | customers | " + " | ".join(f"+{m}" for m in range(1, MONTHS + 1)) + " |"
    lines = [
        "Share of each monthly cohort buying again 1-12 months after its first order "
        f"(shade: {' '.join(repr(c) for c in SHADES)} = 0-19 % … 80-100 %).",
        "",
        header,
        "|---|---:|" + "---|" * MONTHS,
    ]
    for month in sorted(sizes):
        row = [
            f"{cells[(month, m)]:.0%} {shade(cells[(month, m)])}" if (month, m) in cells else ""
            for m in range(1, MONTHS + 1)
        ]
        lines.append(f"| {month:%Y-%m} | {sizes[month]:,} | " + " | ".join(row) + " |")
    return "\n".join(lines)


@dg.asset(
    key=dg.AssetKey(["serving", "reports"]),
    deps=[SERVING_KEY],
    group_name="serving",
    kinds={"markdown"},
    description="The segment map and the cohort retention heatmap of the published marts, as Markdown "
    "in this asset's metadata and under serving/reports/.",
)
def serving_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    paths = warehouse.paths()
    # the published snapshot, read-only: no lock on the warehouse, no wait for BI readers
    with duckdb_connect(str(serving_database(paths)), read_only=True) as con:
        pictures = {"segment_map": segment_map(con), "cohort_retention_heatmap": cohort_heatmap(con)}
    folder = serving_dir(paths) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pictures.items():
        Path(folder / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    return dg.MaterializeResult(
        metadata={name: dg.MetadataValue.md(text) for name, text in pictures.items()}
        | {"folder": dg.MetadataValue.path(str(folder))}
    )
