"""The suites in expectations/: raw ones agree with the landing contracts, every file is
a valid GX suite, and a new mart suite is one JSON file."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import great_expectations as gx
import pytest

from dagster_project.contracts import ALL_FEEDS, get_feed
from dagster_project.quality import thresholds
from dagster_project.quality.suites import (
    EXPECTATIONS_DIR,
    expectation_key,
    gx_expectations,
    load_suite,
    load_suites,
    main,
    raw_suite_path,
    severity,
)


def _contract_part(feed) -> set[tuple]:
    spec = json.loads(raw_suite_path(feed).read_text())
    return {
        (
            e["type"],
            e["kwargs"]["column"],
            json.dumps({k: v for k, v in e["kwargs"].items() if k != "column"}, sort_keys=True),
        )
        for e in spec["expectations"]
        if e["meta"]["origin"] == "contract"
    }


def test_order_lines_suite_states_the_contract_written_out_by_hand():
    between = "expect_column_values_to_be_between"
    nothing_empty = json.dumps({"max_value": 0, "min_value": 0}, sort_keys=True)
    expected = {
        (between, f"null_rate__{c}", nothing_empty)
        for c in ("order_id", "order_date", "customer_id", "net_amount", "quantity", "discount", "status")
    }
    expected |= {
        (
            "expect_column_values_to_be_in_set",
            "channel",
            json.dumps({"value_set": ["store", "web", "phone", "field_sales", "marketplace", "other"]}),
        ),
        (
            "expect_column_values_to_be_in_set",
            "status",
            json.dumps({"value_set": ["completed", "cancelled", "returned"]}),
        ),
    }
    for col, low in (
        ("order_line", 1),
        ("order_date", "1990-01-01"),
        ("quantity", 0),
        ("unit_price", 0),
        ("discount", 0),
        ("unit_cost", 0),
        ("payment_due_date", "1990-01-01"),
        ("paid_date", "1990-01-01"),
    ):
        expected.add((between, f"min__{col}", json.dumps({"min_value": low})))
    for col in ("order_date", "payment_due_date", "paid_date"):
        expected.add((between, f"max__{col}", json.dumps({"max_value": "2100-01-01"})))
    [order_lines] = [f for f in ALL_FEEDS if f.key == "sales/order_lines"]
    assert _contract_part(order_lines) == expected


def test_every_raw_suite_states_each_contract_rule_once():
    for feed in ALL_FEEDS:
        part = _contract_part(feed)
        rules = sum(
            bool(c.required or c.default is not None) + bool(c.allowed) + (c.min is not None) + (c.max is not None)
            for c in feed.columns
        )
        assert len(part) == rules, feed.key
        for c in feed.columns:
            if c.allowed:
                assert ("expect_column_values_to_be_in_set", c.name, json.dumps({"value_set": list(c.allowed)})) in part


def test_committed_raw_suites_are_up_to_date():
    assert main(["--check"]) == 0


def test_every_suite_is_a_valid_gx_suite_on_an_existing_asset():
    from dagster_project.definitions import defs

    keys = defs.resolve_asset_graph().get_all_asset_keys()
    suites = load_suites()
    assert {s.kind for s in suites} == {"raw", "mart"}
    assert len([s for s in suites if s.kind == "raw"]) == len(ALL_FEEDS)
    for s in suites:
        built = gx.ExpectationSuite(name=s.name, expectations=gx_expectations(s))  # raises on an unknown type
        assert len(built.expectations) == len(s.spec["expectations"]) > 0
        assert dg.AssetKey(list(s.asset)) in keys, s.name
        assert all(severity(e) in ("error", "warn") for e in s.expectations)


# Profile columns that are statistics of a feed (volume, null-rate jumps, orphans, lateness, an
# empty file): never an error, whatever the suite (README: "choosing a severity").
RAW_STATISTICS = ("rows", "rows_vs_recent", "null_rate_jump__", "orphan_rate__", "days_behind__")


def test_severities_follow_the_rule_for_choosing():
    suites = load_suites()
    for s in suites:
        for e in s.expectations:
            column = e["kwargs"].get("column") or ""
            if s.kind == "raw" and e["meta"].get("origin") == "contract":
                assert severity(e) == "error", (s.name, column)  # a broken contract promise
            elif s.kind == "raw" and (column in ("rows", "rows_vs_recent") or column.startswith(RAW_STATISTICS[2:])):
                assert severity(e) == "warn", (s.name, column)
            elif s.kind == "raw" and column.startswith("days_after_load__"):
                assert severity(e) == "error", (s.name, column)  # a date in the future moves every as-of date
            if column.endswith(("_vs_previous", "_vs_month_before")):
                assert severity(e) == "warn", (s.name, column)  # change against an earlier run
    # the two mart policies a real history broke (issue 18) are warnings now
    by_key = {(s.name, expectation_key(e)): severity(e) for s in suites for e in s.expectations}
    assert by_key[("marts.customer_segments", "column_max_to_be_between:share")] == "warn"
    assert by_key[("marts.customer_segment_history", "column_values_to_be_between:customers_vs_month_before")] == "warn"
    assert by_key[("marts.customer_segments", "column_value_lengths_to_equal:segment_code")] == "error"


def _suite_file(tmp_path, expectations: list[dict], kind: str = "mart") -> Path:
    folder = tmp_path / ("marts" if kind == "mart" else "raw")
    folder.mkdir(exist_ok=True)
    meta = {"kind": kind, "asset": ["marts", "x"]} | (
        {"query": "select 1 as x"} if kind == "mart" else {"feed": "sales/order_lines"}
    )
    path = folder / "x.json"
    path.write_text(json.dumps({"name": f"{kind}.x", "meta": {"vector_crm": meta}, "expectations": expectations}))
    return path


def _between(column: str, sev: str | None = "error", **kwargs) -> dict:
    return {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": column, **kwargs},
        "meta": {"severity": sev} if sev else {},
    }


def test_a_suite_is_refused_when_an_expectation_cannot_be_judged_as_written(tmp_path):
    with pytest.raises(ValueError, match=r"meta\.severity must be one of"):
        load_suite(_suite_file(tmp_path, [_between("x", None, max_value=1)]))
    with pytest.raises(ValueError, match="twice in the suite"):
        load_suite(_suite_file(tmp_path, [_between("x", max_value=1), _between("x", "warn", min_value=0)]))
    with pytest.raises(KeyError, match=r"'no_such_threshold' is not in thresholds\.json"):
        load_suite(_suite_file(tmp_path, [_between("x", max_value="${no_such_threshold}")]))
    aggregate_error = {
        "type": "expect_column_max_to_be_between",
        "kwargs": {"column": "rows", "max_value": 5},
        "meta": {"severity": "error"},
    }
    with pytest.raises(ValueError, match="must judge batch rows"):
        load_suite(_suite_file(tmp_path, [aggregate_error], kind="raw"))


def test_shared_thresholds_are_read_from_one_file():
    [e] = [
        e
        for e in gx_expectations(load_suite(raw_suite_path(get_feed("web", "events"))))
        if e["kwargs"]["column"] == "orphan_rate__customer_id"
    ]
    spec = json.loads((EXPECTATIONS_DIR / "thresholds.json").read_text())["thresholds"]
    assert e["kwargs"]["max_value"] == spec["orphan_rate_max"]["value"] == thresholds.value("orphan_rate_max")
    assert e["kwargs"]["row_condition"] == f'col("customer_ids") >= {spec["orphan_min_ids"]["value"]}'
    assert "${" not in json.dumps(e)  # the rule's words too
    assert thresholds.substitute({"a": ["${volume_min_rows}", "x ${volume_min_rows} y"]}) == {
        "a": [spec["volume_min_rows"]["value"], f"x {spec['volume_min_rows']['value']} y"]
    }


def test_every_public_mart_has_a_suite_checked_before_publishing():
    """dbt's marts and the CLV model's tables alike: all of them reach BI tools, and the publish
    step owns their checks (it evaluates them before it copies anything)."""
    from dagster_project.definitions import defs, serving_warehouse

    marts = {k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] == "marts"}
    assert {dg.AssetKey(["marts", "customer_clv"]), dg.AssetKey(["marts", "clv_model_fit"])} <= marts
    checked = {spec.asset_key for spec in serving_warehouse.check_specs if spec.name.startswith("gx_marts_")}
    assert marts - checked == set()


def test_a_new_mart_suite_is_one_json_file(tmp_path):
    from dagster_project.serving.assets import publish_asset

    folder = tmp_path / "marts"
    folder.mkdir()
    (folder / "repurchase_rate.json").write_text(
        json.dumps(
            {
                "name": "marts.repurchase_rate",
                "meta": {
                    "vector_crm": {
                        "kind": "mart",
                        "asset": ["marts", "repurchase_rate"],
                        "model": "qc_repurchase_rate",
                    }
                },
                "expectations": [
                    {
                        "type": "expect_column_values_to_be_between",
                        "kwargs": {"column": "repurchase_rate", "min_value": 0, "max_value": 1},
                        "meta": {"severity": "error", "rule": "a rate in [0, 1]"},
                    }
                ],
            }
        )
    )
    [suite] = load_suites(tmp_path)
    key = dg.AssetKey(["marts", "repurchase_rate"])
    [spec] = publish_asset([key], {}, [suite]).check_specs
    assert (spec.asset_key, spec.name, spec.blocking) == (key, "gx_marts_repurchase_rate", False)
    assert (
        list(publish_asset([dg.AssetKey(["marts", "other"])], {}, [suite]).check_specs) == []
    )  # not until the mart exists


def test_suites_live_in_the_repository():
    assert sorted(p.name for p in (EXPECTATIONS_DIR / "raw").glob("*.json")) == sorted(
        f"{f.source}.{f.name}.json" for f in ALL_FEEDS
    )
