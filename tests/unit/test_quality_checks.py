"""The GX suites as Dagster asset checks: a failing raw check blocks what is downstream,
results are kept with history, and mart suites catch what dbt's row tests do not."""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from dagster_project.contracts import ALL_FEEDS, get_feed
from dagster_project.ingest.assets import build_ingest_asset
from dagster_project.quality.checks import build_check
from dagster_project.quality.runner import run_suite
from dagster_project.quality.suites import EXPECTATIONS_DIR, load_suite, raw_suite_path
from dagster_project.quality.validate import data_docs_index

OL = get_feed("sales", "order_lines")
H = "order_id,order_date,customer_id,net_amount\n"


def _land(paths, name: str, text: str) -> None:
    target = paths.landing / "sales" / "order_lines" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _pipeline(paths):
    """The raw asset, its GX check, and a stand-in for dbt downstream of it."""
    @dg.asset(deps=[dg.AssetKey(["raw", "sales", "order_lines"])])
    def downstream() -> None:
        (paths.data_dir / "built.txt").write_text((paths.data_dir / "built.txt").read_text() + "x"
                                                  if (paths.data_dir / "built.txt").exists() else "x")

    return [build_ingest_asset(OL), build_check(load_suite(raw_suite_path(OL))), downstream]


def _check_evaluations(result) -> list:
    return [e.event_specific_data for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]


def test_a_failing_raw_check_blocks_downstream_and_keeps_history(paths):
    _land(paths, "day1.csv", H + "O1,2024-01-01,C1,10\nO2,2024-01-01,C1,20\n")
    first = dg.materialize(_pipeline(paths), raise_on_error=False)
    assert first.success
    assert (paths.data_dir / "built.txt").read_text() == "x"

    _land(paths, "day2.csv", H + "O3,2024-01-02,C1,10\nO4,2024-01-02,C1,99999999\n")  # an absurd amount
    second = dg.materialize(_pipeline(paths), raise_on_error=False)
    assert not second.success
    assert (paths.data_dir / "built.txt").read_text() == "x"  # downstream did not run again
    [evaluation] = _check_evaluations(second)
    assert not evaluation.passed
    assert "sales/order_lines/day2.csv" in evaluation.description and "max__net_amount" in evaluation.description
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    [sample] = metadata["sample_failing_rows"]
    assert sample["column"] == "max__net_amount"
    assert [r["source_file"] for r in sample["failing_rows"]] == ["sales/order_lines/day2.csv"]
    assert [(r["_source_row"], float(r["net_amount"])) for r in sample["raw_rows"]] == [(3, 99999999.0), (2, 10.0)]
    assert metadata["data_docs"] == data_docs_index(paths).as_uri() and data_docs_index(paths).exists()

    expectations = len(json.loads(raw_suite_path(OL).read_text())["expectations"])
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        runs = con.execute(
            "select run_id, count(*), count(*) filter (where not success) from quality.validation_results "
            "group by run_id order by min(run_at), run_id").fetchall()
        failed = con.execute(
            "select suite, expectation, column_name, observed_value from quality.validation_results where not success").fetchall()
    assert [(n, bad) for _, n, bad in runs] == [(expectations, 0), (expectations, 1)]
    assert [r[0] for r in runs] == [first.run_id, second.run_id]
    assert failed == [("raw.sales.order_lines", "expect_column_values_to_be_between", "max__net_amount", "1 of 1 unexpected")]


def test_every_raw_feed_has_a_blocking_gx_check_in_the_definitions():
    from dagster_project.definitions import quality_asset_checks

    specs = {(s.asset_key, s.blocking) for c in quality_asset_checks for s in c.check_specs if s.asset_key.path[0] == "raw"}
    assert specs == {(dg.AssetKey(["raw", f.source, f.name]), True) for f in ALL_FEEDS}


def _warehouse(paths, *statements: str) -> None:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema if not exists marts")
        for s in statements:
            con.execute(s)


def test_no_customer_in_two_segments(paths):
    _warehouse(paths, "create table marts.customer_segments as select * from (values "
               "('K1', 'PB35A'), ('K2', 'PB35A'), ('K2', 'EB11D'), ('K3', 'EB11D')) t(customer_key, segment_code)")
    outcome = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "customer_segments.json"), "t1")
    assert {r["column_name"] for r in outcome.failed} == {"customers_in_two_segments"}
    [r] = outcome.failed
    assert r["observed_value"] == "2 of 2 unexpected"  # one row per segment, each saying 1


