"""Customer profitability on the session's S pipeline, recomputed here a second way: plain
Python over the fact tables (fct_order_lines, fct_orders, fct_interactions), the campaign
members, the identity map, the current segments and the seed CSV files, following the
definitions written in dbt/models/marts/profitability/_profitability__models.yml. The SQL
under test is never called to produce an expected value.

The hand-worked cases (exact contributions, ABC boundaries and ties, recommendations,
concentration shares) are dbt unit tests in dbt/models/*/profitability/_profitability__unit_tests.yml;
`dbt build` runs them in the pipeline. A sales-only history (the four required order-line
columns, nothing else) is built at the end of this module.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.helpers import ingest_landing, land, query_dicts

pytestmark = [pytest.mark.integration, pytest.mark.long]

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "profitability"
# dbt vars (defaults in dbt/dbt_project.yml); the missing member is not in customer_segments
WINDOW_DAYS = 365
A_SHARE, B_SHARE = Decimal("0.80"), Decimal("0.95")
TOP_N, MIN_CAMPAIGN_MEMBERS = 3, 30
DEPENDENCY_SHARE = Decimal("0.05")
DEFAULT_LINE, NO_PURCHASE = "unknown", "(no purchase)"
# amounts are rounded to 6 decimals in the marts (decimal(28,6)); sums of many rounded
# terms may differ from the exact figure by a few millionths per term
TOLERANCE = Decimal("0.0001")


def _seed(name: str) -> list[dict]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _period(as_of: date, day: date) -> str | None:
    age = (as_of - day).days
    if 0 <= age < WINDOW_DAYS:
        return "current"
    if WINDOW_DAYS <= age < 2 * WINDOW_DAYS:
        return "previous"
    return None


def _rate(rates: dict, driver: str, channel: str | None, direction: str | None) -> Decimal:
    """The seed's lookup: exact channel and direction, else channel/any, else any/any."""
    channel, direction = channel or "unknown", direction or "unknown"
    for key in ((driver, channel, direction), (driver, channel, "any"), (driver, "any", "any")):
        if key in rates:
            return rates[key]
    raise AssertionError(f"no rate for {driver}")


@pytest.fixture(scope="module")
def warehouse(pipeline) -> Iterator[duckdb.DuckDBPyConnection]:
    paths, first, *_ = pipeline
    assert first.success, "the pipeline failed: see test_pipeline.py"
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


