"""The identity report on a hand-made map and truth, with every number worked out by hand."""

from __future__ import annotations

import json

import duckdb
import pytest

from dagster_project.settings import Paths
from vector_crm_tools.evaluate.identity import ReportError, evaluate, main

# Ground truth as the generator writes it: order lines by order_id|order_line, web events by
# event_id (lifted to the map's grain through the raw lake below).
TRUTH = """\
source_system,source_feed,source_record_id,person_id
sales,customers,C1,P1
sales,customers,C2,P2
sales,order_lines,O1|1,P1
sales,order_lines,O1|2,P1
sales,order_lines,O2|1,P1
sales,order_lines,O3|1,P2
contact_center,cases,K01,P2
contact_center,campaign_members,CMP1|C3,P3
contact_center,interactions,I1,P4
contact_center,interactions,I2,P4
web,events,E1,P1
web,events,E2,P1
web,events,E4,P2
web,events,E3,P3
"""

# Raw lake: O1|1 twice (a later version of the line), customer C1 behind O1 and O2, C2 behind
# O3. Visitor A1: events E1, E2 (P1) and E4 (P2): a truth conflict, P1 wins 2 to 1.
ORDER_LINES = "('O1', 1, 'C1'), ('O1', 1, 'C1'), ('O1', 2, 'C1'), ('O2', 1, 'C1'), ('O3', 1, 'C2')"
EVENTS = "('E1', 'A1', 'C1', null), ('E2', 'A1', null, 'p1@x.co'), ('E4', 'A1', null, null), ('E3', 'A2', null, null)"

# The map under test. True person in the comment.
MAP = [
    ("sales", "customers", "C1", "K1", "customer_id"),  # 1 P1
    ("sales", "order_lines", "C1", "K1", "customer_id"),  # 2 P1
    ("web", "events", "A1", "K3", "email"),  # 3 P1: split away from K1
    ("sales", "customers", "C2", "K2", "customer_id"),  # 4 P2
    ("sales", "customers", "C2", "K2", "customer_id"),  #   the same record twice: counted once
    ("contact_center", "cases", "K01", "K2", "customer_id"),  # 5 P2
    ("contact_center", "campaign_members", "CMP1|C3", "K2", "customer_id"),  # 6 P3: wrongly merged into P2's K2
    ("contact_center", "interactions", "I1", "-1", "ambiguous"),  # 7 P4 unresolved
    ("contact_center", "interactions", "I2", "-1", "ambiguous"),  # 8 P4 unresolved
    ("web", "events", "A2", "-1", "no_identifier"),  # P3, but no identifier: not evaluated
    ("sales", "customers", "C9", "K1", "customer_id"),  # no ground truth: not evaluated
]
# Evaluated: records 1-8. Unresolved 7 and 8 are a cluster each (U7, U8).
#   clusters  K1 = {1:P1, 2:P1}   K3 = {3:P1}   K2 = {4:P2, 5:P2, 6:P3}   U7 = {7:P4}   U8 = {8:P4}
#   persons   P1 = 3 records, P2 = 2, P3 = 1, P4 = 2
#   n_ij      (K1,P1)=2 (K3,P1)=1 (K2,P2)=2 (K2,P3)=1 (U7,P4)=1 (U8,P4)=1
#   TP             = C(2,2) + C(2,2)                    = 2
#   predicted pairs = C(2,2) [K1] + C(3,2) [K2]         = 1 + 3 = 4
#   true pairs      = C(3,2) [P1] + C(2,2) [P2] + C(2,2) [P4] = 3 + 1 + 1 = 5
#   precision = 2/4 = 0.5     recall = 2/5 = 0.4
#   (one big cluster of unresolved records would add a correct pair: 3/5 and 3/6)
#   over-merged:  P2 and P3 share K2                    = 2
#   under-merged: P1 in K1 and K3, P4 in U7 and U8      = 2
#   predicted clusters 5, true persons 4


@pytest.fixture
def data(tmp_path) -> Paths:
    paths = Paths(tmp_path / "data")
    paths.ground_truth.mkdir(parents=True)
    (paths.ground_truth / "identities.csv").write_text(TRUTH)
    for folder in ("sales/order_lines", "web/events"):
        (paths.raw / folder).mkdir(parents=True)
    con = duckdb.connect(str(paths.warehouse))
    con.execute(
        f"copy (select * from (values {ORDER_LINES}) as t(order_id, order_line, customer_id)) "
        f"to '{paths.raw}/sales/order_lines/part-1.parquet' (format parquet)"
    )
    con.execute(
        f"copy (select * from (values {EVENTS}) as t(event_id, anonymous_id, customer_id, user_email)) "
        f"to '{paths.raw}/web/events/part-1.parquet' (format parquet)"
    )
    con.execute("create schema marts")
    con.execute(
        "create table marts.customer_identity_map (source_system varchar, source_feed varchar, source_record_id varchar,"
        " customer_key varchar, match_rule varchar, match_confidence double)"
    )
    con.executemany("insert into marts.customer_identity_map values (?, ?, ?, ?, ?, 1.0)", MAP)
    con.close()
    return paths


