"""The bad-input battery: each case lands bad input and asserts its exact outcome.

Outcomes: the file rejected with a message naming file and reason (and recorded in the
manifest); rows quarantined under a named rule; the batch held back by an error rule of its
GX suite (staging never reads it), naming the file; a warning that blocks nothing; or, for
inputs that look bad but carry good data (BOM, an extra column, a re-send, a small
correction), loaded without loss or doubling and without a warning.
In every case the rows read, counted by hand from the text below, equal the rows in raw
plus the rows in quarantine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from dagster_project.contracts import get_feed
from dagster_project.ingest import verdicts
from dagster_project.ingest.loader import ingest_feed
from dagster_project.ingest.manifest import read_manifest
from dagster_project.quality.judge import judge_feed
from dagster_project.quality.validate import DATA_DOCS_ENV
from dagster_project.settings import TIMEZONE_ENV
from tests.helpers import read_rows

OL = get_feed("sales", "order_lines")
CU = get_feed("sales", "customers")
EV = get_feed("web", "events")
H = "order_id,order_date,customer_id,net_amount,channel\n"


def ol(i: int, date: str = "2024-01-01", customer: str = "C1", amount: str = "10.00", channel: str = "store") -> str:
    return f"O{i},{date},{customer},{amount},{channel}\n"


def ev(i: int, at: str = "2024-01-01 10:00:00") -> str:
    return f'{{"event_id": "E{i}", "event_at": "{at}", "anonymous_id": "a{i}", "event_type": "page_view"}}\n'


@dataclass
class Case:
    id: str
    feed: object
    file: str
    content: str | bytes
    read: int  # rows read, counted by hand
    rejected: str | None = None  # a piece of the rejection message
    quarantined: list[tuple[int, str, str | None]] = field(default_factory=list)  # (line, rule, column)
    held: set[str] = field(default_factory=set)  # profile columns of the error rules that hold the batch
    warned: set[str] = field(default_factory=set)  # profile columns of the warnings
    before: list[tuple[str, str]] = field(default_factory=list)  # files of an earlier load (admitted)


def _lines(start: int, n: int, date: str = "2024-01-01", customer: str = "C1") -> str:
    return H + "".join(ol(start + i, date, customer) for i in range(n))


def _week(rows_a_day: int) -> list[tuple[str, str]]:
    """Seven daily order-line files, 2024-01-01..07, of rows_a_day lines each."""
    return [
        (f"sales/order_lines/order_lines_2024-01-0{d}.csv", _lines(10_000 * d, rows_a_day, f"2024-01-0{d}"))
        for d in range(1, 8)
    ]


CASES = [
    # --- files that cannot be read: rejected by name with the reason
    Case(
        "wrong_delimiter",
        OL,
        "semi.csv",
        H.replace(",", ";") + "O1;2024-01-01;C1;10;store\n",
        0,
        rejected="wrong delimiter: the header is separated by semicolons",
    ),
    Case(
        "latin1_bytes",
        OL,
        "latin1.csv",
        (H + "O1,2024-01-01,Mu\u00f1oz,10,store\n").encode("latin-1"),
        0,
        rejected="latin1.csv: not UTF-8: invalid byte at offset 67 (line 2)",
    ),
    Case("empty_file", OL, "empty.csv", b"", 0, rejected="no header line"),
    Case(
        "missing_required_column",
        OL,
        "no_amount.csv",
        "order_id,order_date,customer_id\nO1,2024-01-01,C1\n",
        0,
        rejected="required column(s) missing from header: net_amount",
    ),
    Case(
        "duplicate_column_name",
        OL,
        "twice.csv",
        "order_id,order_date,customer_id,net_amount,order_id\nO1,2024-01-01,C1,1,O1\n",
        0,
        rejected="duplicate column name(s) in header: order_id",
    ),
    Case("wrong_file_type", OL, "orders.xlsx", "PK\x03\x04", 0, rejected="unexpected file type"),
    # --- rows the parser cannot split or the contract refuses: quarantined under a named rule
    Case(
        "malformed_quoting",
        OL,
        "quote.csv",
        H + ol(1) + 'O2,2024-01-01,C1,10,"store\n' + ol(3),
        2,
        quarantined=[(3, "csv_unquoted_value", "channel")],
    ),
    Case(
        "truncated_last_line",
        OL,
        "trunc.csv",
        H + ol(1) + "O2,2024-01-0",
        2,
        quarantined=[(3, "csv_missing_columns", "customer_id")],
    ),
    Case(
        "trailing_garbage",
        OL,
        "garbage.csv",
        H + ol(1) + "-- end of export: 1 row --\n",
        2,
        quarantined=[(3, "csv_missing_columns", "order_date")],
    ),
    Case(
        "too_many_columns",
        OL,
        "extra_cell.csv",
        H + ol(1) + "O2,2024-01-01,C1,10,store,oops\n",
        2,
        quarantined=[(3, "csv_too_many_columns", None)],
    ),
    Case(
        "wrong_type_required",
        OL,
        "comma_decimal.csv",
        H + ol(1) + 'O2,2024-01-01,C1,"12,50",store\n',
        2,
        quarantined=[(3, "type_decimal", "net_amount")],
    ),
    Case(
        "wrong_type_optional",
        OL,
        "line_word.csv",
        "order_id,order_line,order_date,customer_id,net_amount\nO1,1,2024-01-01,C1,10\nO1,first,2024-01-01,C1,10\n",
        2,
        quarantined=[(3, "type_integer", "order_line")],
    ),
    # numbers that a cast would silently round or reinterpret (3.5 -> 4, 0x3 -> 3, 1e3 -> 1000)
    Case(
        "integer_with_decimals",
        OL,
        "line_decimals.csv",
        "order_id,order_line,order_date,customer_id,net_amount\n"
        "O1,1,2024-01-01,C1,10\nO1,3.5,2024-01-01,C1,10\nO1,1.6,2024-01-01,C1,10\nO1,0x3,2024-01-01,C1,10\n"
        "O1,1e3,2024-01-01,C1,10\n",
        5,
        quarantined=[
            (3, "type_integer", "order_line"),
            (4, "type_integer", "order_line"),
            (5, "type_integer", "order_line"),
            (6, "type_integer", "order_line"),
        ],
    ),
    Case(
        "decimal_beyond_scale",
        OL,
        "scale.csv",
        H + ol(1, amount="12.5") + ol(2, amount="12.34567") + ol(3, amount="1e3"),
        3,
        quarantined=[(3, "type_decimal", "net_amount"), (4, "type_decimal", "net_amount")],
    ),
    Case(
        "negative_price",
        OL,
        "neg.csv",
        "order_id,order_date,customer_id,net_amount,unit_price\nO1,2024-01-01,C1,10,5\nO2,2024-01-01,C1,10,-5\n",
        2,
        quarantined=[(3, "below_min", "unit_price")],
    ),
    Case(
        "impossible_date",
        OL,
        "feb30.csv",
        H + ol(1) + ol(2, date="2024-02-30"),
        2,
        quarantined=[(3, "type_date", "order_date")],
    ),
    Case(
        "pre_1900_birth_date",
        CU,
        "old.csv",
        "customer_id,birth_date\nC1,1984-03-17\nC2,1850-01-01\n",
        2,
        quarantined=[(3, "below_min", "birth_date")],
    ),
    Case(
        "unknown_channel",
        OL,
        "channel.csv",
        H + ol(1) + ol(2, channel="telepathy"),
        2,
        quarantined=[(3, "allowed_values", "channel")],
    ),
    Case(
        "required_empty",
        OL,
        "no_customer.csv",
        H + ol(1) + ol(2, customer=""),
        2,
        quarantined=[(3, "required", "customer_id")],
    ),
    Case(
        "duplicate_key_in_file",
        OL,
        "dup.csv",
        "order_id,order_line,order_date,customer_id,net_amount\n"
        "O1,1,2024-01-01,C1,10\nO1,2,2024-01-01,C1,10\nO1,1,2024-01-01,C1,10\n",
        3,
        quarantined=[(4, "duplicate_key", "order_id, order_line")],
    ),
    Case(
        "huge_line",
        CU,
        "huge.csv",
        "customer_id,customer_name\nC1,Ana\nC2," + "A" * 2_100_000 + "\n",
        2,
        quarantined=[(3, "csv_line_size_over_maximum", None)],
    ),
    Case(
        "huge_field",
        CU,
        "long_name.csv",
        "customer_id,customer_name\nC1,Ana\nC2," + "A" * 5000 + "\n",
        2,
        quarantined=[(3, "too_long", "customer_name")],
    ),
    Case(
        "formula_injection",
        CU,
        "formula.csv",
        "customer_id,customer_name,phone\nC1,Ana,+57 300 123 4567\n"
        'C2,"=cmd|\' /C calc\'!A0",3001234567\nC3,Luis,"@SUM(1+1)"\n',
        3,
        quarantined=[(3, "formula_text", "customer_name"), (4, "formula_text", "phone")],
    ),
    Case("json_not_object", EV, "arr.jsonl", ev(1) + "[1, 2]\n", 2, quarantined=[(2, "json_not_object", None)]),
    Case(
        "json_malformed",
        EV,
        "broken.jsonl",
        ev(1) + '{"event_id": "E2", \n',
        2,
        quarantined=[(2, "json_malformed", None)],
    ),
    Case(
        "timestamp_unknown_zone",
        EV,
        "zone.jsonl",
        ev(1) + ev(2, at="2024-01-01 10:00:00 Mars/Olympus"),
        2,
        quarantined=[(2, "type_timestamp", "event_at")],
    ),
    Case(
        "json_wrong_type",
        EV,
        "when.jsonl",
        ev(1) + ev(2, at="yesterday"),
        2,
        quarantined=[(2, "type_timestamp", "event_at")],
    ),
    # --- rows the contract accepts but an error rule of the raw suite refuses: the batch is held back
    Case("absurd_amount", OL, "absurd.csv", H + ol(1) + ol(2, amount="50000000.00"), 2, held={"max__net_amount"}),
    Case(
        "future_date", OL, "future.csv", H + ol(1) + ol(2, date="2099-01-01"), 2, held={"days_after_load__order_date"}
    ),
    # --- statistics a real business also produces: a warning, the batch is admitted
    Case("header_only", OL, "header.csv", H, 0, warned={"rows"}),
    Case(
        "orphan_customers",
        OL,
        "orphans.csv",
        _lines(1, 90) + "".join(ol(100 + i, customer="C9") for i in range(10)),
        100,
        warned={"orphan_rate__customer_id"},
        before=[("sales/customers/c.csv", "customer_id\nC1\n")],
    ),
    Case(
        "volume_drop",
        OL,
        "order_lines_2024-01-08.csv",
        _lines(9001, 60, "2024-01-08"),
        60,
        warned={"rows_vs_recent"},
        before=_week(1000),
    ),
    Case(
        "null_rate_jump",
        OL,
        "no_channel.csv",
        H + "".join(ol(i, channel="" if i % 5 else "store") for i in range(100)),
        100,
        warned={"null_rate_jump__channel"},
        before=[("sales/order_lines/d0.csv", _lines(1000, 100))],
    ),
    Case(
        "stale_batch",
        OL,
        "old_export.csv",
        H + ol(2, date="2022-01-01"),
        1,
        warned={"days_behind__order_date"},
        before=[("sales/order_lines/new.csv", H + ol(1, date="2025-12-01"))],
    ),
    # --- too small a sample to judge: no ratio from a 4-line correction, no share from 11 events
    Case("small_correction", OL, "order_lines_2024-01-08.csv", _lines(9001, 4, "2024-01-08"), 4, before=_week(100)),
    Case(
        "few_orphans",
        EV,
        "few.jsonl",
        "".join(
            f'{{"event_id": "E{i}", "event_at": "2024-01-01 10:00:00", "anonymous_id": "a{i}", "event_type": "login", '
            f'"customer_id": "{"C9" if i == 0 else "C1"}"}}\n'
            for i in range(11)
        ),
        11,
        before=[("sales/customers/c.csv", "customer_id\nC1\n")],
    ),
]


@pytest.fixture(autouse=True)
def _no_data_docs(monkeypatch):
    """Data Docs are rebuilt after every validation (tested in test_quality_checks); 31 rebuilds
    here would only cost time."""
    monkeypatch.setenv(DATA_DOCS_ENV, "0")


def _land(paths, rel: str, content) -> None:
    target = paths.landing / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def _layers(paths, feed, rel: str) -> tuple[list[dict], list[dict]]:
    where = f"_source_file = '{rel}'"
    return (
        read_rows(paths.feed_dir(paths.raw, feed.source, feed.name), where=where),
        read_rows(paths.feed_dir(paths.quarantine, feed.source, feed.name), where=where),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(paths, case: Case):
    feed = case.feed
    for rel, content in case.before:
        _land(paths, rel, content)
    for f in {get_feed(*rel.split("/")[:2]) for rel, _ in case.before}:
        assert not ingest_feed(paths, f).rejected
        assert not judge_feed(paths, f, "before").held  # what comes before is admitted
    if case.before:
        time.sleep(1.05)  # loads are told apart by their load time (whole seconds)
    rel = f"{feed.source}/{feed.name}/{case.file}"
    _land(paths, rel, case.content)
    report = ingest_feed(paths, feed)
    [result] = [f for f in report.files if f.source_file == rel]
    raw, quarantine = _layers(paths, feed, rel)
    [entry] = [
        m for m in read_manifest(paths.feed_dir(paths.manifest, feed.source, feed.name)) if m["source_file"] == rel
    ]

    if case.rejected:
        assert result.status == entry["status"] == "rejected"
        assert case.rejected in f"{result.source_file}: {result.problem}"
        assert entry["problem"] == result.problem  # recorded with its reason
        assert (raw, quarantine) == ([], [])
        assert (paths.landing / rel).exists()  # left where it landed
        again = [f for f in ingest_feed(paths, feed).files if f.source_file == rel]
        assert [f.status for f in again] == ["still_rejected"]  # not read again until it changes
        return
    assert result.status == "loaded"
    assert result.rows_read == case.read == len(raw) + len(quarantine)
    assert (entry["rows_read"], entry["rows_raw"], entry["rows_quarantined"]) == (case.read, len(raw), len(quarantine))
    got = sorted((q["_source_row"], q["_rule"], q["_column"]) for q in quarantine)
    assert got == sorted(case.quarantined)

    judgement = judge_feed(paths, feed, run_id=f"battery-{case.id}")
    outcome = judgement.outcome
    assert {r["column_name"] for r in outcome.errors} == case.held
    assert {r["column_name"] for r in outcome.warnings} == case.warned
    verdict = {v["source_file"]: v["verdict"] for v in verdicts.latest(paths, feed).values()}[rel]
    assert verdict == ("held" if case.held else "admitted")
    if case.held:
        [held] = judgement.held
        assert held["source_file"] == rel  # names the file
        assert {r["column"] for r in held["reasons"]} == case.held


def test_timestamps_with_an_offset_or_zone_are_converted_never_truncated(paths, monkeypatch):
    """Each landed time below is 2024-01-01 15:00 UTC (10:00 in Bogotá, UTC-5), written seven
    ways; raw holds them in the configured zone: UTC by default, or Bogotá's wall-clock time."""
    times = [
        "2024-01-01 15:00:00",
        "2024-01-01T15:00:00Z",
        "2024-01-01 20:00:00+05:00",
        "2024-01-01 10:00:00-05:00",
        "2024-01-01 20:30:00+0530",
        "2024-01-01 10:00:00 America/Bogota",
        "2024-01-01T15:00:00.000000+00:00",
    ]
    _land(paths, "web/events/utc.jsonl", "".join(ev(i, at=t) for i, t in enumerate(times)))
    assert ingest_feed(paths, EV).rows_raw == len(times)
    got = {r["event_at"] for r in read_rows(paths.raw / "web" / "events")}
    assert got == {datetime(2024, 1, 1, 15, 0)}
    monkeypatch.setenv(TIMEZONE_ENV, "America/Bogota")
    _land(paths, "web/events/bogota.jsonl", "".join(ev(100 + i, at=t) for i, t in enumerate(times[1:])))
    assert ingest_feed(paths, EV).rows_raw == len(times) - 1
    got = {r["event_at"] for r in read_rows(paths.raw / "web" / "events", where="_source_file like '%bogota%'")}
    assert got == {datetime(2024, 1, 1, 10, 0)}


