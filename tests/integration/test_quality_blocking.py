"""With the project's real definitions: a landed batch that breaks a raw expectation stops
the dbt step, and the warehouse built before is left as it was."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

pytestmark = pytest.mark.integration


def test_a_bad_batch_stops_dbt_and_leaves_the_warehouse_alone(paths):
    from dagster_project.definitions import defs

    # What BI read before this run: a warehouse with one mart row.
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema marts; create table marts.before as select 42 as answer")
    folder = paths.landing / "sales" / "order_lines"
    folder.mkdir(parents=True)
    (folder / "order_lines_2024-01-02.csv").write_text(
        "order_id,order_date,customer_id,net_amount\nO1,2024-01-02,C1,10\nO2,2099-01-02,C1,10\n"
    )

    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("full_pipeline").execute_in_process(instance=instance, raise_on_error=False)

    assert not result.success
    started = {e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START}
    assert "raw__sales__order_lines" in started
    assert not any("dbt" in step for step in started)  # dbt never started
    [failed] = [e.event_specific_data for e in result.all_events
                if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and not e.event_specific_data.passed]
    assert failed.check_name == "gx_raw_sales_order_lines"
    assert "days_after_load__order_date" in failed.description
    assert "sales/order_lines/order_lines_2024-01-02.csv" in failed.description
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("select answer from marts.before").fetchall() == [(42,)]
        assert con.execute(
            "select count(*) from quality.validation_results where suite = 'raw.sales.order_lines' and not success"
        ).fetchone() == (1,)