def test_clv_suites_catch_gaps_out_of_range_predictions_and_a_biased_latest_fit(paths):
    _warehouse(
        paths,
        "create table marts.customer_purchase_stats as select * from (values "
        "('K1', date '2025-12-31'), ('K2', date '2025-12-31'), ('K3', date '2025-12-31')) t(customer_key, as_of_date)",
        # K3 has no prediction, K9 is no buyer, K2's P(alive) is above 1
        "create table marts.customer_clv as select * from (values "
        "('K1', date '2025-12-31', 0.5, 0.2, 0.9, 40.0, 30.0, 'R1'), "
        "('K2', date '2025-12-31', 1.2, 0.1, 0.5, 55.0, 20.0, 'R1'), "
        "('K9', date '2025-12-31', 0.6, 0.3, 1.1, 35.0, 25.0, 'R1')) "
        "t(customer_key, as_of_date, p_alive, expected_purchases_90d, expected_purchases_365d, "
        "expected_avg_order_value, clv_12m, run_id)",
        # the older fit did not converge; only the latest counts, and its frequency and spend correlate
        "create table marts.clv_model_fit as select * from (values "
        "('R0', timestamp '2025-12-30 05:00', false, false, 0.1),"
        "('R1', timestamp '2025-12-31 05:00', true, true, -0.7)) "
        "t(run_id, fitted_at, bgnbd_converged, gg_converged, frequency_spend_correlation)",
        "alter table marts.clv_model_fit add column customers bigint default 3",
        "alter table marts.clv_model_fit add column customers_excluded bigint default 0",
        "alter table marts.clv_model_fit add column gg_customers bigint default 2",
        *(f"alter table marts.clv_model_fit add column {p} double default 1.5"
          for p in ("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "gg_p", "gg_q", "gg_gamma")),
    )
    clv = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "customer_clv.json"), "t1")
    assert {(r["column_name"], json.loads(r["unexpected_values"])[0]) for r in clv.failed} == {
        ("buyers_without_prediction", 1), ("predictions_without_buyer", 1), ("out_of_range", 1)}
    fit = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "clv_model_fit.json"), "t1")
    assert [(r["column_name"], json.loads(r["unexpected_values"])) for r in fit.failed] == [
        ("abs_frequency_spend_correlation", [0.7])]


def test_revenue_is_compared_with_the_previous_successful_run(paths):
    suite = load_suite(EXPECTATIONS_DIR / "marts" / "fct_orders.json")
    orders = "create or replace table marts.fct_orders as select * from (values {}) t(customer_key, net_revenue, gross_margin, is_paid)"
    _warehouse(paths, orders.format("('K1', 600.0, 100.0, true), ('K2', 400.0, 50.0, false)"))
    assert run_suite(paths, suite, "r1").success  # nothing to compare with yet
    _warehouse(paths, orders.format("('K1', 300.0, 100.0, true), ('K2', 200.0, 50.0, false)"))
    second = run_suite(paths, suite, "r2")
    assert [(r["column_name"], json.loads(r["unexpected_values"])) for r in second.failed] == [("revenue_vs_previous", [0.5])]
    third = run_suite(paths, suite, "r3")  # still compared with r1, the last run that passed
    assert [json.loads(r["unexpected_values"]) for r in third.failed] == [[0.5]]


def test_the_warehouse_mirror_appends_each_result_file_once(paths):
    from dagster_project.quality import store

    folder = store.results_dir(paths) / "marts.x"
    folder.mkdir(parents=True)
    paths.data_dir.mkdir(parents=True, exist_ok=True)

    def result(name: str, run_at: str, success: bool, extra: str = "") -> None:
        with duckdb.connect() as con:
            con.execute(f"copy (select 'marts.x' as suite, timestamp '{run_at}' as run_at, {success} as success{extra}) "
                        f"to '{folder / name}' (format parquet)")

    result("a.parquet", "2024-01-01 10:00:00", True)
    assert store.sync_warehouse(paths) == 1
    assert store.sync_warehouse(paths) == 1  # nothing new: nothing added
    result("b.parquet", "2024-01-02 10:00:00", False, ", 'day2.csv' as raw_rows")  # a column the table lacks
    assert store.sync_warehouse(paths) == 2
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rows = con.execute("select success, raw_rows from quality.validation_results order by run_at").fetchall()
        latest = con.execute("select success from quality.latest_results").fetchall()
    assert rows == [(True, None), (False, "day2.csv")] and latest == [(False,)]
