"""The synthetic data generator: determinism, file layout against the contracts, and the
behaviour the marts must find, checked with DuckDB straight from the landed files."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import ALL_FEEDS, get_feed
from vector_crm_tools.generate import LandingNotEmpty, generate

SEED = 7
SPAN = (date(2023, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen_a")
    generate(root, "S", SEED)
    return root


@pytest.fixture(scope="module")
def con(data: Path):
    con = duckdb.connect()
    land = data / "landing"
    for feed in ALL_FEEDS:
        if feed.file_format == "csv":
            # quote given explicitly: the sniffer may miss it when a file's first rows have no quoted cell
            src = f"""read_csv('{land}/{feed.source}/{feed.name}/*.csv', all_varchar = true, quote = '"', escape = '"', filename = true)"""
        else:
            cols = ", ".join(f"{c}: 'varchar'" for c in feed.column_names)
            src = f"read_json('{land}/{feed.source}/{feed.name}/*.jsonl', format = 'newline_delimited', columns = {{{cols}}}, filename = true)"
        con.execute(
            f"create view {feed.name} as select *, regexp_extract(filename, 'landing/(.+)$', 1) as rel_file from {src}"
        )
    for name in ("identities", "defects", "persons"):
        con.execute(
            f"create view gt_{name} as select * from read_csv('{data}/ground_truth/{name}.csv', all_varchar = true)"
        )
    yield con
    con.close()


def one(con, sql: str):
    return con.execute(sql).fetchone()


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes(data, tmp_path):
    generate(tmp_path, "S", SEED)
    first, second = digest(data), digest(tmp_path)
    assert len(first) > 4000  # every feed's daily files plus the ground truth
    assert first == second


def test_different_seed_differs_and_force_replaces_old_files(data, tmp_path):
    (tmp_path / "landing" / "sales" / "old").mkdir(parents=True)
    (tmp_path / "landing" / "sales" / "old" / "stale.csv").write_text("x\n")
    with pytest.raises(LandingNotEmpty):
        generate(tmp_path, "S", SEED + 1)
    generate(tmp_path, "S", SEED + 1, force=True)
    assert not (tmp_path / "landing" / "sales" / "old").exists()
    mine, theirs = digest(data / "landing"), digest(tmp_path / "landing")
    shared = set(mine) & set(theirs)
    assert len(shared) > 4000
    assert sum(mine[f] != theirs[f] for f in shared) > 0.95 * len(shared)


def test_file_names_headers_and_keys_follow_the_contracts(data):
    for feed in ALL_FEEDS:
        ext = "csv" if feed.file_format == "csv" else "jsonl"
        files = sorted((data / "landing" / feed.source / feed.name).iterdir())
        assert files, feed.key
        for f in files:
            m = re.fullmatch(rf"{feed.name}_(\d{{4}}-\d{{2}}-\d{{2}})\.{ext}", f.name)
            assert m, f.name
            assert SPAN[0] <= date.fromisoformat(m.group(1)) <= SPAN[1]
            with open(f, encoding="utf-8", newline="") as fh:
                first = fh.readline()
                if ext == "csv":
                    assert first == ",".join(feed.column_names) + "\n", f.name
                else:
                    assert list(json.loads(first)) == feed.column_names, f.name
        # daily files: most days of the span have one (campaign members: one per campaign)
        assert len(files) == 12 if feed.name == "campaign_members" else len(files) > 900, feed.key


def test_rows_sit_in_the_file_of_their_day(con):
    assert (
        one(
            con,
            "select count(*) from events where event_at[1:10] != regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})')",
        )[0]
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from interactions where started_at[1:10] != regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})')",
        )[0]
        == 0
    )
    # a case is filed when it opens and again when it closes
    assert (
        one(
            con,
            "select count(*) from cases where updated_at[1:10] != regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})')",
        )[0]
        == 0
    )
    assert one(con, "select count(*) from cases where status = 'closed' and closed_at is null")[0] == 0


def test_s_has_about_five_thousand_customers(con):
    customers, companies = one(
        con,
        "select count(distinct customer_id), count(distinct customer_id) filter (where is_company = 'true') from customers",
    )
    assert 4000 <= customers <= 6000
    assert 0.08 <= companies / customers <= 0.18
    # update rows repeat a customer number with a later updated_at
    assert one(con, "select count(*) from (select customer_id from customers group by 1 having count(*) > 1)")[0] > 100


def test_pilot_buys_the_promoted_line_more_than_control(con):
    rates = dict(
        con.execute(
            """
            with members as (
                select *, cast(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})') as date) as launched
                from campaign_members
            ),
            bought as (
                select m.test_group, exists (
                    select 1 from order_lines o
                    where o.customer_id = m.customer_id and o.product_line = m.product_line and o.status = 'completed'
                      and try_cast(o.order_date as date) between m.launched and m.launched + 30
                ) as bought
                from members m
            )
            select test_group, avg(bought::int) from bought group by 1
            """
        ).fetchall()
    )
    assert rates["pilot"] - rates["control"] > 0.05


def test_complaints_rise_before_desertion(con):
    # complaints per customer-day in the 120 days before a true desertion vs the days before that
    before, earlier = one(
        con,
        """
        with deserters as (
            select customer_id, cast(active_to as date) as stopped from gt_persons
            where deserted = 'true' and won_back_from is null and cast(active_to as date) >= '2023-07-01'
        ),
        complaints as (
            select distinct case_id, customer_id, cast(opened_at as date) as opened from cases
            where case_type in ('complaint', 'claim')
        ),
        joined as (select d.stopped, c.opened from deserters d left join complaints c using (customer_id))
        select
            count(opened) filter (where opened between stopped - 120 and stopped) / (120.0 * (select count(*) from deserters)),
            count(opened) filter (where opened < stopped - 120)
                / (select sum(greatest(stopped - 120 - date '2023-01-01', 0)) from deserters)
        from joined
        """,
    )
    assert before > 5 * earlier > 0


def test_a_few_customers_buy_most_with_a_december_peak(con):
    top_share = one(
        con,
        """
        with revenue as (select customer_id, sum(try_cast(net_amount as double)) as r from order_lines where status = 'completed' group by 1),
        ranked as (select r, percent_rank() over (order by r desc) as pr from revenue)
        select sum(r) filter (where pr < 0.2) / sum(r) from ranked
        """,
    )[0]
    assert top_share > 0.6
    december, mean_month = one(
        con,
        """
        with m as (select month(try_cast(order_date as date)) as mo, count(*) as n from order_lines where try_cast(order_date as date) is not null group by 1)
        select max(n) filter (where mo = 12), avg(n) filter (where mo != 12) from m
        """,
    )
    assert december > 1.4 * mean_month


def test_injected_contract_violations_are_in_the_named_files(con):
    checks = {
        "bad_amount": ("order_lines", "order_id || '|' || order_line", "try_cast(net_amount as double) is null"),
        "impossible_date": ("order_lines", "order_id || '|' || order_line", "try_cast(order_date as date) is null"),
        "unknown_status": (
            "order_lines",
            "order_id || '|' || order_line",
            f"status not in {tuple(get_feed('sales', 'order_lines').column('status').allowed)}",
        ),
        "unknown_event_type": (
            "events",
            "event_id",
            f"event_type not in {tuple(get_feed('web', 'events').column('event_type').allowed)}",
        ),
    }
    for defect, (table, record_id, broken) in checks.items():
        listed = one(con, f"select count(*) from gt_defects where defect = '{defect}'")[0]
        assert listed > 0, defect
        # every listed defect is in its file, and every broken row in the files is listed
        found = one(
            con,
            f"""select count(*) from gt_defects d join {table} t
                on t.rel_file = d.file and {record_id} = d.record_id
                where d.defect = '{defect}' and {broken}""",
        )[0]
        assert found == listed, defect
        assert one(con, f"select count(*) from {table} where {broken}")[0] == listed, defect


def test_ground_truth_covers_every_order_line(con):
    lines, covered = one(
        con,
        """
        with keys as (select distinct order_id || '|' || order_line as k from order_lines)
        select count(*), count(i.person_id) from keys
        left join (select * from gt_identities where source_feed = 'order_lines') i on i.source_record_id = keys.k
        """,
    )
    assert lines > 80_000
    assert covered == lines


def test_duplicate_registrations_point_to_one_person(con):
    dups, same_person = one(
        con,
        """
        with d as (select record_id from gt_defects where defect = 'duplicate_customer'),
        ids as (select source_record_id, person_id from gt_identities where source_feed = 'customers')
        select count(*), count(*) filter (where exists (
            select 1 from ids other where other.person_id = mine.person_id and other.source_record_id != d.record_id))
        from d join ids mine on mine.source_record_id = d.record_id
        """,
    )
    assert dups > 20
    assert same_person == dups
