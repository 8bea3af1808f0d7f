"""The quality gates on ordinary and bad days, with the project's real definitions, on a copy
of the S warehouse the session's pipeline built (seed 7).

Three runs, each landing what a real operation lands:

A. a 4-row correction file of old orders (3 good rows, 1 bad amount); an order-lines file with
   one 60,000,000 line; one with an order dated 2099-12-31; an order-lines file that cannot be
   read (a required column missing), in the same load; a web-events file with events 5 days
   in the future; a web-events file that is not UTF-8;
B. the next day's clean order-lines file;
C. a corrected re-send of the 60,000,000 order, and `make accept` of the web file.

Every run must succeed and publish; what an error rule rejected stays out of every mart until
it is replaced or accepted; the correction loads with a warning; the closing summary names
each file, rule, observed value and threshold, and the command that fixes it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import duckdb
import pytest

from dagster_project.run_summary import collect, render
from dagster_project.settings import DATA_DIR_ENV, REPO_ROOT, Paths
from tests.helpers import land, last_landing_day, read_rows, resources

pytestmark = [pytest.mark.integration, pytest.mark.long]

OL_HEADER = "order_id,order_line,order_date,customer_id,net_amount,quantity"
CORRECTION = "sales/order_lines/correction.csv"
BIG = "sales/order_lines/order_lines_big.csv"
BIG_FIXED = "sales/order_lines/order_lines_big_fixed.csv"
FUTURE_ORDER = "sales/order_lines/order_lines_future.csv"
BROKEN_OL = "sales/order_lines/order_lines_broken.csv"
WEB_FUTURE = "web/events/events_clock_skew.jsonl"
WEB_LATIN1 = "web/events/events_latin1.jsonl"


def run_job(data_dir, instance, **kwargs):
    """The full pipeline on a data directory, as `make run` runs it: (result, closing report)."""
    from dagster_project.definitions import defs

    old = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(data_dir)
    try:
        result = defs.resolve_job_def("full_pipeline").execute_in_process(
            instance=instance, raise_on_error=False, **kwargs
        )
    finally:
        if old is None:
            os.environ.pop(DATA_DIR_ENV)
        else:
            os.environ[DATA_DIR_ENV] = old
    return result, collect(result.all_events)


def query(db, sql, params=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def manifest_entry(paths, relative):
    [entry] = [r for r in read_rows(paths.manifest / relative.rsplit("/", 1)[0]) if r["source_file"] == relative]
    return entry


def snapshot(paths) -> dict[str, int]:
    """What the marts and the serving file hold of the files this module lands, after a run."""
    serving = paths.data_dir / "serving" / "warehouse.duckdb"
    counts = {}
    for name, where in (
        ("big", "order_id = 'BIG1'"),
        ("big_600", "order_id = 'BIG1' and net_amount = 600"),
        ("future", "order_id = 'FUT1'"),
        ("fix", "order_id like 'FIX%'"),
        ("next", "order_id = 'NEXT1'"),
    ):
        counts[name] = query(paths.warehouse, f"select count(*) from marts.fct_order_lines where {where}")[0][0]
        counts["served_" + name] = query(serving, f"select count(*) from marts.fct_order_lines where {where}")[0][0]
    counts["skew_events"] = query(
        paths.warehouse, "select count(*) from staging.stg_web__events where event_id like 'SKEW%'"
    )[0][0]
    return counts


def issues(report, level, where):
    return [i for i in report.issues if i["level"] == level and i.get("where") == where]


@pytest.fixture(scope="module")
def gates(pipeline, tmp_path_factory):
    built = pipeline[0]
    paths = Paths(tmp_path_factory.mktemp("gates") / "data")
    shutil.copytree(built.data_dir, paths.data_dir, ignore=shutil.ignore_patterns("dagster_home", "dbt_target"))
    last = date.fromisoformat(last_landing_day(paths))
    first_file = sorted((paths.landing / "sales" / "order_lines").glob("*.csv"))[0]
    old_lines = first_file.read_text(encoding="utf-8").splitlines()
    header = old_lines[0].split(",")
    col = {name: header.index(name) for name in ("order_id", "order_line", "order_date", "customer_id", "net_amount")}
    good = [line.split(",") for line in old_lines[1:4]]
    correction = [OL_HEADER] + [
        f"FIX{i},1,{r[col['order_date']]},{r[col['customer_id']]},{r[col['net_amount']]},1" for i, r in enumerate(good)
    ]
    correction.append(f'FIX9,1,{good[0][col["order_date"]]},{good[0][col["customer_id"]]},"12,50",1')
    soon = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%S")
    land(
        paths.data_dir,
        {
            CORRECTION: "\n".join(correction) + "\n",
            BIG: f"{OL_HEADER}\nBIG1,1,{last},C0000001,60000000.00,1\nBIG1,2,{last},C0000001,25.00,1\n",
            FUTURE_ORDER: f"{OL_HEADER}\nFUT1,1,2099-12-31,C0000001,10.00,1\n",
            BROKEN_OL: "order_id,order_date,customer_id\nBRK1,2024-01-01,C0000001\n",
            WEB_FUTURE: "".join(
                json.dumps(
                    {"event_id": f"SKEW{i}", "event_at": soon, "anonymous_id": "anon-skew", "event_type": "page_view"}
                )
                + "\n"
                for i in range(2)
            ),
        },
    )
    (paths.landing / WEB_LATIN1).write_bytes(
        b'{"event_id": "L1", "event_at": "2024-01-01 10:00:00", "anonymous_id": "Jos\xe9", "event_type": "page_view"}\n'
    )
    out = {"paths": paths, "last": last, "first_day": good[0][col["order_date"]], "correction": good}
    with dg.DagsterInstance.ephemeral() as instance:
        out["A"] = run_job(paths.data_dir, instance)
        out["after"] = {"A": snapshot(paths)}
        land(
            paths.data_dir,
            {
                f"sales/order_lines/order_lines_{last + timedelta(days=1)}.csv": f"{OL_HEADER}\nNEXT1,1,{last + timedelta(days=1)},C0000002,40.00,2\n"
            },
        )
        out["B"] = run_job(paths.data_dir, instance)
        out["after"]["B"] = snapshot(paths)
        land(
            paths.data_dir,
            {BIG_FIXED: f"{OL_HEADER}\nBIG1,1,{last},C0000001,600.00,1\nBIG1,2,{last},C0000001,25.00,1\n"},
        )
        env = os.environ | {DATA_DIR_ENV: str(paths.data_dir)}
        accepted = subprocess.run(
            [
                sys.executable,
                "-m",
                "dagster_project.quality.accept",
                "--suite",
                "raw.web.events",
                "--file",
                "events_clock_skew.jsonl",
                "--reason",
                "the web server's clock ran 5 days ahead",
                "--by",
                "tester",
            ],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        out["accept"] = accepted
        out["C"] = run_job(paths.data_dir, instance)
        out["after"]["C"] = snapshot(paths)
    return out


def order_lines(db, where):
    return query(db, f"select order_id, order_line, net_amount from marts.fct_order_lines where {where} order by 1, 2")


def test_every_run_succeeds_and_publishes(gates):
    for run in "ABC":
        result, report = gates[run]
        assert result.success and not report.failed_steps, run
        [mat] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["serving", "warehouse"]]
        assert mat.materialization.metadata["marts_held"].value == [], run


def test_a_small_correction_loads_with_a_warning(gates):
    paths, (_, report) = gates["paths"], gates["A"]
    entry = manifest_entry(paths, CORRECTION)
    assert (entry["status"], entry["rows_read"], entry["rows_raw"], entry["rows_quarantined"]) == ("loaded", 4, 3, 1)
    [bad] = read_rows(
        paths.quarantine / "sales" / "order_lines",
        "_rule, _column",
        "_source_file = 'sales/order_lines/correction.csv'",
    )
    assert (bad["_rule"], bad["_column"]) == ("type_decimal", "net_amount")
    # the 3 good rows are in the marts, and in the serving file
    expected = [(f"FIX{i}", 1) for i in range(3)]
    for db in (paths.warehouse, paths.data_dir / "serving" / "warehouse.duckdb"):
        assert [r[:2] for r in order_lines(db, "order_id like 'FIX%'")] == expected
    assert (gates["after"]["A"]["fix"], gates["after"]["A"]["served_fix"]) == (3, 3)
    # a 4-row file is too small to judge its volume; its age is an anomaly: a warning, named
    [late] = list(issues(report, "warning", CORRECTION))
    behind = (gates["last"] - date.fromisoformat(gates["first_day"])).days
    assert late["expectation"] == "column_values_to_be_between:days_behind__order_date"
    assert (late["observed"], late["threshold"]) == (str(behind), "<= 400")
    assert not [i for i in report.issues if i["where"] == CORRECTION and i["level"] != "warning"]


def test_a_rejected_batch_stays_out_of_every_mart_until_it_is_replaced(gates):
    paths = gates["paths"]
    serving = paths.data_dir / "serving" / "warehouse.duckdb"
    for run in "AB":
        _, report = gates[run]
        level = "held" if run == "A" else "still_held"
        [held] = list(issues(report, level, BIG))
        assert held["suite"] == "raw.sales.order_lines" and "net" in held["rule"]
        if run == "A":
            assert (held["observed"], held["threshold"]) == ("60000000", "<= 1000000")
            assert held["expectation"] == "column_values_to_be_between:max__net_amount"
            assert "make accept SUITE=raw.sales.order_lines FILE=" + BIG in held["fix"]
    # both lines of the held file are in raw; after A and after B (a clean file loaded and the
    # run succeeded) in no mart and not in the serving file; after C, the corrected re-send
    assert len(read_rows(paths.raw / "sales" / "order_lines", "_batch_id", f"_source_file = '{BIG}'")) == 2
    after = gates["after"]
    assert (after["A"]["big"], after["A"]["served_big"]) == (0, 0)
    assert (after["B"]["big"], after["B"]["served_big"], after["B"]["next"], after["B"]["served_next"]) == (0, 0, 1, 1)
    assert (after["C"]["big"], after["C"]["big_600"], after["C"]["served_big_600"]) == (2, 1, 1)
    assert order_lines(serving, "order_id = 'BIG1'") == [("BIG1", 1, 600), ("BIG1", 2, 25)]
    verdicts = dict(
        query(
            paths.warehouse,
            "select source_file, verdict from quality.batch_verdicts "
            "qualify row_number() over (partition by batch_id order by judged_at desc) = 1",
        )
    )
    assert (verdicts[BIG], verdicts[BIG_FIXED]) == ("superseded", "admitted")
    assert not issues(gates["C"][1], "still_held", BIG)
    assert "REPLACED    raw/sales/order_lines  " + BIG in render(gates["C"][1], 1, "log")


def test_one_future_order_does_not_block_the_next_days(gates):
    _, a = gates["A"]
    [future] = issues(a, "held", FUTURE_ORDER)
    assert future["expectation"] == "column_values_to_be_between:days_after_load__order_date"
    # B's clean file is judged against admitted data only: no lateness, no volume failure
    _, b = gates["B"]
    next_day = f"sales/order_lines/order_lines_{gates['last'] + timedelta(days=1)}.csv"
    assert not [i for i in b.issues if i.get("where") == next_day]
    assert [gates["after"][run]["future"] + gates["after"][run]["served_future"] for run in "ABC"] == [0, 0, 0]
    assert issues(gates["C"][1], "still_held", FUTURE_ORDER)  # still waiting, named in every run


def test_an_unreadable_file_is_rejected_alone_and_its_load_is_still_judged(gates):
    paths, (result, report) = gates["paths"], gates["A"]
    for relative, reason in (
        (BROKEN_OL, "required column(s) missing from header: net_amount"),
        (WEB_LATIN1, "not UTF-8"),
    ):
        entry = manifest_entry(paths, relative)
        assert entry["status"] == "rejected" and reason in entry["problem"]
        [rejected] = issues(report, "rejected", relative)
        assert reason in rejected["rule"]
        assert (paths.landing / relative).exists()  # left where it landed
    # BIG and FUTURE came in the same load as the broken file: judged (and held) all the same
    assert issues(report, "held", BIG) and issues(report, "held", FUTURE_ORDER)
    # every feed loaded and the dbt step built everything
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"staging/stg_web__events", "marts/fct_web_sessions", "marts/fct_orders", "serving/warehouse"} <= built
    # next run: not read again, named as waiting
    _, b = gates["B"]
    assert [i["level"] for i in b.issues if i.get("where") == WEB_LATIN1] == ["still_rejected"]


def test_a_web_error_holds_that_file_only_and_sales_marts_publish(gates):
    paths, (result, report) = gates["paths"], gates["A"]
    [held] = issues(report, "held", WEB_FUTURE)
    assert held["expectation"] == "column_values_to_be_between:days_after_load__event_at"
    assert (gates["after"]["A"]["skew_events"], gates["after"]["B"]["skew_events"]) == (0, 0)
    # every mart was published by this run: sales, web and the rest
    run_id = result.run_id
    serving = paths.data_dir / "serving" / "warehouse.duckdb"
    log = dict(query(serving, "select mart, status from publish_log where run_id = ?", [run_id]))
    assert log and set(log.values()) == {"published"}
    assert {"fct_orders", "fct_order_lines", "fct_web_sessions", "segment_summary"} <= set(log)
    # the closing summary names the file, the rule, what was seen and the fix
    text = render(report, 60, "last_run.log")
    assert text.startswith("vector-crm pipeline finished in 60 s: ")
    for piece in (
        f"HELD BACK   raw/web/events  {WEB_FUTURE}",
        "no event_at in the future",
        f"make accept SUITE=raw.web.events FILE={WEB_FUTURE}",
        f"REJECTED    raw/web/events  {WEB_LATIN1}",
        f"WARNING     raw/sales/order_lines  {CORRECTION}",
    ):
        assert piece in text, piece
    # BI users see what is held back and why in the serving file: as of the last run (C), the
    # 2099 order and the two unreadable files (the big order was replaced, the web file accepted)
    status = query(serving, "select item, location from quality_status where item in ('held_batch', 'rejected_file')")
    assert sorted(status) == [("held_batch", FUTURE_ORDER), ("rejected_file", BROKEN_OL), ("rejected_file", WEB_LATIN1)]


def test_an_acceptance_admits_the_file_and_is_recorded(gates):
    paths = gates["paths"]
    accepted = gates["accept"]
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "the batch is admitted" in accepted.stdout
    assert gates["after"]["C"]["skew_events"] == 2
    history = query(
        paths.warehouse,
        "select suite, status, accepted_by, accept_reason from quality.validation_results where status = 'accepted'",
    )
    assert ("raw.web.events", "accepted", "tester", "the web server's clock ran 5 days ahead") in history
    serving = paths.data_dir / "serving" / "warehouse.duckdb"
    assert query(serving, "select suite, source_file, accepted_by from quality_acceptances") == [
        ("raw.web.events", WEB_FUTURE, "tester")
    ]
    # an acceptance covers that failure only: the other held files still wait
    _, c = gates["C"]
    assert issues(c, "still_held", FUTURE_ORDER) and not issues(c, "still_held", WEB_FUTURE)


def test_a_mart_error_found_through_its_qc_view_holds_that_mart_and_those_built_from_it(gates):
    """After the three runs: one buyer of customer_purchase_stats with a wrong repeat flag. Its
    suite reads the mart through the view quality.qc_customer_purchase_stats, fails, and the
    publish step keeps the served version of that mart and of the marts built from it; the
    others are published."""
    from dagster_project.definitions import mart_assets, serving_warehouse, upstream_marts

    paths = gates["paths"]
    serving = paths.data_dir / "serving" / "warehouse.duckdb"
    wrong = "select count(*) from marts.customer_purchase_stats where is_repeat_customer <> (order_days >= 2)"
    assert query(serving, wrong) == [(0,)]
    with duckdb.connect(str(paths.warehouse)) as con:
        [(key,)] = con.execute("select min(customer_key) from marts.customer_purchase_stats").fetchall()
        con.execute(
            "update marts.customer_purchase_stats set is_repeat_customer = not is_repeat_customer "
            "where customer_key = ?",
            [key],
        )
    with dg.DagsterInstance.ephemeral() as instance:
        # the publish step with its checks (they are on the marts, so they are selected by key)
        checks = dg.AssetSelection.checks(*serving_warehouse.check_keys)
        selection = dg.AssetSelection.assets(*serving_warehouse.keys) | checks
        result = dg.materialize(
            [serving_warehouse],
            instance=instance,
            raise_on_error=False,
            selection=selection,
            resources=resources(paths),
        )
    assert result.success
    [failed] = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        and e.event_specific_data.severity == dg.AssetCheckSeverity.ERROR
        and not e.event_specific_data.passed
    ]
    assert failed.asset_key == dg.AssetKey(["marts", "customer_purchase_stats"])  # the mart's check, not the view's
    log = dict(query(serving, "select mart, status from publish_log where run_id = ?", [result.run_id]))
    built_from = {m for m, ups in upstream_marts(mart_assets).items() if "customer_purchase_stats" in ups}
    assert built_from and {m for m, s in log.items() if s == "held"} == {"customer_purchase_stats"} | built_from
    assert log["fct_orders"] == "published"
    assert query(serving, wrong) == [(0,)]  # the snapshot still serves the last good version
