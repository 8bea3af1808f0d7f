"""The GX suites as Dagster asset checks: a raw error holds back its batch and nothing else,
warnings never block, results are kept with history, and mart suites catch what dbt's row
tests do not."""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from dagster_project.contracts import ALL_FEEDS, get_feed
from dagster_project.ingest import verdicts
from dagster_project.ingest.assets import build_ingest_asset
from dagster_project.quality import store
from dagster_project.quality.checks import raw_check, raw_check_spec
from dagster_project.quality.runner import run_suite
from dagster_project.quality.suites import EXPECTATIONS_DIR, load_suite, raw_suite_path
from dagster_project.quality.validate import data_docs_index
from tests.helpers import dbt_build, resources

OL = get_feed("sales", "order_lines")
H = "order_id,order_date,customer_id,net_amount\n"


def _land(paths, name: str, text: str) -> None:
    target = paths.landing / "sales" / "order_lines" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _pipeline(paths):
    """The raw asset with its gate, and a stand-in for dbt downstream of it."""

    @dg.asset(deps=[dg.AssetKey(["raw", "sales", "order_lines"])])
    def downstream() -> None:
        built = paths.data_dir / "built.txt"
        built.write_text((built.read_text() if built.exists() else "") + "x")

    return [build_ingest_asset(OL, gate=raw_check, gate_spec=raw_check_spec(OL)), downstream]


