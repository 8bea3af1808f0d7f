"""The ingest asset in Dagster: metadata on success, a rejected file named by the feed's gate
while the step succeeds, and its daily partitions."""

import os
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from dagster_project.contracts import get_feed
from dagster_project.ingest.assets import build_ingest_asset
from dagster_project.ingest.landing import LandedFile
from dagster_project.ingest.partitions import date_in_name, partition_date, range_tags
from tests.helpers import example_row, read_rows, resources, write_landed

ORDER_LINES = get_feed("sales", "order_lines")


def test_metadata_counts_rows(paths):
    rows = [example_row(ORDER_LINES) | {"order_id": f"O{i}"} for i in range(5)]
    rows[2]["net_amount"] = "twelve"
    write_landed(paths.landing / "sales" / "order_lines" / "d1.csv", ORDER_LINES, rows)
    result = dg.materialize([build_ingest_asset(ORDER_LINES)], resources=resources(paths))
    assert result.success
    [mat] = result.asset_materializations_for_node("raw__sales__order_lines")
    md = {k: v.value for k, v in mat.metadata.items()}
    assert (md["rows_read"], md["rows_raw"], md["rows_quarantined"]) == (5, 4, 1)
    assert "type_decimal:net_amount" in md["quarantine_rules"]


def test_unreadable_file_is_rejected_alone_and_named_by_the_gate(paths):
    from dagster_project.quality.checks import raw_check, raw_check_spec

    header = ["order_id", "order_date", "net_amount"]  # customer_id missing
    write_landed(
        paths.landing / "sales" / "order_lines" / "broken.csv", ORDER_LINES, [example_row(ORDER_LINES)], header
    )
    write_landed(paths.landing / "sales" / "order_lines" / "fine.csv", ORDER_LINES, [example_row(ORDER_LINES)])
    asset = build_ingest_asset(ORDER_LINES, gate=raw_check, gate_spec=raw_check_spec(ORDER_LINES))
    result = dg.materialize([asset], resources=resources(paths), raise_on_error=False)
    # The step succeeds: the feed's readable file (and every other feed) goes on to dbt.
    assert result.success
    [mat] = result.asset_materializations_for_node("raw__sales__order_lines")
    assert (mat.metadata["files_rejected"].value, mat.metadata["files_new_loaded"].value) == (1, 1)
    assert len(list((paths.raw / "sales" / "order_lines").glob("part-*.parquet"))) == 1
    # The gate's check fails (an ERROR a person must act on) and names the file and the reason.
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    [issue] = [i for i in check.metadata["issues"].value if i["level"] == "rejected"]
    assert issue["where"] == "sales/order_lines/broken.csv" and "customer_id" in issue["rule"]
    # Not read again while it is unchanged; named as still waiting.
    again = dg.materialize([asset], resources=resources(paths), raise_on_error=False)
    [check] = again.get_asset_check_evaluations()
    assert [i["level"] for i in check.metadata["issues"].value] == ["still_rejected"]


# --- daily partitions: a partitioned run loads the files of its days, an unpartitioned run every new file


def _land_day(paths, name: str, order_id: str):
    return write_landed(
        paths.landing / "sales" / "order_lines" / name, ORDER_LINES, [example_row(ORDER_LINES) | {"order_id": order_id}]
    )


def _loaded_files(paths) -> set[str]:
    return {r["_source_file"] for r in read_rows(paths.raw / "sales" / "order_lines", "_source_file")}


def _materialized_days(result) -> list[str]:
    return sorted(m.partition for m in result.asset_materializations_for_node("raw__sales__order_lines"))


def test_a_backfill_of_two_days_loads_their_files_and_nothing_else(paths):
    asset = build_ingest_asset(ORDER_LINES)
    _land_day(paths, "order_lines_2024-01-05.csv", "O5")
    _land_day(paths, "order_lines_20240106.csv", "O6")
    _land_day(paths, "order_lines_2024-01-07.csv", "O7")
    undated = _land_day(paths, "export.csv", "OX")  # no date in its name: its modification day counts
    stamp = datetime(2024, 1, 6, 12, tzinfo=UTC).timestamp()
    os.utime(undated, (stamp, stamp))

    days = dg.materialize([asset], resources=resources(paths), tags=range_tags("2024-01-05", "2024-01-06"))
    assert days.success
    assert _materialized_days(days) == ["2024-01-05", "2024-01-06"]
    assert _loaded_files(paths) == {
        "sales/order_lines/order_lines_2024-01-05.csv",
        "sales/order_lines/order_lines_20240106.csv",
        "sales/order_lines/export.csv",
    }

    # re-running a loaded day loads nothing again
    again = dg.materialize([asset], resources=resources(paths), partition_key="2024-01-05")
    [mat] = again.asset_materializations_for_node("raw__sales__order_lines")
    md = {k: v.value for k, v in mat.metadata.items()}
    assert (md["landing_days"], md["files_new_loaded"], md["files_already_loaded"], md["rows_raw"]) == (
        "2024-01-05",
        0,
        1,
        0,
    )

    # an unpartitioned run (make run, the schedule) catches up on every other day
    catch_up = dg.materialize([asset], resources=resources(paths))
    [mat] = catch_up.asset_materializations_for_node("raw__sales__order_lines")
    assert mat.partition is None and mat.metadata["files_new_loaded"].value == 1
    assert len(read_rows(paths.raw / "sales" / "order_lines")) == 4


def test_each_file_has_one_day_within_the_partitions():
    assert date_in_name("order_lines_2025-03-04.csv") == date(2025, 3, 4)
    assert date_in_name("cases_20250304_v2.csv") == date(2025, 3, 4)
    assert date_in_name("sent_2025-01-01_for_2025-02-28.csv") == date(2025, 2, 28)  # the last date counts
    assert date_in_name("batch_20251399.csv") is None  # not a date
    assert date_in_name("orders_123456789.csv") is None  # digits of a longer number

    def file(name: str) -> LandedFile:
        return LandedFile(Path(name), name, 1, 0)

    today = date(2026, 11, 23)
    assert partition_date(file("old_1999-12-31.csv"), today) == date(2020, 1, 1)  # before the first day: the first
    assert partition_date(file("late_2027-01-01.csv"), today) == today  # after today: today
    assert partition_date(file("x_2024-02-29.csv"), today) == date(2024, 2, 29)
