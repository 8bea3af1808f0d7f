"""File-level behaviour of ingestion: unreadable files, re-landing, conservation, crashes."""

from __future__ import annotations

import csv
import shutil

from dagster_project.contracts import get_feed
from dagster_project.ingest.landing import discover
from dagster_project.ingest.loader import ingest_feed
from dagster_project.ingest.manifest import read_manifest
from tests.helpers import example_row, read_rows, write_landed

ORDER_LINES = get_feed("sales", "order_lines")


def _orders(n: int, start: int = 0) -> list[dict]:
    return [example_row(ORDER_LINES) | {"order_id": f"O{start + i}"} for i in range(n)]


def _folder(paths):
    return paths.landing / "sales" / "order_lines"


def test_missing_required_column_rejects_the_file_and_loads_the_others(paths):
    header = [c for c in ORDER_LINES.column_names if c != "net_amount"]
    write_landed(_folder(paths) / "a_bad.csv", ORDER_LINES, _orders(3), header=header)
    write_landed(_folder(paths) / "b_good.csv", ORDER_LINES, _orders(2))
    report = ingest_feed(paths, ORDER_LINES)
    [rejected] = report.rejected
    assert rejected.source_file == "sales/order_lines/a_bad.csv"
    assert "net_amount" in rejected.problem and "missing" in rejected.problem
    assert len(read_rows(paths.raw / "sales" / "order_lines")) == 2
    assert (_folder(paths) / "a_bad.csv").exists()  # the original stays where it is
    # Not recorded as loaded: fixing the file (new bytes) loads it.
    write_landed(_folder(paths) / "a_bad.csv", ORDER_LINES, _orders(3, start=10))
    report = ingest_feed(paths, ORDER_LINES)
    assert (report.count("loaded"), report.rows_raw, report.rejected) == (1, 3, [])


def test_not_utf8_and_empty_files_are_rejected_by_name(paths):
    _folder(paths).mkdir(parents=True)
    (_folder(paths) / "latin1.csv").write_bytes(
        "order_id,order_date,customer_id,net_amount\nO1,2024-01-01,Mu\u00f1oz,1\n".encode("latin-1")
    )
    (_folder(paths) / "empty.csv").write_bytes(b"")
    (_folder(paths) / "notes.txt").write_text("order_id\n")
    write_landed(_folder(paths) / "ok.csv", ORDER_LINES, _orders(1))
    report = ingest_feed(paths, ORDER_LINES)
    problems = {f.source_file.rsplit("/", 1)[1]: f.problem for f in report.rejected}
    assert set(problems) == {"latin1.csv", "empty.csv", "notes.txt"}
    assert problems["latin1.csv"].startswith("not UTF-8") and "line 2" in problems["latin1.csv"]
    assert "header" in problems["empty.csv"]
    assert "file type" in problems["notes.txt"]
    assert report.rows_raw == 1


def test_relanding_is_a_no_op(paths):
    write_landed(_folder(paths) / "day1.csv", ORDER_LINES, _orders(4))
    first = ingest_feed(paths, ORDER_LINES)
    assert first.rows_raw == 4
    second = ingest_feed(paths, ORDER_LINES)  # same file again
    assert (second.count("already_loaded"), second.rows_read) == (1, 0)
    shutil.copy(_folder(paths) / "day1.csv", _folder(paths) / "day1_copy.csv")  # same bytes, new name
    third = ingest_feed(paths, ORDER_LINES)
    assert third.count("duplicate_content") == 1 and third.rows_read == 0
    assert len(read_rows(paths.raw / "sales" / "order_lines")) == 4
    fourth = ingest_feed(paths, ORDER_LINES)  # the duplicate is remembered too
    assert fourth.count("already_loaded") == 2
    statuses = sorted((m["source_file"], m["status"]) for m in read_manifest(paths.manifest / "sales" / "order_lines"))
    assert statuses == [
        ("sales/order_lines/day1.csv", "loaded"),
        ("sales/order_lines/day1_copy.csv", "duplicate_content"),
    ]


def test_changed_content_under_the_same_name_is_a_new_batch(paths):
    write_landed(_folder(paths) / "day1.csv", ORDER_LINES, _orders(2))
    ingest_feed(paths, ORDER_LINES)
    write_landed(_folder(paths) / "day1.csv", ORDER_LINES, _orders(2) + _orders(1, start=50))
    report = ingest_feed(paths, ORDER_LINES)
    assert report.rows_raw == 3
    batches = {r["_batch_id"] for r in read_rows(paths.raw / "sales" / "order_lines")}
    assert len(batches) == 2


