"""A real company's shape, not the generator's: a sales-only history (the four required order-line
columns and quantity, no customer master, no other feed) of a business whose customers were
almost all acquired in its first three months, 18 monthly export files. The whole pipeline must
build, check and publish every mart; where the shape is unusual for the mart policies (the
customer base more than doubles in a month; one segment holds most customers because there are
no customer attributes to segment by) it warns, and blocks nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from dagster_project.settings import DATA_DIR_ENV, REPO_ROOT

pytestmark = pytest.mark.integration

START, MONTHS, CUSTOMERS = date(2024, 1, 1), 18, 600
# share of customers acquired in each of the first three months; the rest over months 4-18
FIRST_MONTHS = (0.25, 0.35, 0.25)


def _month_start(i: int) -> date:
    return date(START.year + (START.month - 1 + i) // 12, (START.month - 1 + i) % 12 + 1, 1)


def history(seed: int = 2024) -> list[tuple[str, date, str, Decimal, int]]:
    """(order_id, order_date, customer_id, net_amount, quantity) lines, generated here."""
    rng = random.Random(seed)
    end = _month_start(MONTHS) - timedelta(days=1)
    lines, order = [], 0
    for c in range(CUSTOMERS):
        u, month = rng.random(), None
        for i, share in enumerate(FIRST_MONTHS):
            if u < share:
                month = i
                break
            u -= share
        month = rng.randrange(len(FIRST_MONTHS), MONTHS) if month is None else month
        day = _month_start(month) + timedelta(days=rng.randrange(28))
        while day <= end:
            order += 1
            for _ in range(rng.choice((1, 1, 2))):
                amount = Decimal(rng.randrange(500, 20_000)) / 100
                lines.append((f"ORD{order:06d}", day, f"CUST{c:04d}", amount, rng.randrange(1, 4)))
            if rng.random() < 0.35:  # the customer stops buying
                break
            day += timedelta(days=int(rng.expovariate(1 / 70)) + 1)
    return lines


def monthly_files(lines) -> dict[str, str]:
    files: dict[str, list[str]] = {}
    for order_id, day, customer, amount, quantity in sorted(lines, key=lambda x: (x[1], x[0])):
        month_end = _month_start((day.year - START.year) * 12 + day.month - START.month + 1) - timedelta(days=1)
        files.setdefault(
            f"sales/order_lines/transactions_{month_end}.csv", ["order_id,order_date,customer_id,net_amount,quantity"]
        ).append(f"{order_id},{day},{customer},{amount},{quantity}")
    return {name: "\n".join(rows) + "\n" for name, rows in files.items()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """`make run` on the history: its own process, its own Dagster instance in the data directory."""
    from tests.helpers import land

    data_dir = tmp_path_factory.mktemp("acquisition_led") / "data"
    lines = history()
    land(data_dir, monthly_files(lines))
    env = os.environ | {DATA_DIR_ENV: str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    run = subprocess.run(
        [sys.executable, "-m", "dagster_project.run"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return data_dir, lines, run


def _outputs_state(data_dir) -> dict[str, object]:
    """What a run writes: the warehouse, the serving file, the GX results."""
    files = [data_dir / "warehouse.duckdb", data_dir / "serving" / "warehouse.duckdb"]
    results = sorted(p.name for p in (data_dir / "quality" / "results").rglob("*") if p.is_file())
    return {**{str(f): f.stat().st_mtime_ns for f in files}, "gx_results": results}


def test_a_second_make_run_with_nothing_new_rebuilds_nothing_and_says_so(published):
    data_dir, _, first = published
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    before = _outputs_state(data_dir)
    env = os.environ | {DATA_DIR_ENV: str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    again = subprocess.run(
        [sys.executable, "-m", "dagster_project.run"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "Nothing new since the last complete run" in again.stdout
    assert "Running the pipeline" not in again.stdout
    assert _outputs_state(data_dir) == before


def test_the_shape_is_acquisition_led(published):
    _, lines, _ = published
    first = {}
    for _, day, customer, *_ in lines:
        first[customer] = min(first.get(customer, day), day)
    early = sum(1 for d in first.values() if d < _month_start(3))
    assert len(first) == CUSTOMERS and early / CUSTOMERS > 0.8


def test_it_builds_checks_and_publishes_every_mart(published):
    data_dir, lines, run = published
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        marts = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        errors = con.execute("select suite, rule from quality.latest_results where status = 'error'").fetchall()
        verdicts = {r[0] for r in con.execute("select verdict from quality.batch_verdicts").fetchall()}
    assert errors == [] and verdicts == {"admitted"}
    with duckdb.connect(str(data_dir / "serving" / "warehouse.duckdb"), read_only=True) as con:
        served = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        log = con.execute("select mart, status from publish_log").fetchall()
        # every line reaches the served facts, and one customer per customer number
        totals = con.execute("select count(*), sum(net_amount) from marts.fct_order_lines").fetchone()
        customers = con.execute("select count(*) from marts.dim_customers where not is_missing_member").fetchone()[0]
    assert served == marts and {status for _, status in log} == {"published"}
    assert totals == (len(lines), sum(line[3] for line in lines))
    assert customers == CUSTOMERS


def test_its_unusual_shape_is_a_warning_in_the_closing_summary(published):
    data_dir, _, run = published
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        warned = set(
            con.execute("select suite, expectation_key from quality.latest_results where status = 'warning'").fetchall()
        )
    # month 2 more than doubles the customer base (0.25 -> 0.60 of the customers)
    assert ("marts.customer_segment_history", "column_values_to_be_between:customers_vs_month_before") in warned
    # without customer attributes most customers share one profile, so one segment
    assert ("marts.customer_segments", "column_max_to_be_between:share") in warned
    # the console: a line per step, then where things are, then the closing block, which ends it
    out = run.stdout
    closing = out[out.index("vector-crm pipeline succeeded") :]
    assert "WARNING     marts/customer_segment_history" in closing and "WARNING     marts/customer_segments" in closing
    assert "Traceback" not in out + run.stderr and "Not executing" not in out
    assert len(out.splitlines()) < 150, out
