"""Identity resolution on a hand-made raw lake: one fixture per rule, a transitive
chain, a household phone and a shared mailbox that must not merge, then a second
load that must keep every key except through a recorded merge.

Every expected cluster below was worked out by hand from the rows; keys are
checked against hashlib's MD5 of the anchor record (the record seen first),
not against the SQL that computes them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.privacy import PII_SECRET_ENV
from tests.helpers import dbt_build, write_raw_batch

pytestmark = pytest.mark.integration

B1 = {"batch_id": "c1" + "0" * 62, "loaded_at": datetime(2024, 2, 1, 6, 0, 0)}
B2 = {"batch_id": "c2" + "0" * 62, "loaded_at": datetime(2024, 3, 1, 6, 0, 0)}
ts = datetime.fromisoformat
SELECT = [
    "+customer_identity_map",
    "+customer_key_merges",
    "+dim_customers",
    "+int_identity__identifier_keys",
    "identity_components_converged",
]


def customer(cid, name, created, **extra):
    return {
        "customer_id": cid,
        "customer_name": name,
        "created_date": created,
        "is_company": False,
        "updated_at": datetime.combine(created, datetime.min.time()),
    } | extra


def first_load(data_dir: Path) -> None:
    write_raw_batch(
        data_dir,
        "sales",
        "customers",
        B1,
        "customers_b1.csv",
        [
            # document (and email case): C01 and C02 are one person
            customer(
                "C01",
                "Ana María Gómez",
                date(2023, 1, 10),
                document_id="52.345.678",
                email="ana.gomez@example.com",
                phone="3001112233",
                city="Medellín",
                birth_date=date(1984, 3, 17),
            ),
            customer(
                "C02", "ANA MARIA GOMEZ", date(2023, 6, 1), document_id="52345678", email="Ana.Gomez@Example.com "
            ),
            # household: one phone, two people (different given names and documents)
            customer("C03", "Luis Pérez", date(2023, 2, 1), document_id="111", phone="3009998877"),
            customer("C04", "Marta Pérez", date(2023, 2, 2), document_id="222", phone="+57 300 999 8877"),
            # email_one_edit: one letter apart, same given name
            customer("C05", "Sofía López", date(2023, 3, 1), email="sofia.lopez@example.com"),
            customer("C06", "Sofia Lopez", date(2023, 4, 1), email="sofia.lopex@example.com"),
            # one edit apart but in a digit: two people
            customer("C07", "Juan Díaz", date(2023, 3, 5), email="juan.diaz12@example.com"),
            customer("C08", "Juan Diaz", date(2023, 3, 6), email="juan.diaz13@example.com"),
            # name_city_birth
            customer("C09", "Camilo Andrés Torres", date(2023, 5, 1), city="Cali", birth_date=date(1990, 1, 1)),
            customer("C10", "Camilo Andres Torres R", date(2023, 7, 1), city="CALI", birth_date=date(1990, 1, 1)),
            # shared mailbox: two people
            customer("C11", "Rosa Méndez", date(2023, 1, 1), email="info@empresa.com"),
            customer("C12", "Jorge Ríos", date(2023, 1, 2), email="INFO@empresa.com"),
            # merged with a contact-only customer by the second load
            customer("C16", "Diego Vargas", date(2023, 2, 1), phone="3031111111"),
        ],
    )
    line = {"order_line": 1, "quantity": Decimal(1), "net_amount": Decimal("10.00"), "status": "completed"}
    write_raw_batch(
        data_dir,
        "sales",
        "order_lines",
        B1,
        "orders_b1.csv",
        [
            line | {"order_id": "O1", "order_date": date(2024, 1, 15), "customer_id": "C01"},
            line | {"order_id": "O2", "order_date": date(2024, 1, 20), "customer_id": "C99"},  # not in the master
        ],
    )
    call = {"channel": "phone", "direction": "inbound"}
    write_raw_batch(
        data_dir,
        "contact_center",
        "interactions",
        B1,
        "interactions_b1.csv",
        [
            call | {"interaction_id": "I1", "started_at": ts("2024-01-02 09:00:00"), "caller_phone": "300 999 8877"},
            call | {"interaction_id": "I2", "started_at": ts("2024-01-03 09:00:00"), "caller_phone": "3020000001"},
            call
            | {
                "interaction_id": "I3",
                "started_at": ts("2024-01-05 09:00:00"),
                "channel": "email",
                "caller_email": "dvargas@example.com",
            },
            call
            | {
                "interaction_id": "I4",
                "started_at": ts("2024-01-07 09:00:00"),
                "customer_id": "C01",
                "caller_phone": "3001112233",
            },
            call | {"interaction_id": "I5", "started_at": ts("2024-01-08 09:00:00"), "channel": "chat"},
        ],
    )
    write_raw_batch(
        data_dir,
        "contact_center",
        "cases",
        B1,
        "cases_b1.csv",
        [
            {
                "case_id": "K1",
                "opened_at": ts("2024-01-04 10:00:00"),
                "case_type": "query",
                "contact_email": "carla@example.com",
                "contact_phone": "302 000 0001",
                "updated_at": ts("2024-01-04 10:00:00"),
            },
        ],
    )
    write_raw_batch(
        data_dir,
        "contact_center",
        "campaign_members",
        B1,
        "members_b1.csv",
        [
            {
                "campaign_id": "CMP1",
                "customer_id": "C03",
                "test_group": "pilot",
                "contacted_at": ts("2024-02-01 10:00:00"),
            },
        ],
    )
    write_raw_batch(
        data_dir,
        "web",
        "events",
        B1,
        "events_b1.jsonl",
        [
            # a transitive chain: v1 -email- K1 -phone- I2
            {"event_id": "E1", "event_at": ts("2024-01-06 20:00:00"), "anonymous_id": "v1", "event_type": "page_view"},
            {
                "event_id": "E2",
                "event_at": ts("2024-01-06 20:01:00"),
                "anonymous_id": "v1",
                "event_type": "login",
                "user_email": "Carla@example.com",
            },
            {"event_id": "E3", "event_at": ts("2024-01-06 21:00:00"), "anonymous_id": "v2", "event_type": "page_view"},
        ],
    )


def second_load(data_dir: Path) -> None:
    write_raw_batch(
        data_dir,
        "sales",
        "customers",
        B2,
        "customers_b2.csv",
        [
            customer("C17", "Pablo Sánchez", date(2024, 2, 15), email="pablo@example.com"),
        ],
    )
    write_raw_batch(
        data_dir,
        "web",
        "events",
        B2,
        "events_b2.jsonl",
        [
            # C16 logs in with the email of contact I3: the two customers are one
            {
                "event_id": "E4",
                "event_at": ts("2024-02-10 08:00:00"),
                "anonymous_id": "v3",
                "event_type": "login",
                "customer_id": "C16",
                "user_email": "dvargas@example.com",
            },
        ],
    )


def key(record_uid: str) -> str:
    return hashlib.md5(record_uid.encode()).hexdigest()


MISSING = "-1"
# record -> (anchor record of its customer, match rule) after the first load
FIRST = {
    "customers:C01": ("customers:C01", "customer_number"),
    "customers:C02": ("customers:C01", "document"),
    "order_lines:C01": ("customers:C01", "customer_number"),
    "interactions:I4": ("customers:C01", "customer_number"),
    "customers:C03": ("customers:C03", "customer_number"),
    "campaign_members:CMP1|C03": ("customers:C03", "customer_number"),
    "customers:C04": ("customers:C04", "single_record"),
    "customers:C05": ("customers:C05", "email_one_edit"),
    "customers:C06": ("customers:C05", "email_one_edit"),
    "customers:C07": ("customers:C07", "single_record"),
    "customers:C08": ("customers:C08", "single_record"),
    "customers:C09": ("customers:C09", "name_city_birth"),
    "customers:C10": ("customers:C09", "name_city_birth"),
    "customers:C11": ("customers:C11", "single_record"),
    "customers:C12": ("customers:C12", "single_record"),
    "customers:C16": ("customers:C16", "single_record"),
    "order_lines:C99": ("order_lines:C99", "single_record"),
    "interactions:I2": ("interactions:I2", "phone"),
    "cases:K1": ("interactions:I2", "email"),
    "events:v1": ("interactions:I2", "email"),
    "interactions:I3": ("interactions:I3", "single_record"),
    "interactions:I1": (None, "ambiguous"),
    "interactions:I5": (None, "no_identifier"),
    "events:v2": (None, "no_identifier"),
}


def read(data_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def identity_map(data_dir: Path) -> dict[str, tuple[str, str]]:
    rows = read(
        data_dir,
        "select source_feed || ':' || source_record_id, customer_key, match_rule from marts.customer_identity_map",
    )
    return {uid: (k, rule) for uid, k, rule in rows}


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("identity") / "data"
    first_load(data_dir)
    dbt_build(data_dir, SELECT)
    first = identity_map(data_dir)
    first_dim = read(data_dir, "select count(*) from marts.dim_customers")[0][0]
    first_history = read(data_dir, "select count(*) from intermediate.int_identity__key_history")[0][0]
    dbt_build(data_dir, SELECT)  # the same data again: nothing may change
    again = identity_map(data_dir)
    again_history = read(data_dir, "select count(*) from intermediate.int_identity__key_history")[0][0]
    second_load(data_dir)
    dbt_build(data_dir, SELECT)
    return {
        "dir": data_dir,
        "first": first,
        "first_dim": first_dim,
        "again": again,
        "history": (first_history, again_history),
        "second": identity_map(data_dir),
    }


def test_each_rule_clusters_the_records_worked_out_by_hand(loads):
    expected = {uid: (key(anchor) if anchor else MISSING, rule) for uid, (anchor, rule) in FIRST.items()}
    assert loads["first"] == expected


def test_one_dim_row_per_customer_plus_the_missing_member(loads):
    customers = {anchor for anchor, _ in FIRST.values() if anchor}
    assert loads["first_dim"] == len(customers) + 1


def test_rerun_on_the_same_data_changes_nothing(loads):
    assert loads["again"] == loads["first"]
    first_history, again_history = loads["history"]
    assert again_history == first_history == sum(1 for anchor, _ in FIRST.values() if anchor)


def test_second_load_keeps_every_key_except_the_recorded_merge(loads):
    first, second = loads["first"], loads["second"]
    changed = {uid for uid in first if first[uid][0] != second[uid][0]}
    assert changed == {"interactions:I3"}
    assert second["interactions:I3"][0] == key("customers:C16")  # the older customer's key survives
    assert second["events:v3"] == (key("customers:C16"), "customer_number")
    assert second["customers:C17"] == (key("customers:C17"), "single_record")
    merges = read(
        loads["dir"],
        "select retired_customer_key, surviving_customer_key, records_moved, run_sequence "
        "from marts.customer_key_merges",
    )
    # run 2 of the register: the re-run on the same data changed nothing, so it left no rows
    assert merges == [(key("interactions:I3"), key("customers:C16"), 1, 2)]


def test_identifier_lookup_follows_the_merge(loads):
    rows = read(
        loads["dir"],
        "select identifier_type, customer_key from intermediate.int_identity__identifier_keys "
        "where identifier_value in ('dvargas@example.com', 'C16') order by 1",
    )
    assert rows == [("customer_number", key("customers:C16")), ("email", key("customers:C16"))]


def test_shared_identifiers_resolve_nothing_on_their_own(loads):
    rows = read(
        loads["dir"],
        "select identifier_type, identifier_value from intermediate.int_identity__shared_identifiers order by 1, 2",
    )
    assert rows == [("email", "info@empresa.com"), ("phone", "573009998877")]


def test_golden_record_carries_no_raw_personal_data(loads):
    raw = {
        "ana.gomez@example.com",
        "3001112233",
        "573001112233",
        "52.345.678",
        "52345678",
        "ana maria gomez",
        "Ana María Gómez",
        "carla@example.com",
        "573020000001",
    }
    values = {v for row in read(loads["dir"], "select * from marts.dim_customers") for v in row if isinstance(v, str)}
    assert not values & raw
    ana = read(
        loads["dir"],
        f"select customer_type, customer_name_masked, email_masked, phone_masked, city, birth_year, "
        f"erp_customer_numbers, primary_customer_number, sources_present, source_records, "
        f"email_hash "
        f"from marts.dim_customers where customer_key = '{key('customers:C01')}'",
    )
    assert ana == [
        (
            "person",
            "A*** M***",
            "a***@example.com",
            "********2233",
            "Medellín",
            1984,
            2,
            "C01",
            "sales,contact_center",
            4,
            hmac.new(bytes.fromhex(os.environ[PII_SECRET_ENV]), b"ana.gomez@example.com", hashlib.sha256).hexdigest(),
        )
    ]