def _evaluation(result):
    [e] = [
        e.event_specific_data for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    return e


def _verdict_of(paths, name: str) -> str:
    [v] = [v["verdict"] for v in verdicts.latest(paths, OL).values() if v["source_file"].endswith(name)]
    return v


def test_an_error_holds_back_its_batch_and_nothing_downstream_waits(paths):
    _land(paths, "day1.csv", H + "O1,2024-01-01,C1,10\nO2,2024-01-01,C1,20\n")
    first = dg.materialize(_pipeline(paths), resources=resources(paths), raise_on_error=False)
    assert first.success and _evaluation(first).passed
    assert _verdict_of(paths, "day1.csv") == "admitted"

    _land(paths, "day2.csv", H + "O3,2024-01-02,C1,10\nO4,2024-01-02,C1,99999999\n")  # an absurd amount
    _land(paths, "day2b.csv", H + "O5,2024-01-02,C1,12\n")  # a clean file of the same load
    second = dg.materialize(_pipeline(paths), resources=resources(paths), raise_on_error=False)
    assert second.success  # nothing failed: one batch is held back
    assert (paths.data_dir / "built.txt").read_text() == "xx"  # downstream ran again
    assert (_verdict_of(paths, "day2.csv"), _verdict_of(paths, "day2b.csv")) == ("held", "admitted")
    evaluation = _evaluation(second)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "sales/order_lines/day2.csv" in evaluation.description and "1,000,000" in evaluation.description
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    [held] = [i for i in metadata["issues"] if i["level"] == "held"]
    assert (held["where"], held["observed"], held["threshold"]) == (
        "sales/order_lines/day2.csv",
        "99999999",
        "<= 1000000",
    )
    assert "make accept SUITE=raw.sales.order_lines FILE=sales/order_lines/day2.csv" in held["fix"]
    [sample] = metadata["sample_failing_rows"]
    assert sample["column"] == "max__net_amount"
    assert [(r["_source_row"], float(r["net_amount"])) for r in sample["raw_rows"]] == [(3, 99999999.0), (2, 10.0)]
    assert metadata["data_docs"] == data_docs_index(paths).as_uri() and data_docs_index(paths).exists()

    third = dg.materialize(
        _pipeline(paths), resources=resources(paths), raise_on_error=False
    )  # nothing new: the hold waits, as a warning
    evaluation = _evaluation(third)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert [i["level"] for i in evaluation.metadata["issues"].value] == ["still_held"]

    expectations = len(json.loads(raw_suite_path(OL).read_text())["expectations"])
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    store.sync_warehouse(paths)
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        runs = con.execute(
            "select run_id, count(*), count(*) filter (where status = 'error') from quality.validation_results "
            "group by run_id order by min(run_at), run_id"
        ).fetchall()
        failed = con.execute(
            "select suite, expectation_key, severity, held_batches from quality.validation_results "
            "where status = 'error' order by 2"
        ).fetchall()
        held_now = con.execute("select source_file from quality.batch_verdicts where verdict = 'held'").fetchall()
    assert [(n, bad) for _, n, bad in runs] == [(expectations, 0), (expectations, 1)]  # the third judged nothing
    assert [r[0] for r in runs] == [first.run_id, second.run_id]
    [(suite, key, sev, held_batches)] = failed
    assert (suite, key, sev) == ("raw.sales.order_lines", "column_values_to_be_between:max__net_amount", "error")
    assert [b["source_file"] for b in json.loads(held_batches)] == ["sales/order_lines/day2.csv"]
    assert held_now == [("sales/order_lines/day2.csv",)]


def test_a_warning_is_recorded_and_blocks_nothing(paths):
    for d in range(1, 8):  # a week of 1,000 lines a day
        _land(
            paths, f"order_lines_2024-01-0{d}.csv", H + "".join(f"O{d}-{i},2024-01-0{d},C1,10\n" for i in range(1000))
        )
    assert _evaluation(dg.materialize(_pipeline(paths), resources=resources(paths), raise_on_error=False)).passed
    _land(paths, "order_lines_2024-01-08.csv", H + "".join(f"O8-{i},2024-01-08,C1,10\n" for i in range(59)))
    _land(paths, "order_lines_2024-01-08b.csv", H + "O8-x,2024-01-08,C1,10\n")  # 60 that day in all
    result = dg.materialize(_pipeline(paths), resources=resources(paths), raise_on_error=False)
    evaluation = _evaluation(result)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    [warning] = [i for i in evaluation.metadata["issues"].value if i["level"] == "warning"]
    assert warning["expectation"] == "column_values_to_be_between:rows_vs_recent"
    assert warning["observed"] == "0.06"  # 60 lines against a median of 1,000
    assert warning["where"].startswith("landing day 2024-01-08")
    assert {_verdict_of(paths, "order_lines_2024-01-08.csv"), _verdict_of(paths, "order_lines_2024-01-08b.csv")} == {
        "admitted"
    }


def test_every_raw_feed_has_a_gx_check_in_the_definitions_and_none_is_dagster_blocking():
    from dagster_project.definitions import defs

    specs = {(k.asset_key, k.name) for k in defs.resolve_asset_graph().asset_check_keys if k.asset_key.path[0] == "raw"}
    assert specs == {(dg.AssetKey(["raw", f.source, f.name]), f"gx_raw_{f.source}_{f.name}") for f in ALL_FEEDS}
    # A Dagster blocking check skips everything downstream of its asset: every dbt model is
    # downstream of every feed (identity resolution joins them), so none may be one.
    assert not any(s.blocking for a in defs.assets for s in getattr(a, "check_specs", []) if s.name.startswith("gx_"))


def _warehouse(paths, *statements: str) -> None:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema if not exists marts")
        for s in statements:
            con.execute(s)


def test_a_segment_code_of_other_than_five_letters_is_an_error(paths):
    _warehouse(
        paths,
        "create table marts.customer_segments as select * from (values "
        "('K1', 'PB35A'), ('K2', 'PB35A'), ('K3', 'EB11'), ('K4', 'EB11D')) t(customer_key, segment_code)",
    )
    dbt_build(paths.data_dir, ["qc_customer_segments"])  # the suite's frame: a dbt view over the mart
    outcome = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "customer_segments.json"), "t1")
    assert [(r["column_name"], json.loads(r["unexpected_values"])) for r in outcome.errors] == [
        ("segment_code", ["EB11"])
    ]
    assert not outcome.passed


