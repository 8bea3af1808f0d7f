"""Identity resolution on S data (seed 7), measured against the generator's ground truth.

The report module's arithmetic is pinned by tests/unit/test_identity_report.py; here it
measures the real map, and a second, simpler method (explicit pair counting by self-join,
with the customer numbers' persons taken from persons.csv instead of the order lines)
must give the same numbers."""

from __future__ import annotations

import duckdb
import pytest

from vector_crm_tools.evaluate.identity import evaluate

pytestmark = pytest.mark.integration

MIN_PRECISION_S = 0.98
MIN_RECALL_S = 0.95


@pytest.fixture(scope="module")
def report(pipeline):
    paths, first, _, _ = pipeline
    assert first.success
    return evaluate(paths)


def test_precision_and_recall_on_s(report):
    assert report["precision"] >= MIN_PRECISION_S, report
    assert report["recall"] >= MIN_RECALL_S, report


def test_map_covers_every_source_record_once(report):
    totals = report["totals"]
    assert totals["duplicate_map_rows"] == 0, report["by_feed"]
    assert totals["without_truth"] == 0, report["by_feed"]
    assert totals["missing_from_map"] == 0, report["by_feed"]
    assert totals["truth_conflicts"] == 0, report["by_feed"]
    assert len(report["by_feed"]) == 6


def test_pair_counts_agree_with_an_independent_count(pipeline, report):
    paths, _, _, _ = pipeline
    truth, persons = paths.ground_truth / "identities.csv", paths.ground_truth / "persons.csv"
    con = duckdb.connect()
    try:
        con.execute(f"attach '{paths.warehouse}' as wh (read_only)")
        con.execute("create table map as select * from wh.marts.customer_identity_map")
        con.execute("detach wh")
        con.execute(
            f"""create table person_of as
            select source_feed, source_record_id, person_id from read_csv('{truth}', all_varchar = true)
            where source_feed in ('customers', 'interactions', 'cases', 'campaign_members')
            union all
            select 'order_lines', unnest([customer_id, duplicate_customer_id]) as c, person_id
            from read_csv('{persons}', all_varchar = true)
            union all
            select 'events', e.anonymous_id, mode(t.person_id)
            from read_csv('{truth}', all_varchar = true) as t
            inner join read_parquet('{paths.raw}/web/events/*.parquet') as e on t.source_record_id = e.event_id
            where t.source_feed = 'events'
            group by e.anonymous_id"""
        )
        con.execute(
            """create table e as
            select m.source_feed || '|' || m.source_record_id as rid, m.customer_key, p.person_id
            from map as m inner join person_of as p
                on p.source_feed = m.source_feed and p.source_record_id = m.source_record_id
            where m.match_rule <> 'no_identifier'"""
        )
        predicted, correct = con.execute(
            """select count(*), count(*) filter (where a.person_id = b.person_id)
            from e as a inner join e as b on a.customer_key = b.customer_key and a.rid < b.rid
            where a.customer_key <> '-1'"""
        ).fetchone()
        true_pairs, found = con.execute(
            """select count(*), count(*) filter (where a.customer_key = b.customer_key and a.customer_key <> '-1')
            from e as a inner join e as b on a.person_id = b.person_id and a.rid < b.rid"""
        ).fetchone()
    finally:
        con.close()
    assert correct == found == report["true_positive_pairs"]
    assert (predicted, true_pairs) == (report["predicted_pairs"], report["true_pairs"])
    assert report["precision"] == pytest.approx(correct / predicted)
    assert report["recall"] == pytest.approx(found / true_pairs)
