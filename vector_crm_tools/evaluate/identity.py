"""`make identity-report`: how well identity resolution (marts.customer_identity_map) finds
the people behind the source records, measured against the generator's ground truth.

    python -m vector_crm_tools.evaluate.identity [--data-dir DIR] [--output FILE]

Every map record (one per source record; order lines per customer number, web events per
visitor) gets its true person from ground_truth/identities.csv. That file is finer for two
feeds (order lines by `order_id|order_line`, web events by `event_id`); the raw lake lifts
those rows to the map's grain: a customer number's person is the person of its order lines,
a visitor's the person of its events. When they name several persons, the most frequent
wins and the record counts as a truth conflict (a data issue, reported).

Evaluated: map records with an identifier (match_rule <> 'no_identifier') and a true person.
An unresolved record (customer_key '-1') is a cluster of its own. With n_ij = evaluated
records in predicted cluster i that belong to true person j:

    precision = Σ C(n_ij, 2) / Σ_i C(n_i, 2)      recall = Σ C(n_ij, 2) / Σ_j C(n_j, 2)

(1.0 when the denominator is 0). Prints the numbers and writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.settings import Paths, duckdb_connect

GOAL_PRECISION = 0.99  # on M, seed 42 (issue 3)
GOAL_RECALL = 0.97
MAP_TABLE = "marts.customer_identity_map"
UNRESOLVED = "-1"  # the missing member's customer_key
NO_IDENTIFIER = "no_identifier"


class ReportError(RuntimeError):
    """The report cannot be made: no warehouse, no map, no ground truth."""


# One row per map record. A record listed twice is a defect of the map: counted, kept once.
MAP_SQL = f"""
create temp table map as
select source_system, source_feed, source_record_id,
    coalesce(cast(customer_key as varchar), '{UNRESOLVED}') as customer_key,
    coalesce(match_rule, '(null)') as match_rule,
    count(*) over (partition by source_system, source_feed, source_record_id) as copies
from wh.{MAP_TABLE}
qualify row_number() over (partition by source_system, source_feed, source_record_id order by customer_key) = 1
"""

# The true person of every record at the map's grain, and how many persons the truth names.
TRUTH_SQL = """
create temp table truth as
with ids as (
    select * from read_csv(?, header = true, all_varchar = true)
),
line_customer as (
    select distinct order_id || '|' || cast(order_line as varchar) as line_id, customer_id
    from {order_lines}
),
event_visitor as (
    select distinct event_id, anonymous_id from {events}
),
votes as (
    select source_system, source_feed, source_record_id, person_id
    from ids
    where source_system || '/' || source_feed not in ('sales/order_lines', 'web/events')
    union all
    select i.source_system, i.source_feed, l.customer_id, i.person_id
    from ids as i inner join line_customer as l on i.source_record_id = l.line_id
    where i.source_system = 'sales' and i.source_feed = 'order_lines'
    union all
    select i.source_system, i.source_feed, e.anonymous_id, i.person_id
    from ids as i inner join event_visitor as e on i.source_record_id = e.event_id
    where i.source_system = 'web' and i.source_feed = 'events'
),
tally as (
    select source_system, source_feed, source_record_id, person_id, count(*) as n
    from votes
    group by all
)
select source_system, source_feed, source_record_id, person_id,
    count(*) over (partition by source_system, source_feed, source_record_id) as persons
from tally
qualify row_number() over (partition by source_system, source_feed, source_record_id order by n desc, person_id) = 1
"""

EVAL_SQL = f"""
create temp table eval as
select m.match_rule, m.customer_key = '{UNRESOLVED}' as unresolved,
    -- an unresolved record is its own cluster, never one big cluster of all of them
    case when m.customer_key = '{UNRESOLVED}'
        then '{UNRESOLVED}|' || m.source_system || '|' || m.source_feed || '|' || m.source_record_id
        else m.customer_key end as cluster,
    t.person_id
