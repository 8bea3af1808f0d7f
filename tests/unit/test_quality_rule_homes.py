"""One home per rule: no rule of a mart GX suite is also a dbt test on the same mart column
(README, "Where a quality rule lives": value ranges, allowed values and keys are dbt tests;
distribution, volume and change are GX). The detector reads the dbt tests from the manifest
and maps each GX expectation to the mart column it judges through its qc model's SQL."""

from __future__ import annotations

import copy
import json
import re

from dagster_project.quality.suites import load_suites
from dagster_project.transform.project import dbt_project

AGG = r"(min|max)\((\w+)\)\s+as\s+{c}\b"
DISTINCT = r"count\(\*\)\s*-\s*count\(distinct\s+(\w+)\)\s+as\s+{c}\b"
NULLS = r"count\(case when (\w+) is null then 1 end\)\s+as\s+{c}\b"


def dbt_rules(manifest: dict) -> dict[str, list[tuple[str, dict]]]:
    """{mart: [(test name, kwargs)]} of the dbt tests on the marts (models and the CLV sources)."""
    out: dict[str, list[tuple[str, dict]]] = {}
    for n in manifest["nodes"].values():
        meta = n.get("test_metadata")
        parent = n.get("attached_node") or ""
        if n["resource_type"] == "test" and meta and parent.startswith(("model.", "source.")):
            out.setdefault(parent.split(".")[-1], []).append((meta["name"], meta["kwargs"]))
    return out


def judged(sql: str, column: str, passthrough: bool) -> tuple[str, str] | None:
    """(how, mart column) an expectation column of the frame stands for: the column itself,
    its min or max, its duplicates or its nulls; None for anything else (a share, a ratio)."""
    for pattern, how in ((AGG, "agg"), (DISTINCT, "distinct"), (NULLS, "nulls")):
        m = re.search(pattern.format(c=re.escape(column)), sql, re.IGNORECASE)
        if m:
            return how, m.groups()[-1]
    return ("value", column) if passthrough else None


def duplicates(suites, sql_of: dict[str, str], rules: dict[str, list[tuple[str, dict]]]) -> list[tuple]:
    """(suite, GX column, dbt test, mart column) for each GX expectation a dbt test already states."""
    found = []
    for s in suites:
        sql = sql_of[s.name]
        mart = s.asset[-1]
        for e in s.expectations:
            kw = e["kwargs"]
            column = kw.get("column")
            if not column:
                continue
            # a column the frame selects as it is (`select ..., c, ...` or `t.c,`)
            passthrough = re.search(rf"(^|[\s,.]){re.escape(column)}\s*,?\s*$", sql, re.MULTILINE) is not None
            hit = judged(sql, column, passthrough)
            if not hit:
                continue
            how, target = hit
            lo, hi = kw.get("min_value"), kw.get("max_value")
            for name, args in rules.get(mart, []):
                same_column = args.get("column_name") == target
                if (
                    (how in ("value", "agg") and same_column and name == "within_range"
                     and (args["min_value"], args["max_value"]) == (lo, hi))
                    or (how in ("value", "agg") and same_column and name == "accepted_values"
                        and e["type"].endswith("_to_be_between") and isinstance(lo, int) and isinstance(hi, int)
                        and sorted(args["values"]) == list(range(lo, hi + 1)))
                    or (how == "value" and same_column and name == "accepted_values"
                        and e["type"].endswith("_to_be_in_set") and set(args["values"]) == set(kw["value_set"]))
                    or (how == "value" and same_column and name == "unique" and e["type"].endswith("_to_be_unique"))
                    or (how == "distinct" and hi == 0 and (
                        (name == "unique" and same_column) or (name == "unique_combination" and target in args["columns"])
                    ))
                    or (how == "nulls" and hi == 0 and name == "not_null" and same_column)
                ):  # fmt: skip
                    found.append((s.name, column, name, target))
    return found


def _inputs():
    manifest = json.loads(dbt_project().manifest_path.read_text())
    models = {n["name"]: n["raw_code"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    suites = [s for s in load_suites() if s.kind == "mart"]
    sql_of = {s.name: models[s.model] if s.model else s.query for s in suites}
    return suites, sql_of, dbt_rules(manifest)


def test_no_rule_is_written_both_as_a_dbt_test_and_as_a_gx_expectation():
    suites, sql_of, rules = _inputs()
    assert len(rules) >= 20 and len(suites) == 32
    assert duplicates(suites, sql_of, rules) == []


def test_the_detector_finds_the_rules_that_were_written_twice():
    """The kinds of duplicate the qc models removed (issue 21), planted back into copies."""
    suites, sql_of, rules = _inputs()
    by_name = {s.name: s for s in suites}

    def planted(name: str, sql: str, expectation: dict):
        s = by_name[name]
        spec = copy.deepcopy(s.spec)
        spec["expectations"].append(expectation)
        sql_of[name] = sql
        return type(s)(**{**s.__dict__, "spec": spec})

    def between(column, lo, hi):
        return {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": column, "min_value": lo, "max_value": hi},
        }

    copies = [
        planted("marts.customer_rfm", "select\n    min(r_score) as min_score,\n    count(*) as n\nfrom x", between("min_score", 1, 5)),
        planted("marts.repurchase_metrics", "select\n    loyal_share,\n    x\nfrom t", between("loyal_share", 0, 1)),
        planted(
            "marts.customer_lifecycle",
            "select\n    lifecycle_stage,\n    count(*) - count(distinct customer_key) as twice\nfrom t",
            {"type": "expect_column_values_to_be_in_set",
             "kwargs": {"column": "lifecycle_stage", "value_set": ["prospect", "deserted", "new", "recovered", "at_risk", "active"]}},
        ),
        planted("marts.customer_segment_history", "select\n    count(*) - count(distinct customer_key) as twice\nfrom t", between("twice", 0, 0)),
        # a share in [0, 1] is not the dbt range of any column: not a duplicate
        planted("marts.fct_orders", "select\n    avg(x) as paid_share,\n    y\nfrom t", between("paid_share", 0, 1)),
    ]  # fmt: skip
    assert sorted(duplicates(copies, sql_of, rules)) == [
        ("marts.customer_lifecycle", "lifecycle_stage", "accepted_values", "lifecycle_stage"),
        ("marts.customer_rfm", "min_score", "accepted_values", "r_score"),
        ("marts.customer_segment_history", "twice", "unique_combination", "customer_key"),
        ("marts.repurchase_metrics", "loyal_share", "within_range", "loyal_share"),
    ]