@pytest.fixture(scope="module")
def expected(warehouse) -> dict:
    """Every customer's profitability, computed from the facts by the written definitions."""
    as_of = warehouse.execute("select max(order_date) from marts.fct_orders").fetchone()[0]
    segments = {
        r["customer_key"]: r["segment_code"]
        for r in query_dicts(warehouse, "select customer_key, segment_code from marts.customer_segments")
    }
    margin_rate = {r["product_line"]: Decimal(r["default_margin_rate"]) for r in _seed("product_lines")}
    rates = {
        (r["cost_driver"], r["channel"], r["direction"]): Decimal(r["cost_per_unit"]) for r in _seed("channel_costs")
    }

    zero = Decimal(0)
    cust: dict[str, dict] = {k: {p: defaultdict(lambda: zero) for p in ("current", "previous")} for k in segments}
    # customer -> line -> [order lines, purchase lines, revenue, cost of goods]
    lines: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0, zero, zero]))
    for r in query_dicts(
        warehouse,
        """select customer_key, order_date, product_line, net_amount, cost_amount
                                 from marts.fct_order_lines where status = 'completed'""",
    ):
        period = _period(as_of, r["order_date"])
        if period is None or r["customer_key"] not in cust:  # the missing member is no customer
            continue
        line = r["product_line"] or DEFAULT_LINE
        cost = r["cost_amount"]
        if cost is None:
            rate = margin_rate.get(line, margin_rate[DEFAULT_LINE])
            cost = (r["net_amount"] * (1 - rate)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
        c = cust[r["customer_key"]][period]
        c["revenue"] += r["net_amount"]
        c["cogs"] += cost
        if period == "current":
            entry = lines[r["customer_key"]][line]
            entry[0] += 1
            entry[1] += r["net_amount"] >= 0
            entry[2] += r["net_amount"]
            entry[3] += cost
    for r in query_dicts(
        warehouse,
        """select customer_key, interaction_date, channel, direction, handle_seconds
                                 from marts.fct_interactions""",
    ):
        period = _period(as_of, r["interaction_date"])
        if period is None or r["customer_key"] not in cust:
            continue
        c = cust[r["customer_key"]][period]
        c["contacts"] += 1
        c["cost"] += _rate(rates, "contact", r["channel"], r["direction"])
        c["cost"] += Decimal(r["handle_seconds"]) * _rate(rates, "handle_minute", r["channel"], r["direction"]) / 60
    for r in query_dicts(
        warehouse,
        """select customer_key, order_date, channel, order_status, returned_lines
                                 from marts.fct_orders""",
    ):
        period = _period(as_of, r["order_date"])
        if period is None or r["customer_key"] not in cust:
            continue
        c = cust[r["customer_key"]][period]
        if r["order_status"] != "cancelled":
            c["orders"] += 1
            c["cost"] += _rate(rates, "order", r["channel"], "any")
        if r["returned_lines"] > 0:
            c["cost"] += _rate(rates, "return", r["channel"], "any")
    for periods in cust.values():
        for c in periods.values():
            c["margin"] = c["revenue"] - c["cogs"]
            c["contribution"] = c["margin"] - c["cost"]
    return {"as_of": as_of, "segments": segments, "customers": cust, "lines": lines}


@pytest.fixture(scope="module")
def profitability(warehouse) -> dict[str, dict]:
    return {r["customer_key"]: r for r in query_dicts(warehouse, "select * from marts.customer_profitability")}


def test_one_row_per_segmented_customer(expected, profitability):
    assert set(profitability) == set(expected["segments"])
    assert len(profitability) > 1000


@pytest.mark.parametrize(
    ("column", "period", "measure"),
    [
        ("net_revenue", "current", "revenue"),
        ("cost_of_goods", "current", "cogs"),
        ("gross_margin", "current", "margin"),
        ("cost_to_serve", "current", "cost"),
        ("net_contribution", "current", "contribution"),
        ("contacts", "current", "contacts"),
        ("handled_orders", "current", "orders"),
        ("previous_net_revenue", "previous", "revenue"),
        ("previous_cost_to_serve", "previous", "cost"),
        ("previous_net_contribution", "previous", "contribution"),
    ],
)
def test_customer_metrics_match_a_second_computation(expected, profitability, column, period, measure):
    wrong = {
        key: (row[column], expected["customers"][key][period][measure])
        for key, row in profitability.items()
        if abs(Decimal(row[column]) - expected["customers"][key][period][measure]) > TOLERANCE
    }
    assert not wrong, f"{len(wrong)} customers differ on {column}, e.g. {list(wrong.items())[:3]}"


def test_contribution_ratios(profitability):
    for row in profitability.values():
        if row["net_revenue"] > 0:
            assert abs(row["margin_pct"] - row["gross_margin"] / row["net_revenue"]) <= Decimal("0.000001")
        else:
            assert row["margin_pct"] is None
        if row["handled_orders"] > 0:
            assert abs(row["contribution_per_order"] - row["net_contribution"] / row["handled_orders"]) <= Decimal(
                "0.000001"
            )
        else:
            assert row["contribution_per_order"] is None
        assert row["net_contribution_change"] == row["net_contribution"] - row["previous_net_contribution"]


def test_the_demo_data_has_costs_of_every_kind(profitability):
    for column in ("contact_cost", "handle_time_cost", "order_cost", "return_cost"):
        assert sum(r[column] for r in profitability.values()) > 0, column
    assert any(r["net_contribution"] < 0 for r in profitability.values())


def _abc(contributions: dict[str, Decimal]) -> dict[str, str]:
    """The written ABC rule: D below 0, C at 0; else A while the customers strictly above
    contribute less than 0.80 of the positive total, B below 0.95, C the rest."""
    total = sum(v for v in contributions.values() if v > 0)
    above_by_value: dict[Decimal, Decimal] = {}
    running = Decimal(0)
    for value, count in sorted(Counter(contributions.values()).items(), reverse=True):
        above_by_value[value] = running
        running += value * count if value > 0 else 0
    out = {}
    for key, value in contributions.items():
        if value < 0:
            out[key] = "D"
        elif value == 0:
            out[key] = "C"
        elif above_by_value[value] < A_SHARE * total:
            out[key] = "A"
        elif above_by_value[value] < B_SHARE * total:
            out[key] = "B"
        else:
            out[key] = "C"
    return out


def test_abc_classes_match_a_second_computation(warehouse, profitability):
    pareto = {r["customer_key"]: r for r in query_dicts(warehouse, "select * from marts.customer_pareto")}
    assert set(pareto) == set(profitability)
    # classes from the mart's own contributions (checked above against the facts)
    want = _abc({k: r["net_contribution"] for k, r in profitability.items()})
    wrong = {k: (pareto[k]["abc_class"], c) for k, c in want.items() if pareto[k]["abc_class"] != c}
    assert not wrong, list(wrong.items())[:5]
    classes = Counter(want.values())
    assert set(classes) == {"A", "B", "C", "D"}, classes
    # the Pareto shape of the demo data: A is a minority carrying 80 % of the contribution
    assert classes["A"] < classes["B"] + classes["C"]


def test_matrix_matches_a_second_computation(warehouse, expected):
    segments, lines = expected["segments"], expected["lines"]
    size = Counter(segments.values())
    want: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"buyers": 0, "revenue": Decimal(0), "margin": Decimal(0), "cost": Decimal(0)}
    )
    for key, by_line in lines.items():
        customer_cost = expected["customers"][key]["current"]["cost"]
        total_lines = sum(v[0] for v in by_line.values())
        for line, (n, bought, revenue, cogs) in by_line.items():
            cell = want[(segments[key], line)]
            cell["buyers"] += bought > 0
            cell["revenue"] += revenue
            cell["margin"] += revenue - cogs
            cell["cost"] += customer_cost * n / total_lines
    for key, segment in segments.items():
        cost = expected["customers"][key]["current"]["cost"]
        if key not in lines and cost != 0:
            want[(segment, NO_PURCHASE)]["cost"] += cost
    got = {
        (r["segment_code"], r["product_line"]): r
        for r in query_dicts(warehouse, "select * from marts.profitability_matrix")
    }
    assert set(got) == set(want)
    for cell, w in want.items():
        row = got[cell]
        assert row["customers"] == size[cell[0]]
        assert row["buying_customers"] == w["buyers"], cell
        assert abs(row["revenue"] - w["revenue"]) <= TOLERANCE, cell
        assert abs(row["gross_margin"] - w["margin"]) <= TOLERANCE, cell
        assert abs(row["cost_to_serve"] - w["cost"]) <= TOLERANCE, cell
        if cell[1] != NO_PURCHASE:
            assert abs(row["penetration"] - Decimal(w["buyers"]) / size[cell[0]]) <= Decimal("0.000001")