def test_an_unknown_time_zone_setting_fails_before_loading(paths, monkeypatch):
    monkeypatch.setenv(TIMEZONE_ENV, "Mars/Olympus")
    _land(paths, "web/events/e.jsonl", ev(1))
    with pytest.raises(ValueError, match="VECTOR_CRM_TIMEZONE='Mars/Olympus' is not a time zone"):
        ingest_feed(paths, EV)
    assert read_rows(paths.raw / "web" / "events") == []


def test_mixed_line_endings_are_named_with_the_fix(paths):
    _land(paths, "sales/order_lines/mixed.csv", (H + ol(1)).replace("\n", "\r\n") + ol(2) + ol(3))
    [result] = ingest_feed(paths, OL).rejected
    assert result.problem.startswith(
        "mixed line endings: 2 line(s) end with CRLF (\\r\\n) and 2 with LF (\\n) "
        "alone, the first at line 3; save the file with one kind of line ending"
    )


def test_a_formula_behind_invisible_characters_is_still_a_formula(paths):
    """The guard judges the cell as staging and a spreadsheet read it: leading tabs, no-break
    spaces, line breaks and zero-width spaces do not hide a formula."""
    cells = ["\t=cmd|' /C calc'!A0", "\u00a0=1+1", "\u200b@SUM(1)", "\u3000+cmd|x"]
    rows = (
        "".join(f'C{i},"{c}",Bogotá\n' for i, c in enumerate(cells))
        + 'C9,"\n=1+1",Cali\nC10,Ana,"\u00a0=HYPERLINK(1)"\n'
    )
    _land(paths, "sales/customers/f.csv", "customer_id,region,city\n" + rows)
    report = ingest_feed(paths, CU)
    assert (report.rows_raw, report.rows_quarantined) == (0, 6)
    got = sorted(
        (q["_source_row"], q["_rule"], q["_column"]) for q in read_rows(paths.quarantine / "sales" / "customers")
    )
    assert got == [
        (2, "formula_text", "region"),
        (3, "formula_text", "region"),
        (4, "formula_text", "region"),
        (5, "formula_text", "region"),
        (6, "formula_text", "region"),
        (7, "formula_text", "city"),
    ]


