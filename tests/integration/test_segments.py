"""Segments, RFM, life cycle and value on the session's S pipeline, recomputed here a second
way: plain Python over fct_orders and dim_customers (the inputs), following the definitions
written in dbt/models/marts/segments/_segments__models.yml. The SQL under test is never
called to produce an expected value.

The hand-worked boundary cases (every life-cycle rule on both sides of its boundary day,
RFM ties, the potential and score formulas, migrations) are dbt unit tests in
dbt/models/*/segments/ (_segments__unit_tests.yml, and each step model's own
_int_segments__<step>.yml); `dbt build` runs them in the pipeline.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.helpers import query_dicts

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "segments"
# dbt vars (defaults in dbt/dbt_project.yml)
MISSING_CUSTOMER_KEY = "-1"
WINDOW_DAYS = 365
DESERTION_DAYS, NEW_DAYS, RECOVERY_DAYS = 180, 90, 90
AT_RISK_FACTOR, AT_RISK_DAYS, AT_RISK_MIN_ORDER_DAYS = 2, 120, 3
AGE_BAND_EDGES = (25, 35, 50, 65)
POTENTIAL_PERCENTILE, MIN_GROUP_ACTIVES = 0.75, 10


@pytest.fixture(scope="module")
def warehouse(pipeline) -> Iterator[duckdb.DuckDBPyConnection]:
    paths, first, *_ = pipeline
    assert first.success, "the pipeline failed: see test_pipeline.py"
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _seed(name: str) -> list[dict]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _like(pattern: str, text: str) -> bool:
    return re.fullmatch("".join("." if ch == "_" else re.escape(ch) for ch in pattern), text) is not None


def _tile(rank: int, count: int, tiles: int = 5) -> int:
    return 1 + (tiles * (rank - 1)) // count


def _min_ranks(values: dict[str, object], descending: bool = False) -> dict[str, int]:
    """rank() of each key's value: ties share the rank of the first of them."""
    ordered = sorted(values.values(), reverse=descending)
    first_position: dict[object, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in values.items()}


def _percentile(values: list[float], fraction: float) -> float:
    xs = sorted(values)
    position = fraction * (len(xs) - 1)
    low = math.floor(position)
    high = min(low + 1, len(xs) - 1)
    return xs[low] + (position - low) * (xs[high] - xs[low])