def test_cost_to_serve_adds_up_across_marts(warehouse, expected):
    total = sum(c["current"]["cost"] for c in expected["customers"].values())
    for mart in (
        "customer_profitability",
        "profitability_matrix",
        "profitability_by_channel",
        "profitability_by_product_line",
    ):
        got = warehouse.execute(f"select sum(cost_to_serve) from marts.{mart}").fetchone()[0]
        assert abs(got - total) <= Decimal("0.01"), mart


def test_adoption_lists_the_lines_bought(warehouse, expected):
    got = {r["customer_key"]: r for r in query_dicts(warehouse, "select * from marts.customer_product_adoption")}
    assert set(got) == set(expected["segments"])
    for key, row in got.items():
        bought = sorted(line for line, v in expected["lines"].get(key, {}).items() if v[1] > 0)
        assert row["product_lines"] == (", ".join(bought) if bought else None), key
        assert row["product_lines_count"] == len(bought)


def test_cross_sell_matches_a_second_computation(warehouse, expected):
    segments, lines = expected["segments"], expected["lines"]
    size = Counter(segments.values())
    bought = {k: {line for line, v in by_line.items() if v[1] > 0} for k, by_line in lines.items()}
    line_buyers: Counter = Counter()
    seg_buyers: Counter = Counter()
    line_margin: Counter = Counter()
    seg_margin: Counter = Counter()
    for key, by_line in lines.items():
        for line, (_, purchases, revenue, cogs) in by_line.items():
            line_buyers[line] += purchases > 0
            seg_buyers[(segments[key], line)] += purchases > 0
            line_margin[line] += revenue - cogs
            seg_margin[(segments[key], line)] += revenue - cogs
    offered = sorted(line for line, n in line_buyers.items() if n > 0 and line not in (DEFAULT_LINE, NO_PURCHASE))
    # campaign results: contacted pilot members by their current segment and the promoted line
    record_key = dict(
        warehouse.execute(
            """select source_record_id, customer_key from marts.customer_identity_map
           where source_system = 'contact_center' and source_feed = 'campaign_members'"""
        ).fetchall()
    )
    contacted: Counter = Counter()
    responded: Counter = Counter()
    for r in query_dicts(warehouse, "select * from staging.stg_contact_center__campaign_members"):
        key = record_key.get(f"{r['campaign_id']}|{r['customer_id']}")
        if (
            r["test_group"] != "pilot"
            or not r["product_line"]
            or r["contacted_at"] is None
            or r["contacted_at"].date() > expected["as_of"]
            or key not in segments
        ):
            continue
        contacted[(segments[key], r["product_line"])] += 1
        responded[(segments[key], r["product_line"])] += bool(r["has_responded"])
    want = {}
    for key in (k for k, b in bought.items() if b):
        segment = segments[key]

        def order(line: str, segment: str = segment) -> tuple:
            cell = (segment, line)
            campaign = contacted[cell] >= MIN_CAMPAIGN_MEMBERS
            rate = Decimal(responded[cell]) / contacted[cell] if campaign else Decimal(0)
            penetration = Decimal(seg_buyers[cell]) / size[segment]
            margin = seg_margin[cell] / seg_buyers[cell] if seg_buyers[cell] else line_margin[line] / line_buyers[line]
            return (0 if campaign else 1, -rate, -penetration, -margin, line)

        picks = sorted((line for line in offered if line not in bought[key]), key=order)[:TOP_N]
        for rank, line in enumerate(picks, start=1):
            want[(key, line)] = rank
    got = {
        (r[0], r[1]): r[2]
        for r in warehouse.execute(
            "select customer_key, product_line, recommendation_rank from marts.cross_sell_opportunities"
        ).fetchall()
    }
    assert len(got) > 1000
    missing, extra = set(want) - set(got), set(got) - set(want)
    assert not missing and not extra, (list(missing)[:3], list(extra)[:3])
    wrong = {k: (got[k], r) for k, r in want.items() if got[k] != r}
    assert not wrong, list(wrong.items())[:3]
    # the campaign branch: the same segment x line cells have enough contacted members
    assert contacted, "the demo data has campaigns"
    cells = {cell for cell, n in contacted.items() if n >= MIN_CAMPAIGN_MEMBERS}
    got_cells = set(
        warehouse.execute(
            f"""select segment_code, product_line from intermediate.int_profitability__campaign_results
            where contacted_members >= {MIN_CAMPAIGN_MEMBERS}"""
        ).fetchall()
    )
    assert got_cells == cells


