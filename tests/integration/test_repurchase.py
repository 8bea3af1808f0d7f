"""Repurchase and desertion marts, checked two ways.

1. A hand-computed history landed as a sales-only file (only the four required columns,
   plus one file that adds `status` for two cancelled orders): every model of
   dbt/models/marts/repurchase builds on it, and the figures worked out by hand in the
   comments below are asserted literally.
2. The same definitions (dbt/models/marts/repurchase/_repurchase__models.yml) re-implemented
   here the plainest way, day by day and customer by customer, and compared row for row
   with every mart, on the hand-made history and on the session's S pipeline.

The SQL under test is never used to produce an expected value.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.helpers import dbt_build, ingest_landing, land, query_dicts
from tests.integration.test_identity_rules import read

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
# dbt vars (defaults in dbt/dbt_project.yml)
W = 180  # desertion_window_days
GRAINS = ("month", "quarter", "year")
LOYAL_MIN, LOYAL_LOOKBACK = 3, 4
RECENT, BASELINE, DROP_RATIO, DAYS_LATE = 90, 360, 0.5, 30
COMPLAINT_TYPES = {"complaint", "claim"}
MISSING_CUSTOMER_KEY = "-1"

ORDERS = """order_id,order_date,customer_id,net_amount
O1,2024-01-01,A,10.00
O2,2024-01-01,A,5.00
O3,2024-03-15,A,20.00
O4,2024-09-11,A,30.00
O5,2024-02-01,B,15.00
O6,2024-01-10,C,40.00
O7,2024-12-20,C,25.00
O8,2024-04-01,D,12.00
O9,2024-05-05,D,-3.00
"""
CANCELLED = """order_id,order_date,customer_id,net_amount,status
O10,2024-03-03,E,50.00,cancelled
O11,2024-06-03,D,7.00,cancelled
"""


# --------------------------------------------------------------------------------------
# The definitions, the plainest way
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    customer: str
    order_date: date
    completed_lines: int
    cancelled_lines: int
    net_revenue: Decimal  # completed lines only


def _period_start(d: date, grain: str) -> date:
    if grain == "month":
        return d.replace(day=1)
    if grain == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return date(d.year, 1, 1)


def _next_period(start: date, grain: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    m = start.month - 1 + months
    return date(start.year + m // 12, m % 12 + 1, 1)


def _median(values: list) -> float | None:
    if not values:
        return None
    xs = sorted(values)
    mid = len(xs) // 2
    return float(xs[mid]) if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def _ratio(numerator, denominator) -> float | None:
    return None if not denominator else float(numerator) / float(denominator)


class Reference:
    """Every repurchase metric from a list of orders, as the docs define it."""

    def __init__(self, orders: list[Order], as_of: date):
        self.as_of = as_of
        self.orders = [o for o in orders if o.order_date <= as_of]
        completed = [o for o in self.orders if o.completed_lines > 0]
        # an order day: a date with a completed order whose net revenue is >= 0
        self.days: dict[str, list[date]] = defaultdict(list)
        for o in completed:
            if o.net_revenue >= 0 and o.order_date not in self.days[o.customer]:
                self.days[o.customer].append(o.order_date)
        for days in self.days.values():
            days.sort()
        self.revenue_rows = [(o.customer, o.order_date, o.net_revenue) for o in completed]
        self.by_customer: dict[str, list[Order]] = defaultdict(list)
        for o in self.orders:
            self.by_customer[o.customer].append(o)

    def active_on(self, customer: str, d: date) -> bool:
        """An order day in (d - W, d]."""
        days = self.days[customer]
        i = bisect.bisect_right(days, d)
        return i > 0 and days[i - 1] > d - timedelta(days=W)

    def purchase_stats(self) -> dict[str, dict]:
        out = {}
        for c, days in self.days.items():
            gaps = [(b - a).days for a, b in itertools.pairwise(days)]
            mine = [o for o in self.by_customer[c] if o.completed_lines > 0]
            rows = [(o.order_date, o.net_revenue) for o in mine]
            completed = [o for o in mine if o.net_revenue >= 0]
            out[c] = {
                "first_order_date": days[0],
                "last_order_date": days[-1],
                "order_days": len(days),
                "orders": len(completed),
                "net_revenue": sum(r for _, r in rows),
                "repeat_net_revenue": sum((r for d, r in rows if d > days[0]), Decimal(0)),
                "days_to_second_order": gaps[0] if gaps else None,
                "avg_interpurchase_days": (days[-1] - days[0]).days / (len(days) - 1) if gaps else None,
                "median_gap_days": _median(gaps),
                "days_since_last_order": (self.as_of - days[-1]).days,
                "is_repeat_customer": len(days) >= 2,
            }
        return out

    def periods(self, grain: str) -> list[tuple[date, date]]:
        all_days = [d for days in self.days.values() for d in days]
        start, last = _period_start(min(all_days), grain), _period_start(max(all_days), grain)
        out = []
        while start <= last:
            nxt = _next_period(start, grain)
            out.append((start, min(nxt - timedelta(days=1), self.as_of)))
            start = nxt
        return out

    def repurchase_metrics(self, grain: str) -> list[dict]:
        periods = self.periods(grain)
        active = [
            {
                c: sum(1 for d in days if ps <= d <= pe)
                for c, days in self.days.items()
                if any(ps <= d <= pe for d in days)
            }
            for ps, pe in periods
        ]
        out = []
        for i, (ps, pe) in enumerate(periods):
            now, before = active[i], active[i - 1] if i else {}
            revenue = [(c, r) for c, d, r in self.revenue_rows if ps <= d <= pe]
            total = sum((r for _, r in revenue), Decimal(0))
            returning = sum((r for c, r in revenue if self.days.get(c) and self.days[c][0] < ps), Decimal(0))
            gaps = [(b - a).days for days in self.days.values() for a, b in itertools.pairwise(days) if ps <= b <= pe]
            loyal = sum(
                1
                for c in now
                if sum(1 for j in range(max(0, i - LOYAL_LOOKBACK + 1), i + 1) if c in active[j]) >= LOYAL_MIN
            )
            out.append(
                {
                    "period_start": ps,
                    "period_end": pe,
                    "active_customers": len(now),
                    "repeat_customers": sum(1 for n in now.values() if n >= 2),
                    "repeat_customer_rate": _ratio(sum(1 for n in now.values() if n >= 2), len(now)),
                    "new_customers": sum(1 for c in now if ps <= self.days[c][0] <= pe),
                    "prior_period_customers": len(before),
                    "retained_customers": len(set(now) & set(before)),
                    "repurchase_rate": _ratio(len(set(now) & set(before)), len(before)),
                    "net_revenue": total,
                    "returning_revenue_share": _ratio(returning, total),
                    "interpurchase_gaps": len(gaps),
                    "avg_interpurchase_days": sum(gaps) / len(gaps) if gaps else None,
                    "median_interpurchase_days": _median(gaps),
                    "loyal_customers": loyal,
                    "loyal_share": _ratio(loyal, len(now)),
                }
            )
        return out

    def desertion_metrics(self, grain: str) -> list[dict]:
        out = []
        for ps, pe in self.periods(grain):
            before = ps - timedelta(days=1)
            at_start = {c for c in self.days if self.active_on(c, before)}
            at_end = {c for c in self.days if self.active_on(c, pe)}
            buyers = {c for c, days in self.days.items() if days[0] <= pe}
            recovered = {
                c
                for c, days in self.days.items()
                if days[0] < ps and c not in at_start and any(ps <= d <= pe for d in days)
            }
            out.append(
                {
                    "period_start": ps,
                    "period_end": pe,
                    "active_at_start": len(at_start),
                    "deserted_customers": len(at_start - at_end),
                    "desertion_rate": _ratio(len(at_start - at_end), len(at_start)),
                    "recovered_customers": len(recovered),
                    "active_at_end": len(at_end),
                    "buyers_at_end": len(buyers),
                    "lapsed_base_at_end": len(buyers - at_end),
                }
            )
        return out

    def cohort_retention(self) -> dict[tuple[date, int], dict]:
        cohort = {c: days[0].replace(day=1) for c, days in self.days.items()}
        last = max(d for days in self.days.values() for d in days).replace(day=1)
        out = {}
        for month in sorted(set(cohort.values())):
            members = {c for c in cohort if cohort[c] == month}
            n, cumulative, m = 0, Decimal(0), month
            while m <= last:
                active = sum(1 for c in members if any(d.replace(day=1) == m for d in self.days[c]))
                revenue = sum(
                    (r for c, d, r in self.revenue_rows if c in members and d.replace(day=1) == m), Decimal(0)
                )
                cumulative += revenue
                out[(month, n)] = {
                    "activity_month": m,
                    "cohort_customers": len(members),
                    "active_customers": active,
                    "retention_rate": active / len(members),
                    "revenue": revenue,
                    "cumulative_revenue_per_customer": cumulative / len(members),
                }
                n, m = n + 1, _next_period(m, "month")
        return out

    def desertion_risk(
        self, lifecycle: dict[str, str], late: dict[str, int | None], complaints: dict[str, int]
    ) -> dict[str, dict]:
        with open(SEEDS / "repurchase" / "desertion_risk_signals.csv", encoding="utf-8") as fh:
            points = {r["reason_code"]: (int(r["priority"]), int(r["points"])) for r in csv.DictReader(fh)}
        recent_start = self.as_of - timedelta(days=RECENT)  # exclusive
        baseline_start = recent_start - timedelta(days=BASELINE)  # exclusive
        out = {}
        for c, days in self.days.items():
            since = (self.as_of - days[-1]).days
            recent = sum(1 for d in days if recent_start < d <= self.as_of)
            if days[0] <= recent_start:
                observed = BASELINE if days[0] <= baseline_start else (recent_start - days[0]).days + 1
                baseline = sum(1 for d in days if baseline_start < d <= recent_start) * RECENT / observed
            else:
                baseline = None
            ratio = recent / baseline if baseline else None
            cancelled = sum(1 for o in self.by_customer[c] if o.cancelled_lines > 0 and recent_start < o.order_date)
            status = "active" if since < W else "deserted"
            fired = {
                "DESERTED": status == "deserted",
                "AT_RISK": lifecycle.get(c) == "at_risk",
                "SLOWING": status == "active" and ratio is not None and ratio < DROP_RATIO,
                "COMPLAINT": complaints.get(c, 0) > 0,
                "CANCELLATION": cancelled > 0,
                "LATE_PAYMENT": (late.get(c) or 0) > DAYS_LATE,
            }
            codes = sorted(
                (code for code, on in fired.items() if on and points[code][1] > 0), key=lambda k: points[k][0]
            )
            out[c] = {
                "hiatus_status": status,
                "days_since_last_order": since,
                "recent_order_days": recent,
                "baseline_order_days_per_window": baseline,
                "frequency_ratio": ratio,
                "recent_cancelled_orders": cancelled,
                "max_days_late": late.get(c),
                "recent_complaints": complaints.get(c, 0),
                "risk_score": min(100, sum(points[k][1] for k in codes)),
                "risk_reasons": ",".join(codes),
            }
        return out


# --------------------------------------------------------------------------------------
# Comparing a mart with the reference
# --------------------------------------------------------------------------------------


def _same(got, want) -> bool:
    if got is None or want is None:
        return got is None and want is None
    if isinstance(want, (float, Decimal)) and not isinstance(want, bool):
        return math.isclose(float(got), float(want), abs_tol=1e-6)  # the marts keep 6 decimals
    return got == want


def _differences(got: dict, want: dict) -> dict:
    """{key: {field: (got, want)}} for every key and field of `want` that differs."""
    out = {}
    for key in set(got) | set(want):
        if key not in got or key not in want:
            out[key] = ("present" if key in got else "missing", "expected" if key in want else "absent")
            continue
        bad = {f: (got[key][f], w) for f, w in want[key].items() if not _same(got[key][f], w)}
        if bad:
            out[key] = bad
    return out


def compare_all(con, ref: Reference, lifecycle, late, complaints) -> dict[str, dict]:
    """Each mart's differences from the reference (empty when they agree)."""
    problems = {}
    got = {r["customer_key"]: r for r in query_dicts(con, "select * from marts.customer_purchase_stats")}
    problems["customer_purchase_stats"] = _differences(got, ref.purchase_stats())
    for mart, method in (("repurchase_metrics", ref.repurchase_metrics), ("desertion_metrics", ref.desertion_metrics)):
        for grain in GRAINS:
            got = {
                r["period_start"]: r
                for r in query_dicts(con, f"select * from marts.{mart} where period_grain = '{grain}'")
            }
            want = {r["period_start"]: r for r in method(grain)}
            problems[f"{mart}/{grain}"] = _differences(got, want)
    got = {
        (r["cohort_month"], r["months_since_first_order"]): r
        for r in query_dicts(con, "select * from marts.cohort_retention")
    }
    problems["cohort_retention"] = _differences(got, ref.cohort_retention())
    got = {r["customer_key"]: r for r in query_dicts(con, "select * from marts.customer_desertion_risk")}
    problems["customer_desertion_risk"] = _differences(got, ref.desertion_risk(lifecycle, late, complaints))
    return {k: v for k, v in problems.items() if v}