def test_rows_are_conserved_per_file(paths):
    """rows read = raw + quarantine, with rows counted independently by Python's csv module."""
    rows = _orders(20)
    rows[3]["net_amount"] = "n/a"
    rows[7]["status"] = "lost"
    rows[11]["order_date"] = ""
    write_landed(_folder(paths) / "d1.csv", ORDER_LINES, rows)
    write_landed(_folder(paths) / "d2.csv", ORDER_LINES, _orders(5, start=100))
    ingest_feed(paths, ORDER_LINES)
    raw = read_rows(paths.raw / "sales" / "order_lines")
    quarantine = read_rows(paths.quarantine / "sales" / "order_lines")
    for name in ("d1.csv", "d2.csv"):
        with open(_folder(paths) / name, newline="", encoding="utf-8") as fh:
            expected = sum(1 for _ in csv.reader(fh)) - 1
        rel = f"sales/order_lines/{name}"
        in_raw = sum(r["_source_file"] == rel for r in raw)
        in_q = sum(r["_source_file"] == rel for r in quarantine)
        assert in_raw + in_q == expected
    assert sorted(r["_source_row"] for r in quarantine) == [5, 9, 13]  # header is line 1
    manifest = {m["source_file"]: m for m in read_manifest(paths.manifest / "sales" / "order_lines")}
    assert (
        manifest["sales/order_lines/d1.csv"]["rows_raw"],
        manifest["sales/order_lines/d1.csv"]["rows_quarantined"],
    ) == (17, 3)


def test_debris_of_an_interrupted_load_is_removed_before_loading(paths):
    write_landed(_folder(paths) / "day1.csv", ORDER_LINES, _orders(3))
    ingest_feed(paths, ORDER_LINES)
    raw_dir = paths.raw / "sales" / "order_lines"
    # A part written by a run that died before committing its manifest part.
    [part] = list(raw_dir.glob("part-*.parquet"))
    shutil.copy(part, raw_dir / "part-20000101T000000-deadbeef.parquet")
    (raw_dir / "part-x.parquet.tmp").write_bytes(b"half")
    ingest_feed(paths, ORDER_LINES)
    assert len(read_rows(raw_dir)) == 3
    assert sorted(p.name for p in raw_dir.iterdir()) == ["_schema.parquet", part.name]


def test_crlf_and_bom_files_load_with_right_line_numbers(paths):
    _folder(paths).mkdir(parents=True)
    text = "\ufefforder_id,order_date,customer_id,net_amount\r\nO1,2024-01-01,C1,1\r\nO2,2024-01-01,C1,oops\r\n"
    (_folder(paths) / "win.csv").write_bytes(text.encode("utf-8"))
    report = ingest_feed(paths, ORDER_LINES)
    assert (report.rows_raw, report.rows_quarantined) == (1, 1)
    [q] = read_rows(paths.quarantine / "sales" / "order_lines")
    assert (q["_source_row"], q["_rule"]) == (3, "type_decimal")
    [r] = read_rows(paths.raw / "sales" / "order_lines")
    assert r["order_id"] == "O1"


def test_loading_in_several_steps_gives_the_same_rows(paths):
    for d in range(6):
        write_landed(_folder(paths) / f"day{d}.csv", ORDER_LINES, _orders(3, start=10 * d))
    report = ingest_feed(paths, ORDER_LINES, chunk_bytes=1)  # one file per step
    assert len(report.parts) == 6
    rows = read_rows(paths.raw / "sales" / "order_lines", "order_id, _source_row")
    assert sorted(r["order_id"] for r in rows) == sorted(f"O{10 * d + i}" for d in range(6) for i in range(3))


def test_versions_of_a_key_in_one_file_are_not_duplicates(paths):
    """A case opened and closed the same day arrives twice in one file, with two versions."""
    cases = get_feed("contact_center", "cases")
    base = example_row(cases)
    rows = [
        base | {"status": "open", "updated_at": "2024-02-14 09:36:00"},
        base | {"status": "closed", "updated_at": "2024-02-14 17:02:00"},
        base | {"status": "closed", "updated_at": "2024-02-14 17:02:00"},  # a true duplicate
        base | {"case_id": "K2", "updated_at": ""},
        base | {"case_id": "K2", "updated_at": ""},  # no version either: a duplicate
    ]
    write_landed(paths.landing / "contact_center" / "cases" / "d.csv", cases, rows)
    ingest_feed(paths, cases)
    raw = read_rows(paths.raw / "contact_center" / "cases")
    q = read_rows(paths.quarantine / "contact_center" / "cases")
    assert sorted(r["_source_row"] for r in raw) == [2, 3, 5]
    assert sorted((r["_source_row"], r["_rule"]) for r in q) == [(4, "duplicate_key"), (6, "duplicate_key")]