def test_malformed_quoting_keeps_the_swallowed_line_in_quarantine(paths):
    """An unterminated quote runs to the end of the file: the line it swallowed is not lost,
    it is part of the quarantined record's original text."""
    _land(paths, "sales/order_lines/q.csv", H + ol(1) + 'O2,2024-01-01,C1,10,"store\n' + ol(3))
    ingest_feed(paths, OL)
    [q] = read_rows(paths.quarantine / "sales" / "order_lines")
    assert q["_original"] == 'O2,2024-01-01,C1,10,"store\nO3,2024-01-01,C1,10.00,store\n'


def test_bom_file_loads_with_its_header(paths):
    _land(paths, "sales/order_lines/bom.csv", "\ufeff" + H + ol(1) + ol(2))
    report = ingest_feed(paths, OL)
    assert (report.rows_raw, report.rows_quarantined, report.rejected) == (2, 0, [])
    assert sorted(r["order_id"] for r in read_rows(paths.raw / "sales" / "order_lines")) == ["O1", "O2"]


def test_extra_unknown_column_is_ignored_and_reported(paths):
    _land(
        paths,
        "sales/order_lines/extra.csv",
        "order_id,order_date,customer_id,net_amount,loyalty_tier\nO1,2024-01-01,C1,10,gold\n",
    )
    report = ingest_feed(paths, OL)
    assert (report.rows_raw, report.rows_quarantined) == (1, 0)
    assert report.ignored_columns == {"loyalty_tier"}
    [row] = read_rows(paths.raw / "sales" / "order_lines")
    assert "loyalty_tier" not in row