# --------------------------------------------------------------------------------------
# 1. The hand-computed, sales-only history
# --------------------------------------------------------------------------------------


def key(customer_id: str) -> str:
    return hashlib.md5(f"order_lines:{customer_id}".encode()).hexdigest()


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("repurchase") / "data"
    land(data_dir, {"sales/order_lines/orders_2024.csv": ORDERS, "sales/order_lines/cancelled_2024.csv": CANCELLED})
    ingest_landing(data_dir)
    dbt_build(data_dir, ["+path:models/marts/repurchase"])
    return data_dir


def _history_orders() -> list[Order]:
    lines = list(csv.DictReader(ORDERS.splitlines())) + list(csv.DictReader(CANCELLED.splitlines()))
    by_order: dict[str, Order] = {}
    for line in lines:
        done = line.get("status", "completed") == "completed"
        old = by_order.get(line["order_id"])
        by_order[line["order_id"]] = Order(
            key(line["customer_id"]),
            date.fromisoformat(line["order_date"]),
            (old.completed_lines if old else 0) + done,
            (old.cancelled_lines if old else 0) + (not done),
            (old.net_revenue if old else Decimal(0)) + (Decimal(line["net_amount"]) if done else 0),
        )
    return list(by_order.values())


def test_every_model_builds_on_a_sales_only_history(history):
    tables = {
        r[0] for r in read(history, "select table_name from information_schema.tables where table_schema = 'marts'")
    }
    assert {
        "customer_purchase_stats",
        "repurchase_metrics",
        "desertion_metrics",
        "cohort_retention",
        "customer_desertion_risk",
    } <= tables


