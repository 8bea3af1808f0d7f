"""The CLV asset through a real DuckDB warehouse: CDNOW end to end, re-runs, atomic writes,
edge cases, and the lineage keys shared with the dbt source `clv`.

The input table is built here with plain SQL from the raw CDNOW transactions, the way
customer_purchase_stats defines it (order days, repeat revenue, as-of date); the expected
values come from the papers or are computed by hand."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pytest
import test_clv_bgnbd as reference  # eq. (10) as printed, with its series
import yaml

from dagster_project.clv import warehouse
from dagster_project.clv.asset import CLV_KEY, FIT_KEY
from dagster_project.definitions import customer_clv
from dagster_project.settings import DBT_PROJECT_DIR
from tests.helpers import resources

CDNOW_TRANSACTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CDNOW_SUMMARY = CDNOW_TRANSACTIONS.with_name("cdnow_customers_summary_with_transactions.csv")
SOURCES_YAML = DBT_PROJECT_DIR / "models" / "marts" / "repurchase" / "_clv__sources.yml"
CALIBRATION_END = date(1997, 9, 30)  # end of week 39


def _create_summary(con, rows):
    """marts.customer_purchase_stats with the columns the asset reads, from (key, first, last, order_days, repeat revenue, as of)."""
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.customer_purchase_stats (customer_key varchar, first_order_date date, "
        "last_order_date date, order_days integer, repeat_net_revenue decimal(28, 6), as_of_date date)"
    )
    if rows:
        con.executemany("insert into marts.customer_purchase_stats values (?, ?, ?, ?, ?, ?)", rows)


def _cdnow_warehouse(path: Path) -> None:
    """CDNOW's sample (whitespace-separated: master id, customer id, yyyymmdd, CDs, dollars)
    summarised to 1997-09-30: an order day is a date with a purchase; repeat revenue is the
    dollars of the days after the first."""
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    tx = []
    for line in CDNOW_TRANSACTIONS.read_text().splitlines():
        _, cid, ymd, _, dollars = line.split()
        tx.append((str(int(cid)), date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:])), float(dollars)))
    frame = pd.DataFrame(tx, columns=["customer_key", "order_date", "dollars"])
    with duckdb.connect(str(path)) as con:
        con.register("tx", frame)
        _create_summary(con, [])
        con.execute(
            """
            insert into marts.customer_purchase_stats
            with days as (
                select customer_key, cast(order_date as date) as order_date, sum(dollars) as dollars
                from tx where cast(order_date as date) <= ? group by all
            ),
            firsts as (select customer_key, min(order_date) as first_day from days group by customer_key)
            select days.customer_key, min(order_date), max(order_date), count(*),
                   sum(case when order_date > first_day then dollars else 0 end), ?
            from days join firsts using (customer_key)
            group by days.customer_key
            """,
            [CALIBRATION_END, CALIBRATION_END],
        )


@pytest.fixture(scope="module")
def cdnow_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cdnow") / "warehouse.duckdb"
    _cdnow_warehouse(path)
    return path


def _materialize(paths, run_config=None):
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [customer_clv], instance=instance, run_config=run_config, raise_on_error=False, resources=resources(paths)
        )
    return result


def _query(paths, sql, params=None):
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rel = con.execute(sql, params or [])
        names = [d[0] for d in rel.description]
        return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


@pytest.fixture
def cdnow(paths, cdnow_template):
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cdnow_template, paths.warehouse)
    return paths


def test_cdnow_through_the_warehouse_reproduces_the_published_fits(cdnow):
    result = _materialize(cdnow)
    assert result.success
    (fit,) = _query(cdnow, "select * from marts.clv_model_fit")
    published = {
        "bgnbd_r": 0.243,
        "bgnbd_alpha": 4.414,
        "bgnbd_a": 0.793,
        "bgnbd_b": 2.426,
        "gg_p": 6.25,
        "gg_q": 3.74,
        "gg_gamma": 15.44,
    }
    for column, value in published.items():
        assert fit[column] == pytest.approx(value, rel=0.01), column
    assert fit["bgnbd_converged"] and fit["gg_converged"]
    assert (fit["customers"], fit["bgnbd_customers"], fit["gg_customers"], fit["customers_excluded"]) == (
        2357,
        2357,
        946,
        0,
    )
    assert fit["as_of_date"] == CALIBRATION_END and fit["time_unit_days"] == 7
    assert fit["run_id"] == result.run_id

    # The inputs equal Hardie's published summary (x, t_x, T in weeks, rounded to 2 decimals).
    got = {r["customer_key"]: r for r in _query(cdnow, "select * from marts.customer_clv")}
    assert len(got) == 2357
    for line in CDNOW_SUMMARY.read_text().splitlines()[1:]:
        cid, x, t_x, T, zbar = line.split(",")
        row = got[cid]
        assert row["x"] == int(x)
        assert row["t_x"] == pytest.approx(float(t_x), abs=0.006)
        assert row["t_cal"] == pytest.approx(float(T), abs=0.006)
        if int(x) > 0:
            assert row["mean_repeat_spend"] == pytest.approx(float(zbar), abs=0.006)
        assert row["as_of_date"] == CALIBRATION_END and row["run_id"] == result.run_id


def test_customer_outputs_by_hand(cdnow):
    assert _materialize(cdnow).success
    (fit,) = _query(cdnow, "select * from marts.clv_model_fit")
    (row,) = _query(cdnow, "select * from marts.customer_clv where customer_key = '1'")
    r, alpha, a, b = (fit[f"bgnbd_{k}"] for k in ("r", "alpha", "a", "b"))
    p, q, g = fit["gg_p"], fit["gg_q"], fit["gg_gamma"]
    # customer 1 buys on 1997-01-01, 01-18 and 08-02 in calibration (and 12-12 after it)
    x, t_x, T, zbar = 2, 213 / 7, 272 / 7, (29.73 + 14.96) / 2
    assert (row["x"], row["t_x"], row["t_cal"], row["mean_repeat_spend"]) == (
        x,
        pytest.approx(t_x),
        pytest.approx(T),
        pytest.approx(zbar),
    )
    assert row["p_alive"] == pytest.approx(
        1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)), rel=1e-9
    )
    for days, column in ((90, "expected_purchases_90d"), (365, "expected_purchases_365d")):
        assert row[column] == pytest.approx(reference._expected_by_eq10(r, alpha, a, b, days / 7, x, t_x, T), rel=1e-8)
    spend = (g + x * row["mean_repeat_spend"]) * p / (p * x + q - 1)
    assert row["expected_avg_order_value"] == pytest.approx(spend, rel=1e-12)
    months = [reference._expected_by_eq10(r, alpha, a, b, m * 365 / 12 / 7, x, t_x, T) for m in range(13)]
    discounted = sum((months[m] - months[m - 1]) / 1.10 ** (m / 12) for m in range(1, 13))
    assert row["clv_12m"] == pytest.approx(spend * discounted, rel=1e-8)


def test_customer_1_summary_matches_the_raw_file(cdnow):
    # The hand values above come from these lines of CDNOW_sample.txt (customer 1 is the
    # file's first customer, "00004 0001").
    lines = [line.split() for line in CDNOW_TRANSACTIONS.read_text().splitlines() if line.split()[1] == "0001"]
    assert [line[2] for line in lines] == ["19970101", "19970118", "19970802", "19971212"]


def test_rerun_replaces_customers_and_adds_one_fit_row(cdnow):
    first, second = _materialize(cdnow), _materialize(cdnow)
    assert first.success and second.success
    assert _query(
        cdnow,
        "select count(*) as n, count(distinct customer_key) as k, min(run_id) as lo, max(run_id) as hi from marts.customer_clv",
    ) == [{"n": 2357, "k": 2357, "lo": second.run_id, "hi": second.run_id}]
    assert {r["run_id"] for r in _query(cdnow, "select run_id from marts.clv_model_fit")} == {
        first.run_id,
        second.run_id,
    }


def test_a_failed_write_leaves_both_tables_as_they_were(cdnow):
    assert _materialize(cdnow).success
    before = _query(cdnow, "select * from marts.customer_clv order by customer_key")
    fits_before = _query(cdnow, "select * from marts.clv_model_fit")
    import pandas as pd

    half = pd.DataFrame({"customer_key": ["x"], "x": [0]})
    # customer_clv is replaced first, then the fit row fails (a column the table lacks).
    with duckdb.connect(str(cdnow.warehouse)) as con, pytest.raises(duckdb.Error):
        warehouse.write(con, half, {"no_such_column": 1}, "run-that-fails", CALIBRATION_END, pd.Timestamp("2026-01-01"))
    assert _query(cdnow, "select * from marts.customer_clv order by customer_key") == before
    assert _query(cdnow, "select * from marts.clv_model_fit") == fits_before


def test_no_repeat_customers_writes_a_not_converged_fit_and_null_predictions(paths):
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        _create_summary(
            con,
            [
                ("a", date(2025, 1, 5), date(2025, 1, 5), 1, 0, date(2025, 6, 30)),
                ("b", date(2025, 3, 1), date(2025, 3, 1), 1, 0, date(2025, 6, 30)),
            ],
        )
    assert _materialize(paths).success
    (fit,) = _query(paths, "select * from marts.clv_model_fit")
    assert not fit["bgnbd_converged"] and not fit["gg_converged"]
    assert (fit["bgnbd_customers"], fit["gg_customers"], fit["bgnbd_r"], fit["gg_p"]) == (2, 0, None, None)
    rows = _query(paths, "select * from marts.customer_clv order by customer_key")
    assert [(r["customer_key"], r["x"], r["p_alive"], r["expected_avg_order_value"], r["clv_12m"]) for r in rows] == [
        ("a", 0, None, None, None),
        ("b", 0, None, None, None),
    ]


def _mixed_history():
    """300 customers simulated from the BG/NBD story itself (seeded), plus the edge cases of
    the test below: a first order on the as-of date, repeat spend made negative by credit
    notes, and a last order after the as-of date."""
    rng = np.random.default_rng(6)
    as_of = date(2025, 6, 30)
    rows = []
    for i in range(300):
        age = int(rng.integers(1, 600))  # days since the first order
        rate = rng.gamma(0.8, 1 / 30)  # order days per day while alive
        dropout = rng.beta(1.0, 4.0)
        days, t = {0}, 0.0
        while rng.random() >= dropout:  # alive after the last purchase: buy again
            t += rng.exponential(1 / rate)
            if t > age:
                break
            days.add(int(t))
        first = as_of - timedelta(days=age)
        spend = rng.gamma(4.0, 10.0) * (len(days) - 1)
        rows.append((f"c{i:03}", first, first + timedelta(days=max(days)), len(days), spend, as_of))
    rows += [
        ("new_today", as_of, as_of, 1, 0, as_of),  # T = 0
        ("credit_notes", date(2024, 5, 1), date(2024, 9, 1), 3, -40, as_of),  # repeat spend <= 0
        ("after_as_of", date(2025, 1, 1), date(2025, 8, 1), 2, 50, as_of),  # inconsistent: last order after as-of
    ]
    return rows


def test_edge_cases_in_a_mixed_history(paths):
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        _create_summary(con, _mixed_history())
    assert _materialize(paths).success
    (fit,) = _query(paths, "select * from marts.clv_model_fit")
    assert fit["bgnbd_converged"] and fit["gg_converged"]
    history = _mixed_history()
    repeaters = [r for r in history if r[3] > 1 and r[4] > 0 and r[0] != "after_as_of"]
    assert (fit["customers"], fit["customers_excluded"], fit["bgnbd_customers"], fit["gg_customers"]) == (
        len(history),
        1,
        len(history) - 1,
        len(repeaters),
    )
    rows = {r["customer_key"]: r for r in _query(paths, "select * from marts.customer_clv")}
    assert len(rows) == len(history)
    new = rows["new_today"]
    assert (new["x"], new["t_x"], new["t_cal"], new["p_alive"]) == (0, 0.0, 0.0, 1.0)
    assert 0 < new["expected_purchases_90d"] < new["expected_purchases_365d"] and new["clv_12m"] > 0
    population = fit["gg_p"] * fit["gg_gamma"] / (fit["gg_q"] - 1)
    assert rows["credit_notes"]["mean_repeat_spend"] == pytest.approx(-20.0)
    assert rows["credit_notes"]["expected_avg_order_value"] == pytest.approx(population)
    one_timer = next(r[0] for r in history if r[3] == 1 and r[0] != "new_today")
    assert rows[one_timer]["expected_avg_order_value"] == pytest.approx(population)
    bad = rows["after_as_of"]
    assert (bad["p_alive"], bad["expected_purchases_365d"], bad["clv_12m"]) == (None, None, None)
    for r in rows.values():
        if r["p_alive"] is not None:
            assert 0 < r["p_alive"] <= 1


def test_empty_summary_writes_an_empty_table_and_a_not_converged_fit(paths):
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        _create_summary(con, [])
    assert _materialize(paths).success
    assert _query(paths, "select count(*) as n from marts.customer_clv") == [{"n": 0}]
    (fit,) = _query(paths, "select customers, bgnbd_converged, gg_converged, as_of_date from marts.clv_model_fit")
    assert fit == {"customers": 0, "bgnbd_converged": False, "gg_converged": False, "as_of_date": None}


def test_settings_change_the_discount(cdnow):
    assert _materialize(cdnow, {"ops": {"customer_clv": {"config": {"discount_rate_annual": 0.0}}}}).success
    (row,) = _query(cdnow, "select * from marts.customer_clv where customer_key = '1'")
    # undiscounted, 12 months of purchases are exactly the 365-day expectation
    assert row["clv_12m"] == pytest.approx(row["expected_purchases_365d"] * row["expected_avg_order_value"], rel=1e-9)


def test_asset_keys_are_the_dbt_source_keys_and_build_after_the_summary():
    from dagster_project.definitions import defs
    from dagster_project.transform.assets import VectorCrmTranslator
    from dagster_project.transform.project import dbt_project

    manifest = json.loads(Path(dbt_project().manifest_path).read_text())
    sources = {s["name"]: s for s in manifest["sources"].values() if s["source_name"] == "clv"}
    assert set(sources) == {"customer_clv", "clv_model_fit"}
    assert VectorCrmTranslator().get_asset_key(sources["customer_clv"]) == CLV_KEY
    assert VectorCrmTranslator().get_asset_key(sources["clv_model_fit"]) == FIT_KEY
    # the summary's key is read from the manifest: the node of model customer_purchase_stats
    [summary] = [n for n in manifest["nodes"].values() if n["name"] == "customer_purchase_stats"]
    summary_key = VectorCrmTranslator().get_asset_key(summary)
    assert summary_key == dg.AssetKey(["marts", "customer_purchase_stats"])
    graph = defs.resolve_asset_graph()
    for key in (CLV_KEY, FIT_KEY):
        assert graph.get(key).parent_keys == {summary_key}
    assert summary_key in graph.get_all_asset_keys()  # the dbt model, not a stub


def test_source_yaml_documents_every_column_written(cdnow):
    assert _materialize(cdnow).success
    tables = {
        t["name"]: [c["name"] for c in t["columns"]]
        for t in yaml.safe_load(SOURCES_YAML.read_text())["sources"][0]["tables"]
    }
    for table, columns in tables.items():
        written = [
            r["column_name"]
            for r in _query(
                cdnow,
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            )
        ]
        assert columns == written, table


def test_the_consistency_check_passes_on_cdnow_and_catches_a_broken_prediction(cdnow):
    result = _materialize(cdnow)
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "predictions_consistent" and check.passed

    import pandas as pd

    from dagster_project.clv import model

    fit = {"bgnbd_converged": True, "gg_converged": True, "customers_excluded": 0}
    customers = pd.DataFrame(
        {
            "p_alive": [0.5, 1.0, None, 1.2],
            "expected_purchases_90d": [1.0, 0.5, None, 0.1],
            "expected_purchases_365d": [2.0, 0.4, None, 0.3],
            "expected_avg_order_value": [10.0, 10.0, 10.0, -1.0],
            "clv_12m": [5.0, 1.0, None, -0.1],
        }
    )
    found = model.inconsistencies(model.Scored(customers, fit, None, None))
    assert found == [
        "1 customers without P(alive)",
        "2 customers with P(alive) outside (0, 1] or not 0 <= E[90d] <= E[365d]",
        "1 customers with an expected order value <= 0",
        "1 customers with a negative CLV",
    ]
