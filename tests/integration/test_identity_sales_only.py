"""A company that brings only its sales history (the four required order-line columns,
every other feed empty) still gets one customer per customer number, and every order
line reaches fct_order_lines with its customer."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from tests.helpers import dbt_build, ingest_landing, land
from tests.integration.test_identity_rules import read

pytestmark = pytest.mark.integration

ORDERS = """order_id,order_date,customer_id,net_amount
O1,2024-01-05,C7,10.00
O1,2024-01-05,C7,5.00
O2,2024-02-09,C7,8.00
O3,2024-03-01,C8,3.50
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sales_only") / "data"
    land(data_dir, {"sales/order_lines/orders_2024.csv": ORDERS})
    ingest_landing(data_dir)
    dbt_build(data_dir, ["+fct_order_lines", "+dim_customers"])
    return data_dir


def test_one_customer_per_customer_number(data_dir):
    rows = read(
        data_dir,
        "select source_feed, source_record_id, customer_key, match_rule from marts.customer_identity_map order by 2",
    )
    key = {cid: hashlib.md5(f"order_lines:{cid}".encode()).hexdigest() for cid in ("C7", "C8")}
    assert rows == [
        ("order_lines", "C7", key["C7"], "single_record"),
        ("order_lines", "C8", key["C8"], "single_record"),
    ]
    dim = read(
        data_dir,
        "select customer_key, first_seen_date, sources_present from marts.dim_customers "
        "where not is_missing_member order by first_seen_date",
    )
    assert dim == [(key["C7"], date(2024, 1, 5), "sales"), (key["C8"], date(2024, 3, 1), "sales")]


def test_every_order_line_keeps_its_customer(data_dir):
    rows = read(
        data_dir,
        "select customer_id, count(*), count(distinct customer_key), sum(net_amount) "
        "from marts.fct_order_lines group by 1 order by 1",
    )
    assert rows == [("C7", 3, 1, Decimal("23.00")), ("C8", 1, 1, Decimal("3.50"))]