def test_purchase_stats_by_hand(history):
    rows = {
        r[0]: r[1:]
        for r in read(
            history,
            """
        select customer_key, order_days, orders, net_revenue, repeat_net_revenue, days_to_second_order,
               avg_interpurchase_days, median_gap_days, days_since_last_order, is_repeat_customer
        from marts.customer_purchase_stats""",
        )
    }
    # the as-of date is the last order date, 2024-12-20; E's only order is cancelled: no row.
    # A: two orders on 2024-01-01 make one order day; gaps 74 (to 03-15, 2024 is a leap year)
    #    and 180 (to 09-11); mean (255 - 1) / 2 = 127; repeat revenue 20 + 30.
    assert rows[key("A")] == (3, 4, Decimal("65"), Decimal("50"), 74, Decimal("127"), Decimal("127"), 100, True)
    # B: one order, on a month's first day.
    assert rows[key("B")] == (1, 1, Decimal("15"), Decimal("0"), None, None, None, 323, False)
    # C: 2024-01-10 and 2024-12-20, 345 days apart.
    assert rows[key("C")] == (2, 2, Decimal("65"), Decimal("25"), 345, Decimal("345"), Decimal("345"), 0, True)
    # D: the credit note of 05-05 (-3) is revenue but no order day; the cancelled order counts nowhere.
    assert rows[key("D")] == (1, 1, Decimal("9"), Decimal("-3"), None, None, None, 263, False)
    assert key("E") not in rows