def test_sql_like_text_is_stored_as_inert_text(paths):
    name = "Robert'); DROP TABLE customers;--"
    _land(paths, "sales/customers/c.csv", f'customer_id,customer_name\nC1,"{name}"\nC2,Ana\n')
    report = ingest_feed(paths, CU)
    assert (report.rows_raw, report.rows_quarantined) == (2, 0)
    rows = {r["customer_id"]: r["customer_name"] for r in read_rows(paths.raw / "sales" / "customers")}
    assert rows == {"C1": name, "C2": "Ana"}


def test_renamed_identical_file_is_recorded_and_not_loaded(paths):
    _land(paths, "sales/order_lines/day1.csv", H + ol(1) + ol(2))
    ingest_feed(paths, OL)
    _land(paths, "sales/order_lines/day1 (copy).csv", H + ol(1) + ol(2))
    report = ingest_feed(paths, OL)
    [dup] = [f for f in report.files if f.status == "duplicate_content"]
    assert (dup.source_file, dup.problem, report.rows_read) == (
        "sales/order_lines/day1 (copy).csv",
        "same bytes as sales/order_lines/day1.csv",
        0,
    )
    assert len(read_rows(paths.raw / "sales" / "order_lines")) == 2


def test_corrected_resend_keeps_both_versions_in_load_order(paths):
    """A re-sent order with a corrected amount is a new batch; raw keeps both versions with
    their batch and load time, and staging keeps the newest (tested in test_dbt_staging:
    test_order_lines_returned_status_wins_and_missing_lines_are_numbered)."""
    _land(paths, "sales/order_lines/day1.csv", H + ol(1, amount="10.00") + ol(2))
    ingest_feed(paths, OL)
    time.sleep(1.05)
    _land(paths, "sales/order_lines/day1_corrected.csv", H + ol(1, amount="12.00"))
    report = ingest_feed(paths, OL)
    assert (report.rows_raw, report.rows_quarantined) == (1, 0)
    versions = sorted(
        (r["_loaded_at"], float(r["net_amount"]), r["_source_file"])
        for r in read_rows(paths.raw / "sales" / "order_lines", where="order_id = 'O1'")
    )
    assert [(v[1], v[2]) for v in versions] == [
        (10.0, "sales/order_lines/day1.csv"),
        (12.0, "sales/order_lines/day1_corrected.csv"),
    ]
    assert versions[0][0] < versions[1][0]


