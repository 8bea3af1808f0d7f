"""The ingest asset in Dagster: metadata on success, a failed step naming the file on rejection."""

import dagster as dg

from dagster_project.contracts import get_feed
from dagster_project.ingest.assets import build_ingest_asset
from tests.helpers import example_row, write_landed

ORDER_LINES = get_feed("sales", "order_lines")


def test_metadata_counts_rows(paths):
    rows = [example_row(ORDER_LINES) | {"order_id": f"O{i}"} for i in range(5)]
    rows[2]["net_amount"] = "twelve"
    write_landed(paths.landing / "sales" / "order_lines" / "d1.csv", ORDER_LINES, rows)
    result = dg.materialize([build_ingest_asset(ORDER_LINES)])
    assert result.success
    [mat] = result.asset_materializations_for_node("raw__sales__order_lines")
    md = {k: v.value for k, v in mat.metadata.items()}
    assert (md["rows_read"], md["rows_raw"], md["rows_quarantined"]) == (5, 4, 1)
    assert "type_decimal:net_amount" in md["quarantine_rules"]


def test_unreadable_file_fails_the_step_with_its_name_and_reason(paths):
    header = ["order_id", "order_date", "net_amount"]  # customer_id missing
    write_landed(paths.landing / "sales" / "order_lines" / "broken.csv", ORDER_LINES, [example_row(ORDER_LINES)], header)
    write_landed(paths.landing / "sales" / "order_lines" / "fine.csv", ORDER_LINES, [example_row(ORDER_LINES)])
    result = dg.materialize([build_ingest_asset(ORDER_LINES)], raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.user_failure_data.description
    assert "sales/order_lines/broken.csv" in message and "customer_id" in message
    # The readable file was loaded all the same.
    assert len(list((paths.raw / "sales" / "order_lines").glob("part-*.parquet"))) == 1