def feed(
    records, no_identifier, evaluated, unresolved, without_truth, missing_from_map, truth_conflicts, duplicate_map_rows
):
    return locals()


def test_pairwise_metrics_match_the_hand_count(data):
    r = evaluate(data)
    assert (r["true_positive_pairs"], r["predicted_pairs"], r["true_pairs"]) == (2, 4, 5)
    assert r["precision"] == pytest.approx(0.5)
    assert r["recall"] == pytest.approx(0.4)
    assert r["over_merged_people"] == 2
    assert r["under_merged_people"] == 2
    assert (r["predicted_clusters"], r["true_persons"]) == (5, 4)
    assert r["meets_goal"] is False


def test_breakdown_by_feed_and_data_issues(data):
    r = evaluate(data)
    assert r["by_feed"] == {
        "contact_center/campaign_members": feed(1, 0, 1, 0, 0, 0, 0, 0),
        "contact_center/cases": feed(1, 0, 1, 0, 0, 0, 0, 0),
        "contact_center/interactions": feed(2, 0, 2, 2, 0, 0, 0, 0),
        "sales/customers": feed(3, 0, 2, 0, 1, 0, 0, 1),  # C9 has no truth; C2 listed twice
        "sales/order_lines": feed(1, 0, 1, 0, 0, 1, 0, 0),  # customer C2's lines are not in the map
        "web/events": feed(2, 1, 1, 0, 0, 0, 1, 0),  # A2 has no identifier; A1 has two true persons
    }
    assert r["totals"] == feed(10, 1, 8, 2, 1, 1, 1, 1)


def test_record_precision_by_match_rule(data):
    # Cluster majorities: K1 -> P1, K3 -> P1, K2 -> P2 (2 records against 1).
    # customer_id: records 1, 2, 4, 5, 6; all but 6 agree with their cluster's majority: 4/5.
    assert evaluate(data)["by_match_rule"] == {
        "ambiguous": {"records": 2, "unresolved": 2, "record_precision": None},
        "customer_id": {"records": 5, "unresolved": 0, "record_precision": 0.8},
        "email": {"records": 1, "unresolved": 0, "record_precision": 1.0},
    }


def test_cli_prints_the_agreed_lines_and_writes_json(data, tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["--data-dir", str(data.data_dir), "--output", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    for line in ("precision: 0.5000", "recall: 0.4000", "over_merged_people: 2", "under_merged_people: 2"):
        assert line in lines
    written = json.loads(out.read_text())
    assert (written["precision"], written["recall"]) == (0.5, 0.4)


def test_default_output_goes_to_the_bench_folder(data, monkeypatch):
    monkeypatch.setenv("VECTOR_CRM_DATA_DIR", str(data.data_dir))
    assert main([]) == 0
    assert len(list(data.bench.glob("identity-report-*.json"))) == 1


def test_without_the_map_it_says_so(data, capsys):
    con = duckdb.connect(str(data.warehouse))
    con.execute("drop table marts.customer_identity_map")
    con.close()
    with pytest.raises(ReportError, match="customer_identity_map"):
        evaluate(data)
    assert main(["--data-dir", str(data.data_dir)]) == 1
    assert "build the identity models" in capsys.readouterr().err


def test_feed_named_unlike_the_truth_is_flagged(data, capsys):
    con = duckdb.connect(str(data.warehouse))
    con.execute("update marts.customer_identity_map set source_feed = 'case' where source_feed = 'cases'")
    con.close()
    r = evaluate(data)
    # K01 now has no truth, and the truth's K01 is missing from the map.
    assert r["by_feed"]["contact_center/case"]["without_truth"] == 1
    assert r["by_feed"]["contact_center/cases"]["missing_from_map"] == 1
    assert main(["--data-dir", str(data.data_dir), "--output", str(data.data_dir / "r.json")]) == 0
    assert "WARNING contact_center/case: no map record has a ground truth" in capsys.readouterr().out
