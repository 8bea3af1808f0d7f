"""dbt staging end to end on a tiny raw lake written by hand.

One `dbt build` for the whole module (each dbt invocation costs ~3 s): it runs
the source tests, the unit tests, the staging views and their data tests. The
assertions then read the warehouse read-only and compare it with values worked
out by hand from the rows below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from tests.helpers import dbt_build, write_raw_batch

pytestmark = pytest.mark.integration

# Two batches: the second one landed a month after the first.
B1 = {"batch_id": "b1" + "0" * 62, "loaded_at": datetime(2024, 2, 1, 6, 0, 0)}
B2 = {"batch_id": "b2" + "0" * 62, "loaded_at": datetime(2024, 3, 1, 6, 0, 0)}


# --------------------------------------------------------------------------- raw lake


def build_raw_lake(data_dir: Path) -> None:
    ts = datetime.fromisoformat

    # sales/customers: C001 comes again with a newer updated_at (b2 wins); C002 comes
    # again in a later batch but with an *older* updated_at (b1 wins: the version
    # column beats load order); four phone formats of one number; messy emails.
    write_raw_batch(
        data_dir,
        "sales",
        "customers",
        B1,
        "customers_2024-01.csv",
        [
            {
                "customer_id": "C001",
                "customer_name": " Ana María Gómez ",
                "email": "  Ana.Gomez@Example.COM ",
                "phone": "+57 300 123 4567",
                "city": "Medellín",
                "region": "Antioquia",
                "is_company": False,
                "birth_date": date(1984, 3, 17),
                "created_date": date(2023, 5, 2),
                "updated_at": ts("2024-01-31 23:10:00"),
            },
            {
                "customer_id": "C002",
                "customer_name": "Luis Pérez",
                "email": "LUIS.PEREZ@example.com",
                "phone": "3001234567",
                "city": "Cali",
                "is_company": False,
                "updated_at": ts("2024-01-31 23:10:00"),
            },
            {
                "customer_id": "C003",
                "customer_name": "Ferretería El Tornillo SAS",
                "phone": "(300) 123-4567",
                "is_company": True,
                "updated_at": ts("2024-01-31 23:10:00"),
            },
            {
                "customer_id": "C004",
                "customer_name": "Marta Ruiz",
                "email": "   ",
                "phone": "057-300-123-4567",
                "is_company": False,
                "updated_at": ts("2024-01-31 23:10:00"),
            },
        ],
    )
    write_raw_batch(
        data_dir,
        "sales",
        "customers",
        B2,
        "customers_2024-02.csv",
        [
            {
                "customer_id": "C001",
                "customer_name": "Ana María Gómez",
                "email": " ana.gomez@example.com",
                "phone": "+57 300 123 4567",
                "city": "Bogotá",
                "region": "Cundinamarca",
                "is_company": False,
                "birth_date": date(1984, 3, 17),
                "created_date": date(2023, 5, 2),
                "updated_at": ts("2024-02-29 23:10:00"),
            },
            {
                "customer_id": "C002",
                "customer_name": "Luis Perez (stale)",
                "email": "luis@old.example.com",
                "phone": "3001234567",
                "city": "Pasto",
                "is_company": False,
                "updated_at": ts("2024-01-15 08:00:00"),
            },
        ],
    )

    # sales/order_lines: O1 line 2 is returned in b2; O2 has no line numbers (numbered
    # 1, 2 in file order).
    line = {
        "order_date": date(2024, 2, 14),
        "customer_id": "C001",
        "channel": "store",
        "quantity": Decimal(1),
        "discount": Decimal(0),
        "status": "completed",
    }
    write_raw_batch(
        data_dir,
        "sales",
        "order_lines",
        B1,
        "orders_2024-02-14.csv",
        [
            line | {"order_id": "O1", "order_line": 1, "product_sku": "SKU-1", "net_amount": Decimal("100.00")},
            line | {"order_id": "O1", "order_line": 2, "product_sku": "SKU-2", "net_amount": Decimal("50.50")},
            line
            | {
                "order_id": "O2",
                "order_line": None,
                "product_sku": "SKU-3",
                "net_amount": Decimal("10.00"),
                "customer_id": "C002",
            },
            line
            | {
                "order_id": "O2",
                "order_line": None,
                "product_sku": "SKU-4",
                "net_amount": Decimal("20.00"),
                "customer_id": "C002",
            },
        ],
    )
    write_raw_batch(
        data_dir,
        "sales",
        "order_lines",
        B2,
        "orders_2024-02-14_update.csv",
        [
            line
            | {
                "order_id": "O1",
                "order_line": 2,
                "product_sku": "SKU-2",
                "net_amount": Decimal("50.50"),
                "status": "returned",
            },
        ],
    )

    # contact_center/interactions: I2 exported again in b2 with its end time.
    call = {
        "channel": "phone",
        "direction": "inbound",
        "wait_seconds": 10,
        "talk_seconds": 100,
        "hold_seconds": 0,
        "wrap_seconds": 5,
        "abandoned": False,
        "self_served": False,
    }
    write_raw_batch(
        data_dir,
        "contact_center",
        "interactions",
        B1,
        "interactions_2024-02-14.csv",
        [
            call
            | {
                "interaction_id": "I1",
                "started_at": ts("2024-02-14 09:31:05"),
                "ended_at": ts("2024-02-14 09:38:40"),
                "caller_phone": "(300) 123-4567",
                "customer_id": "C001",
                "queue": " billing ",
            },
            call
            | {
                "interaction_id": "I2",
                "started_at": ts("2024-02-14 10:00:00"),
                "channel": "email",
                "caller_email": "LUIS.Perez@Example.com  ",
            },
        ],
    )
    write_raw_batch(
        data_dir,
        "contact_center",
        "interactions",
        B2,
        "interactions_2024-02-14_again.csv",
        [
            call
            | {
                "interaction_id": "I2",
                "started_at": ts("2024-02-14 10:00:00"),
                "ended_at": ts("2024-02-14 10:20:00"),
                "channel": "email",
                "caller_email": "LUIS.Perez@Example.com  ",
            },
        ],
    )

    # contact_center/cases: K1 opened in b1, closed in b2.
    write_raw_batch(
        data_dir,
        "contact_center",
        "cases",
        B1,
        "cases_2024-02-14.csv",
        [
            {
                "case_id": "K1",
                "customer_id": "C001",
                "contact_phone": "3001234567",
                "opened_at": ts("2024-02-14 09:36:00"),
                "case_type": "complaint",
                "category": "delay",
                "priority": "high",
                "status": "open",
                "escalated": False,
                "updated_at": ts("2024-02-14 09:36:00"),
            },
            {
                "case_id": "K2",
                "customer_id": "C002",
                "opened_at": ts("2024-02-14 11:00:00"),
                "case_type": "query",
                "priority": "medium",
                "status": "open",
                "escalated": False,
                "updated_at": ts("2024-02-14 11:00:00"),
            },
        ],
    )
    write_raw_batch(
        data_dir,
        "contact_center",
        "cases",
        B2,
        "cases_2024-02-16.csv",
        [
            {
                "case_id": "K1",
                "customer_id": "C001",
                "contact_phone": "3001234567",
                "opened_at": ts("2024-02-14 09:36:00"),
                "closed_at": ts("2024-02-16 17:02:00"),
                "case_type": "complaint",
                "category": "delay",
                "priority": "high",
                "status": "closed",
                "escalated": False,
                "updated_at": ts("2024-02-16 17:02:00"),
            },
        ],
    )

    # contact_center/campaign_members: one pilot, one control.
    write_raw_batch(
        data_dir,
        "contact_center",
        "campaign_members",
        B1,
        "members_cmp1.csv",
        [
            {
                "campaign_id": "CMP1",
                "customer_id": "C001",
                "test_group": "pilot",
                "campaign_type": "cross_sell",
                "contacted_at": ts("2024-03-04 11:15:00"),
                "responded": True,
            },
            {
                "campaign_id": "CMP1",
                "customer_id": "C002",
                "test_group": "control",
                "campaign_type": "cross_sell",
                "responded": False,
            },
        ],
    )

    # web/events: E2 sent twice in the same file (tracker retry): the later line wins.
    write_raw_batch(
        data_dir,
        "web",
        "events",
        B1,
        "events_2024-02-14.jsonl",
        [
            {
                "event_id": "E1",
                "event_at": ts("2024-02-14 20:01:13"),
                "anonymous_id": "a9f3",
                "event_type": "login",
                "user_email": " Ana.Gomez@Example.com",
                "device": "mobile",
            },
            {
                "event_id": "E2",
                "event_at": ts("2024-02-14 20:02:00"),
                "anonymous_id": "a9f3",
                "event_type": "page_view",
                "page": "/home",
                "device": "mobile",
            },
            {
                "event_id": "E2",
                "event_at": ts("2024-02-14 20:02:00"),
                "anonymous_id": "a9f3",
                "event_type": "page_view",
                "page": "/home?retry",
                "device": "mobile",
            },
        ],
    )


# --------------------------------------------------------------------------- dbt run


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    data_dir = tmp_path_factory.mktemp("data")
    build_raw_lake(data_dir)
    # only tests whose every parent is selected (not the marts' tests on staging)
    dbt_build(data_dir, ["path:models/staging"])
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


# --------------------------------------------------------------------------- tests


def test_staging_models_are_tables_in_the_staging_schema(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        warehouse,
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_name like 'stg_%' order by table_name",
    )
    assert rows == [
        ("staging", "stg_contact_center__campaign_members", "BASE TABLE"),
        ("staging", "stg_contact_center__cases", "BASE TABLE"),
        ("staging", "stg_contact_center__interactions", "BASE TABLE"),
        ("staging", "stg_lake__admitted_batches", "BASE TABLE"),
        ("staging", "stg_sales__customers", "BASE TABLE"),
        ("staging", "stg_sales__order_lines", "BASE TABLE"),
        ("staging", "stg_web__events", "BASE TABLE"),
    ]


def test_row_counts_after_dedupe(warehouse: duckdb.DuckDBPyConnection) -> None:
    expected = {
        "stg_sales__customers": 4,  # 6 raw rows, C001 and C002 twice
        "stg_sales__order_lines": 4,  # 5 raw rows, O1/2 twice
        "stg_contact_center__interactions": 2,  # 3 raw rows, I2 twice
        "stg_contact_center__cases": 2,  # 3 raw rows, K1 twice
        "stg_contact_center__campaign_members": 2,
        "stg_web__events": 2,  # 3 raw rows, E2 twice
    }
    counts = {model: _rows(warehouse, f"select count(*) from staging.{model}")[0][0] for model in expected}
    assert counts == expected


def test_customer_latest_version_wins(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        warehouse,
        "select customer_id, customer_name, city, region, updated_at, _batch_id, _source_row "
        "from staging.stg_sales__customers order by customer_id",
    )
    by_id = {r[0]: r for r in rows}
    # C001: b2 has the newer updated_at
    assert by_id["C001"][1:] == (
        "Ana María Gómez",
        "Bogotá",
        "Cundinamarca",
        datetime(2024, 2, 29, 23, 10),
        B2["batch_id"],
        2,
    )
    # C002: b2 was loaded later but carries an older updated_at, so b1 wins
    assert by_id["C002"][1:3] == ("Luis Pérez", "Cali")
    assert by_id["C002"][5] == B1["batch_id"]
    # trimmed names
    assert by_id["C003"][1] == "Ferretería El Tornillo SAS"


def test_phones_normalised_with_country_code(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(warehouse, "select customer_id, phone, phone_normalized from staging.stg_sales__customers order by 1")
    assert rows == [
        ("C001", "+57 300 123 4567", "573001234567"),
        ("C002", "3001234567", "573001234567"),
        ("C003", "(300) 123-4567", "573001234567"),
        ("C004", "057-300-123-4567", "573001234567"),
    ]
    assert _rows(
        warehouse,
        "select interaction_id, caller_phone_normalized from staging.stg_contact_center__interactions order by 1",
    ) == [("I1", "573001234567"), ("I2", None)]
    assert _rows(
        warehouse, "select case_id, contact_phone_normalized from staging.stg_contact_center__cases order by 1"
    ) == [("K1", "573001234567"), ("K2", None)]


def test_emails_trimmed_and_lower_cased(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        warehouse, "select customer_id, email, email_normalized from staging.stg_sales__customers order by 1"
    ) == [
        ("C001", "ana.gomez@example.com", "ana.gomez@example.com"),
        ("C002", "LUIS.PEREZ@example.com", "luis.perez@example.com"),
        ("C003", None, None),
        ("C004", None, None),  # '   ' is no email
    ]
    assert _rows(
        warehouse,
        "select caller_email, caller_email_normalized from staging.stg_contact_center__interactions "
        "where interaction_id = 'I2'",
    ) == [("LUIS.Perez@Example.com", "luis.perez@example.com")]
    assert _rows(
        warehouse, "select user_email, user_email_normalized from staging.stg_web__events where event_id = 'E1'"
    ) == [("Ana.Gomez@Example.com", "ana.gomez@example.com")]


def test_order_lines_returned_status_wins_and_missing_lines_are_numbered(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(
        warehouse,
        "select order_id, order_line, is_order_line_inferred, product_sku, status, net_amount, _batch_id "
        "from staging.stg_sales__order_lines order by order_id, order_line",
    )
    assert [r[:5] for r in rows] == [
        ("O1", 1, False, "SKU-1", "completed"),
        ("O1", 2, False, "SKU-2", "returned"),
        ("O2", 1, True, "SKU-3", "completed"),
        ("O2", 2, True, "SKU-4", "completed"),
    ]
    assert rows[1][6] == B2["batch_id"]
    assert sum(r[5] for r in rows) == Decimal("180.50")


def test_cases_interactions_events_keep_the_newest_copy(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        warehouse,
        "select case_id, status, closed_at from staging.stg_contact_center__cases order by 1",
    ) == [("K1", "closed", datetime(2024, 2, 16, 17, 2)), ("K2", "open", None)]
    assert _rows(
        warehouse,
        "select interaction_id, ended_at, queue_name, _batch_id "
        "from staging.stg_contact_center__interactions order by 1",
    ) == [
        ("I1", datetime(2024, 2, 14, 9, 38, 40), "billing", B1["batch_id"]),
        ("I2", datetime(2024, 2, 14, 10, 20), None, B2["batch_id"]),
    ]
    # same batch, same file: the later line wins
    assert _rows(warehouse, "select event_id, page, _source_row from staging.stg_web__events order by 1") == [
        ("E1", None, 2),
        ("E2", "/home?retry", 4),
    ]


def test_lineage_columns_are_kept(warehouse: duckdb.DuckDBPyConnection) -> None:
    for model in ("stg_sales__customers", "stg_web__events", "stg_contact_center__campaign_members"):
        names = [
            r[0]
            for r in _rows(
                warehouse,
                "select column_name from information_schema.columns "
                f"where table_schema = 'staging' and table_name = '{model}' order by ordinal_position",
            )
        ]
        # the raw lake's lineage, then when the batch was admitted (what incremental builds count from)
        assert names[-5:] == ["_source_file", "_source_row", "_batch_id", "_loaded_at", "_admitted_at"], model


def test_every_column_is_documented(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The models YAML lists every column the views have, in the same order."""
    import yaml

    documented: dict[str, list[str]] = {}
    for path in sorted((DBT_PROJECT_DIR / "models" / "staging").glob("*/_*__models.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            assert model.get("description"), model["name"]
            assert all(c.get("description") for c in model["columns"]), model["name"]
            documented[model["name"]] = [c["name"] for c in model["columns"]]
    actual: dict[str, list[str]] = {}
    for table_name, column_name in _rows(
        warehouse,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'staging' order by table_name, ordinal_position",
    ):
        actual.setdefault(table_name, []).append(column_name)
    assert documented == actual