def test_repurchase_metrics_by_hand(history):
    rows = {
        (r[0], r[1]): r[2:]
        for r in read(
            history,
            """
        select period_grain, period_start, active_customers, repeat_customers, new_customers,
               prior_period_customers, retained_customers, repurchase_rate, returning_revenue_share,
               interpurchase_gaps, avg_interpurchase_days, median_interpurchase_days, loyal_customers
        from marts.repurchase_metrics""",
        )
    }
    # Q1: A (01-01, 03-15), B, C are active, A twice; nobody before: repurchase rate null.
    assert rows[("quarter", date(2024, 1, 1))] == (
        3,
        1,
        3,
        0,
        0,
        None,
        Decimal("0"),
        1,
        Decimal("74"),
        Decimal("74"),
        0,
    )
    # Q2: D only, new; of Q1's 3 none is back. D's credit note is D's own (first order in Q2): share 0.
    assert rows[("quarter", date(2024, 4, 1))] == (1, 0, 1, 3, 0, Decimal("0"), Decimal("0"), 0, None, None, 0)
    # Q3: A's 09-11 order (30, A first bought before Q3): share 1; A's 180-day gap ends here.
    assert rows[("quarter", date(2024, 7, 1))] == (
        1,
        0,
        0,
        1,
        0,
        Decimal("0"),
        Decimal("1"),
        1,
        Decimal("180"),
        Decimal("180"),
        0,
    )
    # The year: 4 active, A and C repeat, all new; gaps 74, 180, 345: mean 199.666667, median 180.
    assert rows[("year", date(2024, 1, 1))] == (
        4,
        2,
        4,
        0,
        0,
        None,
        Decimal("0"),
        3,
        Decimal("199.666667"),
        Decimal("180"),
        0,
    )
    # May: only D's credit note: no active customer, revenue -3 all from a returning customer.
    assert rows[("month", date(2024, 5, 1))][:2] == (0, 0)
    assert rows[("month", date(2024, 5, 1))][6] == Decimal("1")
    assert len([k for k in rows if k[0] == "month"]) == 12  # January to December, empty months included


