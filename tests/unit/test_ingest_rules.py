"""Every rule of every contract sends a breaking row to quarantine under that rule's
name, with the file, line and column; the valid row beside it reaches raw."""

from __future__ import annotations

import datetime as dt

import pytest

from dagster_project.contracts import ALL_FEEDS, Column, Feed
from dagster_project.ingest.loader import ingest_feed
from tests.helpers import example_row, read_rows, write_landed

BAD_TYPE = {
    "integer": "12x",
    "decimal": "abc",
    "date": "2024-02-30",
    "timestamp": "2024-13-01 10:00:00",
    "boolean": "maybe",
}


def _beyond(c: Column, bound, step: int) -> str:
    if c.type in ("date", "timestamp"):
        d = dt.date.fromisoformat(str(bound)) + dt.timedelta(days=step)
        return d.isoformat() + (" 00:00:00" if c.type == "timestamp" else "")
    return str(bound + step)


def breaking_cases(feed: Feed) -> list[tuple[str, str, str]]:
    """(rule, column, bad cell) for every rule the contract states."""
    cases = []
    for c in feed.columns:
        if c.required:
            cases.append(("required", c.name, ""))
        if c.type != "string":
            cases.append((f"type_{c.type}", c.name, BAD_TYPE[c.type]))
        if c.allowed:
            cases.append(("allowed_values", c.name, "not_a_listed_value"))
        if c.min is not None:
            cases.append(("below_min", c.name, _beyond(c, c.min, -1)))
        if c.max is not None:
            cases.append(("above_max", c.name, _beyond(c, c.max, +1)))
    return cases


@pytest.mark.parametrize("feed", ALL_FEEDS, ids=lambda f: f.key)
def test_each_rule_quarantines_exactly_the_breaking_row(paths, feed):
    cases = breaking_cases(feed)
    assert len(cases) >= len(feed.required_columns) + 2  # the contract really states rules
    key = feed.business_key[0]
    folder = paths.landing / feed.source / feed.name
    suffix = ".csv" if feed.file_format == "csv" else ".jsonl"
    for i, (_rule, column, bad) in enumerate(cases):
        good = example_row(feed)
        broken = example_row(feed) | {key: f"{good[key]}-{i}"}
        broken[column] = bad
        if feed.file_format == "jsonl" and bad == "":
            del broken[column]  # a missing key is how JSON says "empty"
        write_landed(folder / f"case_{i:03d}{suffix}", feed, [good, broken])
    # One more file: the business key twice.
    write_landed(folder / f"case_dup{suffix}", feed, [example_row(feed), example_row(feed)])

    report = ingest_feed(paths, feed)

    assert report.count("loaded") == len(cases) + 1
    quarantine = read_rows(paths.quarantine / feed.source / feed.name)
    raw = read_rows(paths.raw / feed.source / feed.name)
    assert len(raw) == len(cases) + 1  # the valid first row of every file
    assert {r["_source_row"] for r in raw} == {1 if feed.file_format == "jsonl" else 2}
    by_file = {r["_source_file"]: r for r in quarantine}
    assert len(quarantine) == len(cases) + 1
    for i, (rule, column, bad) in enumerate(cases):
        q = by_file[f"{feed.source}/{feed.name}/case_{i:03d}{suffix}"]
        assert (q["_rule"], q["_column"]) == (rule, column), (rule, column, bad, q["_detail"])
        assert q["_source_row"] == (2 if feed.file_format == "jsonl" else 3)
        assert column in q["_detail"]
    dup = by_file[f"{feed.source}/{feed.name}/case_dup{suffix}"]
    assert dup["_rule"] == "duplicate_key"
    assert dup["_source_row"] == (2 if feed.file_format == "jsonl" else 3)


def test_example_rows_are_valid_and_typed(paths):
    """The contract's own examples pass its rules: a check on the contracts themselves."""
    for feed in ALL_FEEDS:
        suffix = ".csv" if feed.file_format == "csv" else ".jsonl"
        write_landed(paths.landing / feed.source / feed.name / f"one{suffix}", feed, [example_row(feed)])
        report = ingest_feed(paths, feed)
        assert (report.rows_raw, report.rows_quarantined) == (1, 0), (feed.key, report.rule_counts)
    raw = read_rows(paths.raw / "sales" / "order_lines")[0]
    assert raw["net_amount"] == pytest.approx(290.0)
    assert raw["order_date"] == dt.date(2024, 2, 14)
    assert raw["status"] == "completed"