@pytest.fixture(scope="module")
def expected(warehouse) -> dict:
    """Every customer's metrics, computed from the facts by the written definitions."""
    as_of = warehouse.execute("select max(order_date) from marts.fct_orders").fetchone()[0]
    orders = query_dicts(
        warehouse,
        f"""select customer_key, order_date, net_revenue from marts.fct_orders
            where completed_lines > 0 and customer_key <> '{MISSING_CUSTOMER_KEY}'
              and order_date <= date '{as_of}'""",
    )
    customers = query_dicts(
        warehouse,
        f"""select customer_key, customer_type, region, economic_activity, birth_year
            from marts.dim_customers
            where not is_missing_member and first_seen_date <= date '{as_of}'""",
    )
    order_days: dict[str, set[date]] = defaultdict(set)
    revenue: Counter = Counter()
    previous_revenue: Counter = Counter()
    orders_year: Counter = Counter()
    for o in orders:
        age = (as_of - o["order_date"]).days
        if o["net_revenue"] >= 0:
            order_days[o["customer_key"]].add(o["order_date"])
        if age < WINDOW_DAYS:
            revenue[o["customer_key"]] += o["net_revenue"]
            orders_year[o["customer_key"]] += 1 if o["net_revenue"] >= 0 else 0
        elif age < 2 * WINDOW_DAYS:
            previous_revenue[o["customer_key"]] += o["net_revenue"]

    region_groups = {r["region"]: r["region_group_code"] for r in _seed("region_groups")}
    activity_groups = {r["economic_activity"]: r["activity_code"] for r in _seed("economic_activity_groups")}
    minimums = sorted(_seed("segment_activity_minimums"), key=lambda r: (int(r["priority"]), r["profile_pattern"]))

    out: dict[str, dict] = {}
    for c in customers:
        key = c["customer_key"]
        days = sorted(order_days.get(key, ()))
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        returns = [b for a, b in itertools.pairwise(days) if (b - a).days > DESERTION_DAYS]
        recency = (as_of - days[-1]).days if days else None
        since_first = (as_of - days[0]).days if days else None
        if not days:
            stage = "prospect"
        elif recency >= DESERTION_DAYS:
            stage = "deserted"
        elif since_first < NEW_DAYS:
            stage = "new"
        elif returns and (as_of - returns[-1]).days < RECOVERY_DAYS:
            stage = "recovered"
        elif (len(days) >= AT_RISK_MIN_ORDER_DAYS and recency > AT_RISK_FACTOR * _percentile(gaps, 0.5)) or (
            len(days) < AT_RISK_MIN_ORDER_DAYS and recency > AT_RISK_DAYS
        ):
            stage = "at_risk"
        else:
            stage = "active"

        if c["customer_type"] == "person":
            letter = "P"
            if c["birth_year"] is None:
                band = "0"
            else:
                age = as_of.year - c["birth_year"]
                band = str(1 + sum(age >= edge for edge in AGE_BAND_EDGES))
        elif c["customer_type"] == "company":
            letter, band = "C", activity_groups.get(c["economic_activity"], "0")
        else:
            letter, band = "U", "0"
        profile = letter + region_groups.get(c["region"], "X") + band
        minimum = next(int(m["min_orders_active"]) for m in minimums if _like(m["profile_pattern"], profile))
        out[key] = {
            "customer_type": c["customer_type"],
            "profile_code": profile,
            "group": (c["customer_type"], profile[1], profile[2]),
            "lifecycle_stage": stage,
            "recency_days": recency,
            "frequency": sum(1 for d in days if (as_of - d).days < WINDOW_DAYS),
            "monetary": revenue.get(key, Decimal(0)),
            "previous_revenue_year": previous_revenue.get(key, Decimal(0)),
            "orders_year": orders_year.get(key, 0),
            "is_active": orders_year.get(key, 0) >= minimum,
        }

    scored = {k: v for k, v in out.items() if v["frequency"] > 0}
    for score, field, descending in (("r", "recency_days", True), ("f", "frequency", False), ("m", "monetary", False)):
        ranks = _min_ranks({k: v[field] for k, v in scored.items()}, descending=descending)
        for k, rank in ranks.items():
            out[k][f"{score}_score"] = _tile(rank, len(scored))
    for v in out.values():
        v["rfm_cell"] = f"{v['r_score']}{v['f_score']}{v['m_score']}" if v["frequency"] > 0 else None

    actives = [v for v in out.values() if v["is_active"]]
    by_group, by_type = defaultdict(list), defaultdict(list)
    for v in actives:
        by_group[v["group"]].append(float(v["monetary"]))
        by_type[v["customer_type"]].append(float(v["monetary"]))
    everyone = [float(v["monetary"]) for v in actives]
    for v in out.values():
        if len(by_group[v["group"]]) >= MIN_GROUP_ACTIVES:
            peer = _percentile(by_group[v["group"]], POTENTIAL_PERCENTILE)
        elif len(by_type[v["customer_type"]]) >= MIN_GROUP_ACTIVES:
            peer = _percentile(by_type[v["customer_type"]], POTENTIAL_PERCENTILE)
        else:
            peer = _percentile(everyone, POTENTIAL_PERCENTILE)
        v["potential_revenue_year"] = max(peer, float(v["monetary"]))
    return {"as_of": as_of, "customers": out}


@pytest.fixture(scope="module")
def marts(warehouse) -> dict[str, dict]:
    rows = query_dicts(
        warehouse,
        """select s.customer_key, s.segment_code, s.segment_name, s.profile_code, s.value_tier,
                  l.lifecycle_stage, r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score,
                  r.m_score, r.rfm_cell, v.is_active, v.orders_year, v.potential_revenue_year,
                  v.actual_revenue_year, v.previous_revenue_year
           from marts.customer_segments s
           join marts.customer_lifecycle l using (customer_key)
           join marts.customer_rfm r using (customer_key)
           join marts.customer_value v using (customer_key)""",
    )
    return {r["customer_key"]: r for r in rows}


def test_every_customer_has_one_segment(expected, marts):
    assert set(marts) == set(expected["customers"])
    assert len(marts) > 1000


def test_the_as_of_date_is_the_latest_order_date(warehouse, expected):
    assert warehouse.execute("select distinct as_of_date from marts.customer_rfm").fetchall() == [(expected["as_of"],)]


@pytest.mark.parametrize(
    "field",
    [
        "lifecycle_stage",
        "recency_days",
        "frequency",
        "monetary",
        "orders_year",
        "is_active",
        "rfm_cell",
        "profile_code",
    ],
)
def test_customer_metrics_match_a_second_computation(expected, marts, field):
    wrong = {
        key: (marts[key][field], want[field])
        for key, want in expected["customers"].items()
        if marts[key][field] != want[field]
    }
    assert not wrong, f"{len(wrong)} customers differ on {field}, e.g. {list(wrong.items())[:3]}"


def test_every_lifecycle_stage_occurs_in_the_demo_data(marts):
    stages = Counter(r["lifecycle_stage"] for r in marts.values())
    assert set(stages) == {"prospect", "deserted", "new", "recovered", "at_risk", "active"}, stages


def test_potential_matches_a_second_computation(expected, marts):
    wrong = {
        key: (float(marts[key]["potential_revenue_year"]), want["potential_revenue_year"])
        for key, want in expected["customers"].items()
        if abs(float(marts[key]["potential_revenue_year"]) - want["potential_revenue_year"]) > 1e-5
    }
    assert not wrong, f"{len(wrong)} potentials differ, e.g. {list(wrong.items())[:3]}"