def test_concentration_matches_a_second_computation(warehouse, profitability):
    got = {r["period"]: r for r in query_dicts(warehouse, "select * from marts.revenue_concentration")}
    assert set(got) == {"current", "previous"}
    alerts = {
        (r[0], r[1])
        for r in warehouse.execute("select period, customer_key from marts.customer_dependency_alerts").fetchall()
    }
    for period, revenue_column, contribution_column in (
        ("current", "net_revenue", "net_contribution"),
        ("previous", "previous_net_revenue", "previous_net_contribution"),
    ):
        row = got[period]
        for short, column in (("revenue", revenue_column), ("contribution", contribution_column)):
            values = [r[column] for r in profitability.values()]
            total = sum(values)
            positive = sorted((v for v in values if v > 0), reverse=True)
            for name, k in (
                ("top_1pct", math.ceil(0.01 * len(positive))),
                ("top_10pct", math.ceil(0.10 * len(positive))),
                ("top_10_customers", 10),
            ):
                share = row[f"{name}_{short}_share"]
                assert abs(share - sum(positive[:k]) / total) <= Decimal("0.000001"), (period, name, short)
        revenues = [r[revenue_column] for r in profitability.values() if r[revenue_column] > 0]
        hhi = sum(float(v) ** 2 for v in revenues) / float(sum(revenues)) ** 2
        assert row["revenue_hhi"] == pytest.approx(hhi, rel=1e-9)
        total_revenue = sum(r[revenue_column] for r in profitability.values())
        want_alerts = {
            (period, k) for k, r in profitability.items() if r[revenue_column] > DEPENDENCY_SHARE * total_revenue
        }
        assert {a for a in alerts if a[0] == period} == want_alerts
        assert row["dependency_alerts"] == len(want_alerts)
    assert got["current"]["period_end"] == got["current"]["as_of_date"]
    assert got["previous"]["period_end"] == got["current"]["period_start"] - timedelta(days=1)