def test_structural_csv_errors_keep_the_original_line(paths):
    from dagster_project.contracts import get_feed

    feed = get_feed("sales", "order_lines")
    path = paths.landing / "sales" / "order_lines" / "day.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "order_id,order_date,customer_id,net_amount,product_line\n"
        'O1,2024-01-01,C1,10,"multi\nline"\n'  # line 2 (a quoted record spanning two physical lines)
        "O2,2024-01-01,C1,10,tools,EXTRA\n"  # line 3: too many columns
        "O3,2024-01-01,C1\n"  # line 4: missing columns
        "O4,2024-01-01,C1,12.5,tools\n"  # line 5: valid
    )
    report = ingest_feed(paths, feed)
    raw = read_rows(paths.raw / "sales" / "order_lines")
    q = read_rows(paths.quarantine / "sales" / "order_lines")
    assert sorted((r["order_id"], r["_source_row"]) for r in raw) == [("O1", 2), ("O4", 5)]
    assert sorted((r["_source_row"], r["_rule"], r["_original"]) for r in q) == [
        (3, "csv_too_many_columns", "O2,2024-01-01,C1,10,tools,EXTRA"),
        (4, "csv_missing_columns", "O3,2024-01-01,C1"),
    ]
    assert report.rows_read == 4


def test_jsonl_broken_lines_are_quarantined_with_their_text(paths):
    from dagster_project.contracts import get_feed

    feed = get_feed("web", "events")
    good = example_row(feed)
    path = paths.landing / "web" / "events" / "day.jsonl"
    write_landed(path, feed, [good, '{"event_id": "E2", broken', "[1, 2]", good | {"event_id": "E4"}])
    ingest_feed(paths, feed)
    raw = read_rows(paths.raw / "web" / "events")
    q = read_rows(paths.quarantine / "web" / "events")
    assert sorted((r["event_id"], r["_source_row"]) for r in raw) == [("E000000001", 1), ("E4", 4)]
    assert sorted((r["_source_row"], r["_rule"], r["_original"]) for r in q) == [
        (2, "json_malformed", '{"event_id": "E2", broken'),
        (3, "json_not_object", "[1, 2]"),
    ]


def test_jsonl_blank_lines_do_not_shift_line_numbers(paths):
    from dagster_project.contracts import get_feed

    feed = get_feed("web", "events")
    good = example_row(feed)
    path = paths.landing / "web" / "events" / "day.jsonl"
    write_landed(path, feed, [good, "", good | {"event_id": "E3", "event_type": "dance"}])
    ingest_feed(paths, feed)
    [raw] = read_rows(paths.raw / "web" / "events")
    [q] = read_rows(paths.quarantine / "web" / "events")
    assert (raw["_source_row"], q["_source_row"], q["_rule"]) == (1, 3, "allowed_values")


def test_free_text_length_counts_characters_and_formulas_may_hide_behind_blanks(paths):
    """The cheap first tests (bytes, first character) must not change what the rules say."""
    feed = next(f for f in ALL_FEEDS if f.key == "sales/customers")
    cells = {
        "C1": "é" * 600,  # 1,200 bytes but 600 characters: fine
        "C2": "a" * 1001,  # too long
        "C3": " " * 3 + "a" * 1000 + " " * 5,  # 1,000 characters once trimmed: fine
        "C4": '   =HYPERLINK("http://x")',  # a formula behind blanks
        "C5": "+57 300 123 4567",  # a phone-like name, not a formula
        "C6": "-12.5",  # a negative number, not a formula
    }
    rows = [example_row(feed) | {"customer_id": k, "customer_name": v} for k, v in cells.items()]
    write_landed(paths.landing / "sales" / "customers" / "names.csv", feed, rows)
    report = ingest_feed(paths, feed)
    assert (report.rows_raw, report.rows_quarantined) == (4, 2)
    quarantined = {
        r["_source_row"]: (r["_rule"], r["_column"]) for r in read_rows(paths.quarantine / "sales" / "customers")
    }
    assert quarantined == {3: ("too_long", "customer_name"), 5: ("formula_text", "customer_name")}