def test_value_tier_is_the_quintile_of_the_potential(marts):
    ranks = _min_ranks({k: r["potential_revenue_year"] for k, r in marts.items()})
    wrong = {
        k: (r["value_tier"], _tile(ranks[k], len(marts)))
        for k, r in marts.items()
        if r["value_tier"] != _tile(ranks[k], len(marts))
    }
    assert not wrong, list(wrong.items())[:3]
    assert {r["value_tier"] for r in marts.values()} == {1, 2, 3, 4, 5}


def test_segment_code_spells_profile_tier_and_stage(marts):
    letters = {r["lifecycle_stage"]: r["stage_letter"] for r in _seed("lifecycle_stages")}
    for r in marts.values():
        assert r["segment_code"] == f"{r['profile_code']}{r['value_tier']}{letters[r['lifecycle_stage']]}"
        assert r["segment_name"]


def test_card_adds_up_from_its_customers(warehouse, marts):
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in marts.values():
        groups[r["segment_code"]].append(r)
    card = {r["segment_code"]: r for r in query_dicts(warehouse, "select * from marts.segment_summary")}
    assert set(card) == set(groups)
    for code, members in groups.items():
        row = card[code]
        actives = sum(m["is_active"] for m in members)
        actual = sum(m["actual_revenue_year"] for m in members)
        previous = sum(m["previous_revenue_year"] for m in members)
        assert row["records"] == len(members)
        assert row["active_customers"] == actives
        assert row["actual_revenue_year"] == actual
        assert row["model_potential_revenue_year"] == sum(m["potential_revenue_year"] for m in members)
        if actives:
            assert abs(row["revenue_per_active"] - actual / actives) < Decimal("0.000001")
            assert abs(row["potential_revenue_year"] - len(members) * actual / actives) < Decimal("0.01")
        else:
            assert row["revenue_per_active"] is None and row["potential_revenue_year"] is None
        if previous > 0:
            assert abs(row["growth"] - (actual - previous) / previous) < Decimal("0.000001")
        assert 0 <= row["score"] <= 1000


def test_history_at_the_as_of_month_end_equals_the_current_segments(warehouse, expected, marts):
    assert expected["as_of"] == date(2025, 12, 31), "the S demo data ends on a month end"
    history = {
        r["customer_key"]: r
        for r in query_dicts(
            warehouse,
            f"select * from marts.customer_segment_history where month_end = date '{expected['as_of']}'",
        )
    }
    assert set(history) == set(marts)
    wrong = [
        k
        for k, h in history.items()
        if (h["segment_code"], h["revenue_year"]) != (marts[k]["segment_code"], marts[k]["actual_revenue_year"])
    ]
    assert not wrong, wrong[:3]


def test_history_has_every_month_end_once(warehouse):
    months = warehouse.execute(
        "select month_end, count(*), count(distinct customer_key) from marts.customer_segment_history group by 1 order by 1"
    ).fetchall()
    assert len(months) == 36  # 2023-01 .. 2025-12 in the S demo data
    assert all(n == distinct for _, n, distinct in months)
    assert [m for m, *_ in months][:2] == [date(2023, 1, 31), date(2023, 2, 28)]


def test_migration_of_the_last_month_matches_the_history(warehouse):
    last, previous = (
        r[0]
        for r in warehouse.execute(
            "select distinct month_end from marts.customer_segment_history order by 1 desc limit 2"
        ).fetchall()
    )
    before = dict(
        warehouse.execute(
            f"select customer_key, segment_code from marts.customer_segment_history where month_end = date '{previous}'"
        ).fetchall()
    )
    after = dict(
        warehouse.execute(
            f"select customer_key, segment_code from marts.customer_segment_history where month_end = date '{last}'"
        ).fetchall()
    )
    moves = Counter((before.get(k, "(none)"), after.get(k, "(none)")) for k in set(before) | set(after))
    got = {
        (f, t): n
        for f, t, n in warehouse.execute(
            f"select from_segment_code, to_segment_code, customers from marts.segment_migration where month_end = date '{last}'"
        ).fetchall()
    }
    assert got == dict(moves)
    into_desertion = sum(n for (f, t), n in moves.items() if f.endswith("D") is False and t.endswith("D"))
    assert into_desertion > 0, "some customers desert in a month of demo data"


def test_a_later_run_computes_only_the_current_date(warehouse, expected):
    """The session's second run finds every month end stored in the history (its first run
    back-filled them), so int_segments__dates and the step tables hold the current as-of date
    only: a month end is computed once, the current date on every run."""
    dates = warehouse.execute(
        "select as_of_date, is_current, is_new_month_end from intermediate.int_segments__dates"
    ).fetchall()
    assert dates == [(expected["as_of"], True, False)]
    for step in ("purchases", "prospect_groups", "lifecycle", "value", "rfm"):
        held = warehouse.execute(f"select distinct as_of_date from intermediate.int_segments__{step}").fetchall()
        assert held == [(expected["as_of"],)], step