def test_files_with_the_same_header_and_different_line_endings_all_load(paths):
    """DuckDB is told one line ending per scan: a CRLF file read in one scan with LF files gave
    no rows at all, silently (rows read 0 for a file of two rows)."""
    _folder(paths).mkdir(parents=True)
    header = "order_id,order_date,customer_id,net_amount"
    (_folder(paths) / "a_unix.csv").write_bytes(f"{header}\nO1,2024-01-01,C1,1\n".encode())
    (_folder(paths) / "b_win.csv").write_bytes(f"{header}\r\nO2,2024-01-01,C1,2\r\nO3,2024-01-01,C1,x\r\n".encode())
    report = ingest_feed(paths, ORDER_LINES)
    counts = {f.source_file: (f.rows_read, f.rows_raw, f.rows_quarantined) for f in report.files}
    assert counts == {"sales/order_lines/a_unix.csv": (1, 1, 0), "sales/order_lines/b_win.csv": (2, 1, 1)}
    [q] = read_rows(paths.quarantine / "sales" / "order_lines")
    assert (q["_source_file"], q["_source_row"], q["_rule"]) == ("sales/order_lines/b_win.csv", 3, "type_decimal")


def test_blank_and_padded_cells_are_trimmed_as_before(paths):
    """Cells are trimmed of Unicode space separators (not tabs) before typing; the fast path
    that skips trimming plain cells must give the same values and rules."""
    nbsp, ideo = "\u00a0", "\u3000"
    rows = _orders(6)
    rows[0] |= {"order_id": f" {nbsp}O0{ideo}", "net_amount": f"{nbsp}12.5 ", "status": " Returned "}
    rows[1] |= {"customer_id": f"{nbsp} ", "net_amount": "7"}  # blank once trimmed: required
    rows[2] |= {"order_line": "\t3", "quantity": "2\t"}  # casts accept ASCII blanks around numbers
    rows[3] |= {"channel": "Web", "order_date": f"2024-01-02{nbsp}"}
    rows[4] |= {"order_id": "O9", "order_line": "1"}
    rows[5] |= {"order_id": f"O9{nbsp}", "order_line": " 1"}  # the same key once trimmed
    write_landed(_folder(paths) / "pad.csv", ORDER_LINES, rows)
    ingest_feed(paths, ORDER_LINES)
    raw = {r["_source_row"]: r for r in read_rows(paths.raw / "sales" / "order_lines")}
    q = {r["_source_row"]: r for r in read_rows(paths.quarantine / "sales" / "order_lines")}
    assert sorted(raw) == [2, 4, 5, 6] and sorted(q) == [3, 7]
    assert (raw[2]["order_id"], float(raw[2]["net_amount"]), raw[2]["status"]) == (f" {nbsp}O0{ideo}", 12.5, "returned")
    assert (raw[4]["order_line"], float(raw[4]["quantity"])) == (3, 2.0)
    assert (raw[5]["channel"], str(raw[5]["order_date"])) == ("web", "2024-01-02")
    assert (q[3]["_rule"], q[3]["_column"]) == ("required", "customer_id")
    assert (q[7]["_rule"], q[7]["_detail"]) == ("duplicate_key", "same (order_id, order_line) as row 6")


def test_files_are_taken_in_the_text_order_of_their_paths(paths):
    # the manifest orders a load's files by source_file as text; ingestion must take them in
    # that order too. '-' sorts before '/', so the file beside the folder comes first (a sort of
    # path parts would put the folder's file first, as "2024" is a prefix of "2024-extra.csv").
    for rel in ("2024/x.csv", "2024-extra.csv", "2023.csv"):
        write_landed(_folder(paths) / rel, ORDER_LINES, _orders(1))
    assert [f.relative for f in discover(paths.landing, ORDER_LINES)] == [
        "sales/order_lines/2023.csv",
        "sales/order_lines/2024-extra.csv",
        "sales/order_lines/2024/x.csv",
    ]
