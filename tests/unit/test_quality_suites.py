"""The suites in expectations/: raw ones agree with the landing contracts, every file is
a valid GX suite, and a new mart suite is one JSON file."""

from __future__ import annotations

import json

import dagster as dg
import great_expectations as gx

from dagster_project.contracts import ALL_FEEDS
from dagster_project.quality.checks import build_checks
from dagster_project.quality.suites import EXPECTATIONS_DIR, gx_expectations, load_suites, main, raw_suite_path


def _contract_part(feed) -> set[tuple]:
    spec = json.loads(raw_suite_path(feed).read_text())
    return {
        (e["type"], e["kwargs"]["column"], json.dumps({k: v for k, v in e["kwargs"].items() if k != "column"}, sort_keys=True))
        for e in spec["expectations"] if e["meta"]["origin"] == "contract"
    }


def test_order_lines_suite_states_the_contract_written_out_by_hand():
    between = "expect_column_values_to_be_between"
    nothing_empty = json.dumps({"max_value": 0, "min_value": 0}, sort_keys=True)
    expected = {(between, f"null_rate__{c}", nothing_empty)
                for c in ("order_id", "order_date", "customer_id", "net_amount", "quantity", "discount", "status")}
    expected |= {
        ("expect_column_values_to_be_in_set", "channel",
         json.dumps({"value_set": ["store", "web", "phone", "field_sales", "marketplace", "other"]})),
        ("expect_column_values_to_be_in_set", "status", json.dumps({"value_set": ["completed", "cancelled", "returned"]})),
    }
    for col, low in (("order_line", 1), ("order_date", "1990-01-01"), ("quantity", 0), ("unit_price", 0),
                     ("discount", 0), ("unit_cost", 0), ("payment_due_date", "1990-01-01"), ("paid_date", "1990-01-01")):
        expected.add((between, f"min__{col}", json.dumps({"min_value": low})))
    for col in ("order_date", "payment_due_date", "paid_date"):
        expected.add((between, f"max__{col}", json.dumps({"max_value": "2100-01-01"})))
    [order_lines] = [f for f in ALL_FEEDS if f.key == "sales/order_lines"]
    assert _contract_part(order_lines) == expected


def test_every_raw_suite_states_each_contract_rule_once():
    for feed in ALL_FEEDS:
        part = _contract_part(feed)
        rules = sum(bool(c.required or c.default is not None) + bool(c.allowed) + (c.min is not None) + (c.max is not None)
                    for c in feed.columns)
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
        assert s.blocking


def test_every_public_mart_has_a_blocking_suite_check():
    """dbt's marts and the CLV model's tables alike: all of them reach BI tools."""
    from dagster_project.definitions import defs

    marts = {k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] == "marts"}
    assert {dg.AssetKey(["marts", "customer_clv"]), dg.AssetKey(["marts", "clv_model_fit"])} <= marts
    checked = {
        spec.asset_key
        for check in defs.asset_checks
        for spec in check.check_specs
        if spec.name.startswith("gx_marts_") and spec.blocking
    }
    assert marts - checked == set()


def test_a_new_mart_suite_is_one_json_file(tmp_path):
    folder = tmp_path / "marts"
    folder.mkdir()
    (folder / "repurchase_rate.json").write_text(json.dumps({
        "name": "marts.repurchase_rate",
        "meta": {"vector_crm": {"kind": "mart", "asset": ["marts", "repurchase_rate"], "blocking": True,
                                "query": "select 0.4 as repurchase_rate"}},
        "expectations": [{"type": "expect_column_values_to_be_between",
                          "kwargs": {"column": "repurchase_rate", "min_value": 0, "max_value": 1}}],
    }))
    [suite] = load_suites(tmp_path)
    [check] = build_checks([suite], {dg.AssetKey(["marts", "repurchase_rate"])})
    [spec] = check.check_specs
    assert (spec.asset_key, spec.name, spec.blocking) == (dg.AssetKey(["marts", "repurchase_rate"]), "gx_marts_repurchase_rate", True)
    assert build_checks([suite], set()) == []  # no check until the mart exists


def test_suites_live_in_the_repository():
    assert sorted(p.name for p in (EXPECTATIONS_DIR / "raw").glob("*.json")) == sorted(
        f"{f.source}.{f.name}.json" for f in ALL_FEEDS)