def test_an_order_in_2099_does_not_block_the_next_days_clean_file(paths):
    """The 2099 order is held back; the next file is compared with admitted data only (its
    newest date is not '27,000 days behind' a held one): no warning, admitted."""
    _land(paths, "sales/order_lines/order_lines_2025-06-01.csv", H + ol(1, date="2025-06-01"))
    ingest_feed(paths, OL)
    judge_feed(paths, OL, "day0")
    time.sleep(1.05)
    _land(
        paths, "sales/order_lines/order_lines_2025-06-02.csv", H + ol(2, date="2025-06-02") + ol(3, date="2099-12-31")
    )
    ingest_feed(paths, OL)
    assert [h["source_file"] for h in judge_feed(paths, OL, "day1").held] == [
        "sales/order_lines/order_lines_2025-06-02.csv"
    ]
    time.sleep(1.05)
    _land(paths, "sales/order_lines/order_lines_2025-06-03.csv", H + ol(4, date="2025-06-03"))
    ingest_feed(paths, OL)
    day2 = judge_feed(paths, OL, "day2")
    assert (day2.held, day2.outcome.errors, day2.outcome.warnings, day2.admitted) == ([], [], [], 1)
    [behind] = [r for r in day2.outcome.results if r["column_name"] == "days_behind__order_date"]
    assert behind["status"] == "passed"  # judged: 2025-06-03 against the admitted 2025-06-01


def test_the_battery_has_at_least_25_distinct_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 25  # and six more written as their own tests
