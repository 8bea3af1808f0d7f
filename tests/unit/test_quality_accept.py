"""Accepting a reviewed failure: it admits exactly what was reviewed (that batch, that rule, that
observed value), records who, when and why, and never silences a later, different failure."""

from __future__ import annotations

import json

import duckdb
import pytest

from dagster_project.contracts import get_feed
from dagster_project.ingest import verdicts
from dagster_project.ingest.loader import ingest_feed
from dagster_project.quality import acceptances
from dagster_project.quality.accept import NothingToAccept, accept
from dagster_project.quality.judge import judge_feed
from dagster_project.quality.runner import run_suite
from dagster_project.quality.suites import EXPECTATIONS_DIR, load_suite
from dagster_project.quality.validate import DATA_DOCS_ENV
from tests.helpers import dbt_build, resources

OL = get_feed("sales", "order_lines")
H = "order_id,order_date,customer_id,net_amount,quantity\n"
SUITE = "raw.sales.order_lines"


@pytest.fixture(autouse=True)
def _no_data_docs(monkeypatch):
    monkeypatch.setenv(DATA_DOCS_ENV, "0")


def _load(paths, name: str, text: str):
    target = paths.landing / "sales" / "order_lines" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    ingest_feed(paths, OL)
    return judge_feed(paths, OL, f"run-{name}")


def _verdict(paths, name: str) -> str:
    [v] = [v["verdict"] for v in verdicts.latest(paths, OL).values() if v["source_file"].endswith(name)]
    return v


def test_accepting_a_held_file_admits_it_and_only_it(paths):
    _load(paths, "day1.csv", H + "O1,2024-01-01,C1,10,1\n")
    assert _load(paths, "day2.csv", H + "O2,2024-01-02,C1,99999999,1\n").held
    assert _load(paths, "day3.csv", H + "O3,2024-01-03,C1,88888888,1\n").held
    [row] = accept(paths, SUITE, "a real machine sale, checked with finance", file="day2.csv", by="ana")
    assert (row["expectation_key"], row["observed_value"], row["threshold"], row["admitted"]) == (
        "column_values_to_be_between:max__net_amount",
        "99999999",
        "<= 1000000",
        True,
    )
    assert (_verdict(paths, "day2.csv"), _verdict(paths, "day3.csv")) == ("accepted", "held")
    [record] = acceptances.load(paths)
    assert (record["suite"], record["source_file"], record["accepted_by"], record["reason"]) == (
        SUITE,
        "sales/order_lines/day2.csv",
        "ana",
        "a real machine sale, checked with finance",
    )
    # the same rule broken by a new file is a different failure: held, not covered
    assert _load(paths, "day4.csv", H + "O4,2024-01-04,C1,77777777,1\n").held
    assert _verdict(paths, "day4.csv") == "held"


def test_a_rule_narrows_the_acceptance_and_other_failures_keep_the_batch_held(paths):
    _load(paths, "day1.csv", H + "O1,2024-01-01,C1,10,1\n")
    judged = _load(paths, "day2.csv", H + "O2,2024-01-02,C1,99999999,50000\n")  # two absurd values
    [held] = judged.held
    assert {r["expectation_key"] for r in held["reasons"]} == {
        "column_values_to_be_between:max__net_amount",
        "column_values_to_be_between:max__quantity",
    }
    [row] = accept(paths, SUITE, "amount checked", rule="net_amount", by="ana")
    assert not row["admitted"] and _verdict(paths, "day2.csv") == "held"
    [row] = accept(paths, SUITE, "quantity checked", rule="quantity", by="luis")
    assert row["admitted"] and _verdict(paths, "day2.csv") == "accepted"
    with pytest.raises(NothingToAccept, match="nothing to accept"):  # nothing is held any more
        accept(paths, SUITE, "again", by="ana")


def test_nothing_to_accept_says_what_is_held(paths):
    _load(paths, "day1.csv", H + "O1,2024-01-01,C1,10,1\n")
    _load(paths, "day2.csv", H + "O2,2024-01-02,C1,99999999,1\n")
    with pytest.raises(NothingToAccept, match=r"held back now: sales/order_lines/day2\.csv"):
        accept(paths, SUITE, "wrong file", file="day9.csv")
    with pytest.raises(ValueError, match="say why"):
        accept(paths, SUITE, "  ", file="day2.csv")
    with pytest.raises(NothingToAccept, match=r"no suite 'raw\.sales\.orders'"):
        accept(paths, "raw.sales.orders", "typo")


def test_a_mart_acceptance_holds_for_the_value_it_saw_and_no_other(paths):
    suite = load_suite(EXPECTATIONS_DIR / "marts" / "customer_segments.json")
    paths.data_dir.mkdir(parents=True, exist_ok=True)

    def segments(rows: str) -> None:
        with duckdb.connect(str(paths.warehouse)) as con:
            con.execute("create schema if not exists marts")
            con.execute(
                "create or replace table marts.customer_segments as select * from (values "
                f"{rows}) t(customer_key, segment_code)"
            )

    segments("('K1', 'PB35A'), ('K2', 'PB35A'), ('K3', 'EB11')")  # a code of four letters
    dbt_build(paths.data_dir, ["qc_customer_segments"])  # the suite's frame: a view over the mart
    [error] = run_suite(paths, suite, "r1").errors
    assert (error["column_name"], json.loads(error["unexpected_values"])) == ("segment_code", ["EB11"])
    [row] = accept(paths, suite.name, "EB11 is a legacy code", rule="value_lengths", by="ana")
    assert row["batch_id"] is None and row["observed_value"] == error["observed_value"]
    second = run_suite(paths, suite, "r2")  # the same observation: accepted, not an error
    assert second.passed and [r["status"] for r in second.accepted] == ["accepted"]
    assert second.accepted[0]["acceptance_id"] == row["acceptance_id"]
    segments("('K1', 'PB35A'), ('K2', 'PB35'), ('K3', 'EB11')")  # another short code now
    third = run_suite(paths, suite, "r3")
    assert not third.passed and [r["column_name"] for r in third.errors] == ["segment_code"]


def test_the_dagster_job_records_the_same_acceptance(paths):
    from dagster_project.quality.accept_job import accept_quality_failure

    _load(paths, "day1.csv", H + "O1,2024-01-01,C1,10,1\n")
    _load(paths, "day2.csv", H + "O2,2024-01-02,C1,99999999,1\n")
    result = accept_quality_failure.execute_in_process(
        resources=resources(paths),
        run_config={
            "ops": {
                "accept": {
                    "config": {
                        "suite": SUITE,
                        "file": "sales/order_lines/day2.csv",
                        "reason": "checked in the UI",
                        "by": "ana",
                    }
                }
            }
        },
    )
    assert result.success
    [record] = acceptances.load(paths)
    assert (record["source_file"], record["accepted_by"], record["reason"]) == (
        "sales/order_lines/day2.csv",
        "ana",
        "checked in the UI",
    )
    assert _verdict(paths, "day2.csv") == "accepted"
    assert result.output_for_node("accept") == 1  # one failure accepted