def test_desertion_metrics_by_hand(history):
    rows = {
        r[0]: r[1:]
        for r in read(
            history,
            """
        select period_start, active_at_start, deserted_customers, recovered_customers, active_at_end,
               buyers_at_end, lapsed_base_at_end
        from marts.desertion_metrics where period_grain = 'month'""",
        )
    }
    # February: B's only order is on 02-01, the period start: not active on 01-31, not recovered
    # (no earlier order day), active at the end.
    assert rows[date(2024, 2, 1)] == (2, 0, 0, 3, 3, 0)
    # July: B (02-01 + 180 = 07-30) and C (01-10 + 180 = 07-08) stop being active.
    assert rows[date(2024, 7, 1)] == (4, 2, 0, 2, 4, 2)
    # September: A's gap of exactly 180 days (03-15 -> 09-11) never leaves A inactive; D
    # (04-01 + 180 = 09-28) deserts.
    assert rows[date(2024, 9, 1)] == (2, 1, 0, 1, 4, 3)
    # December: C comes back on 12-20 after 345 days: recovered.
    assert rows[date(2024, 12, 1)] == (1, 0, 1, 2, 4, 2)


def test_cohort_retention_by_hand(history):
    rows = {
        (r[0], r[1]): r[2:]
        for r in read(
            history,
            """
        select cohort_month, months_since_first_order, cohort_customers, active_customers, revenue,
               cumulative_revenue_per_customer
        from marts.cohort_retention""",
        )
    }
    january = date(2024, 1, 1)
    assert rows[(january, 0)] == (2, 2, Decimal("55"), Decimal("27.5"))  # A 10 + 5, C 40
    assert rows[(january, 2)] == (2, 1, Decimal("20"), Decimal("37.5"))
    assert rows[(january, 11)] == (2, 1, Decimal("25"), Decimal("65"))  # (55 + 20 + 30 + 25) / 2
    assert rows[(date(2024, 4, 1), 1)] == (1, 0, Decimal("-3"), Decimal("9"))  # D's credit note
    assert max(n for (m, n) in rows if m == january) == 11