def test_a_dominant_segment_is_a_warning_not_an_error(paths):
    """A history without customer attributes puts most customers in one segment (76 % on a real
    transaction log): unusual, not wrong."""
    rows = ", ".join([f"('K{i}', 'PXX3A')" for i in range(76)] + [f"('J{i}', 'PXX2A')" for i in range(24)])
    _warehouse(
        paths, f"create table marts.customer_segments as select * from (values {rows}) t(customer_key, segment_code)"
    )
    dbt_build(paths.data_dir, ["qc_customer_segments"])
    outcome = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "customer_segments.json"), "t1")
    assert outcome.passed and not outcome.errors
    [w] = outcome.warnings
    assert (w["expectation_key"], w["observed_value"], w["threshold"]) == (
        "column_max_to_be_between:share",
        "0.76",
        "<= 0.5",
    )


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
        *(
            f"alter table marts.clv_model_fit add column {p} double default 1.5"
            for p in ("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "gg_p", "gg_q", "gg_gamma")
        ),
    )
    clv = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "customer_clv.json"), "t1")
    assert {(r["column_name"], r["status"], json.loads(r["unexpected_values"])[0]) for r in clv.failed} == {
        ("buyers_without_prediction", "error", 1),
        ("predictions_without_buyer", "error", 1),
        ("out_of_range", "error", 1),
    }
    fit = run_suite(paths, load_suite(EXPECTATIONS_DIR / "marts" / "clv_model_fit.json"), "t1")
    # Gamma-Gamma's independence assumption broken: a warning about the model, not a wrong table
    assert [(r["column_name"], r["status"], json.loads(r["unexpected_values"])) for r in fit.failed] == [
        ("abs_frequency_spend_correlation", "warning", [0.7])
    ]
    assert fit.passed


def test_revenue_is_compared_with_the_previous_run_that_had_no_error(paths):
    suite = load_suite(EXPECTATIONS_DIR / "marts" / "fct_orders.json")
    orders = "create or replace table marts.fct_orders as select * from (values {}) t(customer_key, net_revenue, gross_margin, is_paid)"
    _warehouse(paths, orders.format("('K1', 600.0, 100.0, true), ('K2', 400.0, 50.0, false)"))
    dbt_build(paths.data_dir, ["qc_fct_orders"])  # a view: it reads each version of the table below
    first = run_suite(paths, suite, "r1")
    assert first.passed and not first.warnings  # nothing to compare with yet
    assert [r["status"] for r in first.results if r["column_name"] == "revenue_vs_previous"] == ["not_judged"]
    _warehouse(paths, orders.format("('K1', 300.0, 100.0, true), ('K2', 200.0, 50.0, false)"))
    second = run_suite(paths, suite, "r2")
    assert [(r["column_name"], json.loads(r["unexpected_values"])) for r in second.warnings] == [
        ("revenue_vs_previous", [0.5])
    ]
    assert second.passed  # a warning: the halved revenue was published, it is the new normal
    third = run_suite(paths, suite, "r3")  # so the next run compares with r2's 500
    assert not third.warnings
    _warehouse(paths, orders.format("('K1', 300.0, 100.0, true), ('K2', 200.0, 50.0, true), ('K2', 10.0, 50.0, null)"))
    fourth = run_suite(paths, suite, "r4")  # paid share has a null: fine; margin rate > 1 is only unusual
    assert fourth.passed


def test_the_warehouse_mirror_appends_each_result_file_once(paths):
    folder = store.results_dir(paths) / "marts.x"
    folder.mkdir(parents=True)
    paths.data_dir.mkdir(parents=True, exist_ok=True)

    def result(name: str, run_at: str, success: bool, extra: str = "") -> None:
        with duckdb.connect() as con:
            con.execute(
                f"copy (select 'marts.x' as suite, timestamp '{run_at}' as run_at, {success} as success{extra}) "
                f"to '{folder / name}' (format parquet)"
            )

    result("a.parquet", "2024-01-01 10:00:00", True)
    assert store.sync_warehouse(paths) == 1
    assert store.sync_warehouse(paths) == 1  # nothing new: nothing added
    result("b.parquet", "2024-01-02 10:00:00", False, ", 'day2.csv' as raw_rows")  # a column the table lacks
    assert store.sync_warehouse(paths) == 2
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        rows = con.execute("select success, raw_rows from quality.validation_results order by run_at").fetchall()
        latest = con.execute("select success from quality.latest_results").fetchall()
    assert rows == [(True, None), (False, "day2.csv")] and latest == [(False,)]