from map as m inner join truth as t using (source_system, source_feed, source_record_id)
where m.match_rule <> '{NO_IDENTIFIER}'
"""

CELLS = """
cells as (select cluster, person_id, count(*) as n from eval group by all),
clusters as (select cluster, sum(n) as n, count(*) as persons from cells group by all),
people as (select person_id, sum(n) as n, count(*) as clusters from cells group by all)
"""

METRICS_SQL = f"""
with {CELLS}
select
    (select coalesce(sum(n * (n - 1) // 2), 0) from cells) as true_positive_pairs,
    (select coalesce(sum(n * (n - 1) // 2), 0) from clusters) as predicted_pairs,
    (select coalesce(sum(n * (n - 1) // 2), 0) from people) as true_pairs,
    (select count(distinct person_id) from cells
        where cluster in (select cluster from clusters where persons > 1)) as over_merged_people,
    (select count(*) from people where clusters > 1) as under_merged_people,
    (select count(*) from clusters) as predicted_clusters,
    (select count(*) from people) as true_persons
"""

# Full join: map records without a truth and truth records missing from the map both show.
# The empty grouping set adds the totals row (is_total).
FEEDS_SQL = f"""
with joined as (
    select source_system || '/' || source_feed as feed, m.customer_key, m.match_rule, m.copies,
        t.person_id, t.persons,
        m.match_rule <> '{NO_IDENTIFIER}' and t.person_id is not null as evaluated
    from map as m full join truth as t using (source_system, source_feed, source_record_id)
)
select feed, grouping(feed) = 1 as is_total,
    count(customer_key) as records,
    count(*) filter (where match_rule = '{NO_IDENTIFIER}') as no_identifier,
    count(*) filter (where evaluated) as evaluated,
    count(*) filter (where evaluated and customer_key = '{UNRESOLVED}') as unresolved,
    count(*) filter (where match_rule <> '{NO_IDENTIFIER}' and person_id is null) as without_truth,
    count(*) filter (where customer_key is null) as missing_from_map,
    count(*) filter (where persons > 1) as truth_conflicts,
    coalesce(sum(copies - 1), 0) as duplicate_map_rows
from joined
group by grouping sets ((feed), ())
order by is_total, feed
"""

# Per match_rule, a record-level precision: the share of the rule's resolved records whose
# true person is the majority person of the cluster they were put in (ties: lowest id).
# Pairwise precision per rule is not well defined: a cluster is linked by several rules.
RULES_SQL = f"""
with {CELLS},
majority as (
    select cluster, person_id from cells
    qualify row_number() over (partition by cluster order by n desc, person_id) = 1
)
select e.match_rule,
    count(*) as records,
    count(*) filter (where e.unresolved) as unresolved,
    count(*) filter (where not e.unresolved and e.person_id = mj.person_id) as agreeing
from eval as e inner join majority as mj using (cluster)
group by e.match_rule
order by e.match_rule
"""


def ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def raw_scan(paths: Paths, source: str, feed: str, columns: str) -> tuple[str, list]:
    """SQL reading a feed's raw Parquet (an empty relation when nothing was loaded)."""
    files = sorted(str(p) for p in (paths.raw / source / feed).glob("*.parquet"))
    if not files:
        return f"(select {columns} where false)", []
    return "read_parquet(?, union_by_name = true)", [files]


def load_map(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """Copy the map into memory and let go of the warehouse at once (it may be written next)."""
    if not warehouse.exists():
        raise ReportError(f"no warehouse at {warehouse}: run the pipeline first")
    path = str(warehouse).replace("'", "''")
    con.execute(f"attach '{path}' as wh (read_only)")
    try:
        con.execute(MAP_SQL)
    except duckdb.CatalogException as e:
        raise ReportError(f"{warehouse} has no table {MAP_TABLE}: build the identity models first") from e
    finally:
        con.execute("detach wh")


def load_truth(con: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    identities = paths.ground_truth / "identities.csv"
    if not identities.exists():
        raise ReportError(f"no ground truth at {identities}: the report needs generated data (make data)")
    lines_sql, lines_params = raw_scan(
        paths,
        "sales",
        "order_lines",
        "null::varchar as order_id, null::bigint as order_line, null::varchar as customer_id",
    )
    events_sql, events_params = raw_scan(
        paths, "web", "events", "null::varchar as event_id, null::varchar as anonymous_id"
    )
    con.execute(
        TRUTH_SQL.format(order_lines=lines_sql, events=events_sql), [str(identities), *lines_params, *events_params]
    )


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def evaluate(paths: Paths) -> dict:
    """All numbers of the report as a dict (the JSON written by `main`)."""
    t0 = time.monotonic()
    con = duckdb_connect()
    try:
        load_map(con, paths.warehouse)
        load_truth(con, paths)
        con.execute(EVAL_SQL)
        m = {k: int(v) for k, v in rows(con, METRICS_SQL)[0].items()}
        *by_feed, totals = rows(con, FEEDS_SQL)
        rules = {}
        for r in rows(con, RULES_SQL):
            resolved = r["records"] - r["unresolved"]
            rules[r.pop("match_rule")] = {
                "records": r["records"],
                "unresolved": r["unresolved"],
                "record_precision": round(r["agreeing"] / resolved, 6) if resolved else None,
            }
    finally:
        con.close()
    precision = ratio(m["true_positive_pairs"], m["predicted_pairs"])
    recall = ratio(m["true_positive_pairs"], m["true_pairs"])
    drop = ("feed", "is_total")
    return {
        "data_dir": str(paths.data_dir),
        "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "precision": precision,
        "recall": recall,
        **m,
        "totals": {k: v for k, v in totals.items() if k not in drop},
        "by_feed": {f["feed"]: {k: v for k, v in f.items() if k not in drop} for f in by_feed},
        "by_match_rule": rules,
        "goal": {"precision": GOAL_PRECISION, "recall": GOAL_RECALL},
        "meets_goal": precision >= GOAL_PRECISION and recall >= GOAL_RECALL,
        "seconds": round(time.monotonic() - t0, 2),
    }


def format_report(r: dict) -> str:
    lines = [
        f"identity resolution vs ground truth: {r['data_dir']}",
        f"precision: {r['precision']:.4f}",
        f"recall: {r['recall']:.4f}",
        f"over_merged_people: {r['over_merged_people']}",
        f"under_merged_people: {r['under_merged_people']}",
        f"predicted_clusters: {r['predicted_clusters']}",
        f"true_persons: {r['true_persons']}",
        f"no_identifier_records: {r['totals']['no_identifier']}",
        f"pairs: {r['true_positive_pairs']:,} correct of {r['predicted_pairs']:,} predicted, {r['true_pairs']:,} true",
        "",
        f"{'feed':<32} {'records':>9} {'no ident':>9} {'evaluated':>10} {'unresolved':>10} "
        f"{'no truth':>9} {'not in map':>10} {'conflicts':>9}",
    ]
    for name, f in [*r["by_feed"].items(), ("total", r["totals"])]:
        lines.append(
            f"{name:<32} {f['records']:>9,} {f['no_identifier']:>9,} {f['evaluated']:>10,} {f['unresolved']:>10,} "
            f"{f['without_truth']:>9,} {f['missing_from_map']:>10,} {f['truth_conflicts']:>9,}"
        )
    lines += ["", f"{'match_rule':<32} {'records':>9} {'unresolved':>10} {'record precision':>16}"]
    for name, x in r["by_match_rule"].items():
        p = "-" if x["record_precision"] is None else f"{x['record_precision']:.4f}"
        lines.append(f"{name:<32} {x['records']:>9,} {x['unresolved']:>10,} {p:>16}")
    notes = []
    if r["totals"]["duplicate_map_rows"]:
        notes.append(
            f"{r['totals']['duplicate_map_rows']:,} duplicate rows in {MAP_TABLE} (each record evaluated once)"
        )
    for name, f in r["by_feed"].items():
        if f["without_truth"] and f["without_truth"] == f["records"] - f["no_identifier"]:
            notes.append(f"{name}: no map record has a ground truth (feed or id named differently?)")
    if notes:
        lines += ["", *(f"WARNING {n}" for n in notes)]
    verdict = "met" if r["meets_goal"] else "NOT met"
    lines += ["", f"goal precision >= {GOAL_PRECISION}, recall >= {GOAL_RECALL}: {verdict}  ({r['seconds']:.1f} s)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="default: $VECTOR_CRM_DATA_DIR")
    parser.add_argument("--output", help="JSON file (default: <data dir>/bench/identity-report-<timestamp>.json)")
    args = parser.parse_args(argv)
    paths = Paths(Path(args.data_dir).expanduser().resolve()) if args.data_dir else Paths.from_env()
    try:
        report = evaluate(paths)
    except ReportError as e:
        print(f"identity report: {e}", file=sys.stderr)
        return 1
    out = Path(args.output) if args.output else paths.bench / f"identity-report-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_report(report))
    print(f"report: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