# --- a sales-only history: the four required order-line columns, no other feed ---------------

SALES_ONLY = """order_id,order_date,customer_id,net_amount
O1,2024-01-05,C7,10.00
O1,2024-01-05,C7,5.00
O2,2024-02-09,C7,8.00
O3,2024-03-01,C8,3.50
O4,2022-12-01,C9,100.00
"""


@pytest.fixture(scope="module")
def sales_only(tmp_path_factory):
    from tests.helpers import dbt_build

    data_dir = tmp_path_factory.mktemp("profitability_sales_only") / "data"
    land(data_dir, {"sales/order_lines/orders.csv": SALES_ONLY})
    ingest_landing(data_dir)
    dbt_build(data_dir, ["+path:models/marts/profitability", "path:tests/profitability"])
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        yield con
    finally:
        con.close()


def test_sales_only_history_uses_the_default_line_and_costs(sales_only):
    """As of 2024-03-01 (the latest order). No product line: 'unknown', margin rate 0.30 from
    seed product_lines, so cost of goods = 70 % of revenue. No channel: the any/any order cost
    3.00. No contact center: no contact cost. C7: 23 - 16.10 - 2 x 3 = 0.90; C8: 3.50 - 2.45 -
    3 = -1.95 (class D); C9 bought only in the previous window: 100 - 70 - 3 = 27 then, 0 now."""
    rows = {
        r[0]: r[1:]
        for r in sales_only.execute(
            """select m.source_record_id, p.net_revenue, p.cost_of_goods, p.contact_cost, p.order_cost,
                      p.net_contribution, p.previous_net_contribution, x.abc_class
               from marts.customer_profitability p
               join marts.customer_identity_map m using (customer_key)
               join marts.customer_pareto x using (customer_key)"""
        ).fetchall()
    }
    assert rows == {
        "C7": (Decimal("23"), Decimal("16.1"), Decimal("0"), Decimal("6"), Decimal("0.9"), Decimal("0"), "A"),
        "C8": (Decimal("3.5"), Decimal("2.45"), Decimal("0"), Decimal("3"), Decimal("-1.95"), Decimal("0"), "D"),
        "C9": (Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0"), Decimal("27"), "C"),
    }
    matrix = sales_only.execute("select product_line, revenue from marts.profitability_matrix").fetchall()
    assert {line for line, _ in matrix} == {"unknown"}  # one row per segment, C7 and C8 in two
    assert sum(revenue for _, revenue in matrix) == Decimal("26.5")
    assert sales_only.execute("select count(*) from marts.cross_sell_opportunities").fetchone() == (0,)
    adoption = dict(
        sales_only.execute(
            """select m.source_record_id, a.product_lines from marts.customer_product_adoption a
           join marts.customer_identity_map m using (customer_key)"""
        ).fetchall()
    )
    assert adoption == {"C7": "unknown", "C8": "unknown", "C9": None}
    channels = sales_only.execute(
        "select channel_type, channel, handled_orders, cost_to_serve from marts.profitability_by_channel"
    ).fetchall()
    assert channels == [("sales", "unknown", 3, Decimal("9"))]