def test_desertion_risk_by_hand(history):
    rows = {
        r[0]: r[1:]
        for r in read(
            history,
            """
        select customer_key, hiatus_status, recent_order_days, round(baseline_order_days_per_window, 4),
               risk_score, risk_reasons
        from marts.customer_desertion_risk""",
        )
    }
    # The recent window is (09-21, 12-20]. A: 3 order days in the 265 baseline days A was a
    # customer ((09-21 - 01-01) + 1), so 3 x 90 / 265 per 90 days, and none in the recent
    # window: slowing; still active (100 days < 180).
    assert rows[key("A")] == ("active", 0, Decimal("1.0189"), 20, "SLOWING")
    assert rows[key("B")][0::4] == ("deserted", "DESERTED")
    assert rows[key("C")] == ("active", 1, Decimal("0.3516"), 0, "")  # 1 x 90 / ((09-21 - 01-10) + 1)


def test_history_matches_the_reference(history):
    with duckdb.connect(str(history / "warehouse.duckdb"), read_only=True) as con:
        lifecycle = dict(con.execute("select customer_key, lifecycle_stage from marts.customer_lifecycle").fetchall())
    ref = Reference(_history_orders(), date(2024, 12, 20))
    with duckdb.connect(str(history / "warehouse.duckdb"), read_only=True) as con:
        problems = compare_all(con, ref, lifecycle, late={}, complaints={})
    assert not problems, problems


# --------------------------------------------------------------------------------------
# 2. The session's S pipeline
# --------------------------------------------------------------------------------------


def test_s_pipeline_matches_the_reference(pipeline):
    paths, first, *_ = pipeline
    assert first.success, "the pipeline failed: see test_pipeline.py"
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        as_of = con.execute("select max(order_date) from marts.fct_orders").fetchone()[0]
        orders = [
            Order(*r)
            for r in con.execute(f"""
                select customer_key, order_date, completed_lines, cancelled_lines, net_revenue
                from marts.fct_orders where customer_key <> '{MISSING_CUSTOMER_KEY}'""").fetchall()
        ]
        lifecycle = dict(con.execute("select customer_key, lifecycle_stage from marts.customer_lifecycle").fetchall())
        recent_start = as_of - timedelta(days=RECENT)
        late: dict[str, int | None] = {}
        for customer, due, paid, days_late in con.execute(
            f"select customer_key, payment_due_date, paid_date, days_late from marts.fct_orders "
            f"where order_date <= date '{as_of}' and payment_due_date is not null"
        ).fetchall():
            if paid is not None and paid <= as_of:
                value = days_late if due > recent_start else None
            else:
                value = (as_of - due).days if due < as_of else None
            if value is not None:
                late[customer] = value if late.get(customer) is None else max(late[customer], value)
        complaints: dict[str, int] = defaultdict(int)
        for customer, case_type, opened in con.execute(
            "select customer_key, case_type, opened_date from marts.fct_cases"
        ).fetchall():
            if case_type in COMPLAINT_TYPES and recent_start < opened <= as_of:
                complaints[customer] += 1
        problems = compare_all(con, Reference(orders, as_of), lifecycle, late, complaints)
    assert not problems, {k: dict(list(v.items())[:3]) for k, v in problems.items()}
