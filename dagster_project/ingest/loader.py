"""Landing → raw lake + quarantine + manifest, for one feed.

New files are loaded in steps of up to ``chunk_bytes``: DuckDB reads all files of a
step in one scan, checks every row against the contract in one query, and writes
one raw part (valid rows, typed) and one quarantine part (every other row, with
the rules it broke and its original text). Row conservation holds per file:
rows read = rows in raw + rows in quarantine.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..contracts import Feed
from ..contracts.base import LINEAGE_COLUMNS
from ..settings import Paths, duckdb_connect
from ..sql import lit, q
from . import manifest as mf
from .landing import LandedFile, discover, inspect
from .lock import feed_lock
from .rules import (
    FAILURE_TYPE,
    check_timezone,
    duplicate_key_candidates,
    duplicate_keys,
    failures_expression,
    is_bad_expression,
    key_cells,
    original_text,
    prepared_columns,
    typed_output,
)

DEFAULT_CHUNK_BYTES = int(os.environ.get("VECTOR_CRM_INGEST_CHUNK_MB", "512")) * 1024 * 1024
INSPECT_THREADS = 2
LF, CRLF = r"\n", r"\r\n"  # DuckDB's spelling of the two line endings


@dataclass
class FileResult:
    source_file: str
    # loaded | already_loaded | duplicate_content | rejected (now) | still_rejected (an earlier
    # run rejected it and it has not changed since: not read again)
    status: str
    batch_id: str = ""
    rows_read: int = 0
    rows_raw: int = 0
    rows_quarantined: int = 0
    problem: str | None = None


@dataclass
class FeedReport:
    feed: Feed
    loaded_at: datetime
    files: list[FileResult] = field(default_factory=list)
    rule_counts: Counter = field(default_factory=Counter)
    ignored_columns: set[str] = field(default_factory=set)
    parts: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_raw(self) -> int:
        return sum(f.rows_raw for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def ingest_feed(
    paths: Paths,
    feed: Feed,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    select: Callable[[LandedFile], bool] | None = None,
    say: Callable[[str], None] | None = None,
) -> FeedReport:
    """Load the feed's new landing files; with ``select``, only the files it accepts
    (a partitioned run: the files of its days). Other files are not looked at. Holds the
    feed's load lock (lock.py) throughout; `say` tells why it waits, if it must."""
    with feed_lock(paths, feed, say):
        return _ingest_feed(paths, feed, chunk_bytes, select)


def _ingest_feed(paths: Paths, feed: Feed, chunk_bytes: int, select: Callable[[LandedFile], bool] | None) -> FeedReport:
    raw_dir = paths.feed_dir(paths.raw, feed.source, feed.name)
    quarantine_dir = paths.feed_dir(paths.quarantine, feed.source, feed.name)
    manifest_dir = paths.feed_dir(paths.manifest, feed.source, feed.name)
    for d in (raw_dir, quarantine_dir, manifest_dir):
        d.mkdir(parents=True, exist_ok=True)
    mf.remove_orphans(manifest_dir, [raw_dir, quarantine_dir])
    _write_schema_part(feed, raw_dir)

    report = FeedReport(feed, datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    known = mf.load_known(manifest_dir)
    to_load: list[LandedFile] = []
    duplicates: list[tuple[LandedFile, str]] = []
    seen_now: dict[str, str] = {}
    candidates = []
    for f in discover(paths.landing, feed):
        if select is not None and not select(f):
            continue
        stat = (f.relative, f.size, f.mtime_ns)
        if stat in known.rejected:
            report.files.append(FileResult(f.relative, "still_rejected", problem=known.rejected[stat]))
        elif stat in known.by_stat:
            report.files.append(FileResult(f.relative, "already_loaded"))
        else:
            candidates.append(f)
    # Hashing releases the GIL: two threads read and hash two files at a time.
    with ThreadPoolExecutor(max_workers=INSPECT_THREADS) as pool:
        inspected = list(pool.map(lambda f: inspect(f, feed), candidates))
    for f in inspected:
        if f.problem:
            report.files.append(FileResult(f.relative, "rejected", f.batch_id, problem=f.problem))
        elif f.content_hash in known.by_hash or f.content_hash in seen_now:
            original = known.by_hash.get(f.content_hash) or seen_now[f.content_hash]
            duplicates.append((f, original))
            report.files.append(
                FileResult(f.relative, "duplicate_content", f.batch_id, problem=f"same bytes as {original}")
            )
        else:
            seen_now[f.content_hash] = f.relative
            to_load.append(f)

    for chunk in _chunks(to_load, chunk_bytes):
        _load_chunk(paths, feed, chunk, report, raw_dir, quarantine_dir, manifest_dir)
    # Duplicates and unreadable files are recorded too, so that a later run skips them until
    # they change, and the manifest says why nothing was loaded from them.
    by_name = {f.relative: f for f in inspected}
    skipped = [
        (f, "duplicate_content", original, FileResult(f.relative, "duplicate_content")) for f, original in duplicates
    ]
    skipped += [(by_name[r.source_file], "rejected", None, r) for r in report.rejected]
    if skipped:
        _commit_manifest(manifest_dir, _new_part_id(report), report.loaded_at, skipped)
    return report


def _chunks(files: list[LandedFile], chunk_bytes: int):
    chunk, size = [], 0
    for f in files:
        if chunk and size + f.size > chunk_bytes:
            yield chunk
            chunk, size = [], 0
        chunk.append(f)
        size += f.size
    if chunk:
        yield chunk


def _new_part_id(report: FeedReport) -> str:
    return f"part-{report.loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _write_schema_part(feed: Feed, raw_dir: Path) -> None:
    """A zero-row file with the full typed schema, so readers of the folder always find one."""
    cols = ", ".join(
        [f"cast(null as {c.duckdb_type}) as {q(c.name)}" for c in feed.columns]
        + [f"cast(null as {typ}) as {name}" for name, typ, _ in LINEAGE_COLUMNS]
    )
    target = raw_dir / "_schema.parquet"
    con = duckdb_connect()
    try:
        con.execute(f"copy (select {cols} limit 0) to {lit(str(target) + '.tmp')} (format parquet)")
    finally:
        con.close()
    os.replace(str(target) + ".tmp", target)


def _load_chunk(paths, feed, chunk, report, raw_dir, quarantine_dir, manifest_dir) -> None:
    part_id = _new_part_id(report)
    raw_tmp = raw_dir / f"{part_id}.parquet.tmp"
    q_tmp = quarantine_dir / f"{part_id}.parquet.tmp"
    con = duckdb_connect()
    try:
        check_timezone(con)
        con.execute(
            "create temp table files as select unnest(?) as path, unnest(?) as source_file, unnest(?) as batch_id, "
            "unnest(?) as file_no",
            [
                [str(f.path) for f in chunk],
                [f.relative for f in chunk],
                [f.batch_id for f in chunk],
                list(range(len(chunk))),
            ],
        )
        readable = _read_landed(con, feed, chunk, report)
        if not readable:
            return
        loaded_at = f"cast({lit(report.loaded_at.isoformat(sep=' '))} as timestamp)"
        con.execute(
            f"copy (select {', '.join(q(c) for c in feed.column_names)}, _source_file, _source_row, _batch_id, "
            f"{loaded_at} as _loaded_at from checked where not _bad) "
            f"to {lit(str(raw_tmp))} (format parquet, compression zstd)"
        )
        con.execute(
            "create temp view bad as select _source_file, _source_row, _batch_id, _failures as f, _original "
            "from checked where _bad"
        )
        con.execute(
            f"""copy (
              select _source_file, _source_row, _batch_id, {loaded_at} as _loaded_at,
                f[1].rule as _rule, f[1].col as _column,
                array_to_string(list_transform(f, lambda x: x.message), '; ') as _detail,
                list_transform(f, lambda x: x.rule || ':' || coalesce(x.col, '')) as _rules,
                _original
              from bad
              union all
              select _source_file, _source_row, _batch_id, {loaded_at},
                _rule, _column, _detail, [_rule || ':' || coalesce(_column, '')], _original
              from rejected_lines
              order by _source_file, _source_row
            ) to {lit(str(q_tmp))} (format parquet, compression zstd)"""
        )
        per_file = {
            r[0]: r[1:]
            for r in con.execute(
                """
                with c as (
                  select _source_file, count(*) as n, count(*) filter (where not _bad) as ok
                  from checked group by all
                ), r as (select _source_file, count(*) as n from rejected_lines group by all)
                select f.source_file, coalesce(c.n, 0) + coalesce(r.n, 0), coalesce(c.ok, 0),
                       coalesce(c.n, 0) - coalesce(c.ok, 0) + coalesce(r.n, 0)
                from files f left join c on c._source_file = f.source_file
                left join r on r._source_file = f.source_file
                """
            ).fetchall()
        }
        for rule, n in con.execute(
            "select rule, count(*) from (select unnest(list_transform(f, lambda x: x.rule || ':' || coalesce(x.col, ''))) as rule "
            "from bad union all select _rule || ':' || coalesce(_column, '') from rejected_lines) group by all"
        ).fetchall():
            report.rule_counts[rule] += n
    finally:
        con.close()

    os.replace(raw_tmp, raw_dir / f"{part_id}.parquet")
    os.replace(q_tmp, quarantine_dir / f"{part_id}.parquet")
    entries = []
    for f in readable:
        read, ok, bad = per_file[f.relative]
        if read != ok + bad:  # guards the counting itself; cannot happen by construction
            raise RuntimeError(f"{f.relative}: {read} rows read but {ok} raw + {bad} quarantined")
        entries.append((f, "loaded", None, FileResult(f.relative, "loaded", f.batch_id, read, ok, bad)))
    _commit_manifest(manifest_dir, part_id, report.loaded_at, entries)
    report.files.extend(e[3] for e in entries)
    report.parts.append(part_id)


def _commit_manifest(manifest_dir: Path, part_id: str, loaded_at: datetime, entries) -> None:
    """Write a manifest part (one row per file) and rename it into place: the commit point."""
    rows = [
        [
            f.relative,
            f.content_hash,
            f.batch_id,
            f.size,
            f.mtime_ns,
            status,
            dup_of,
            r.rows_read,
            r.rows_raw,
            r.rows_quarantined,
            part_id,
            loaded_at,
            r.problem if status == "rejected" else None,
        ]
        for f, status, dup_of, r in entries
    ]
    columns = list(zip(*rows, strict=True))  # one list per manifest column, inserted in one statement
    select = ", ".join(f"cast(unnest(?) as {typ}) as {name}" for name, typ in mf.MANIFEST_COLUMNS.items())
    tmp = manifest_dir / f"{part_id}.parquet.tmp"
    con = duckdb_connect()
    try:
        con.execute(f"copy (select {select}) to {lit(str(tmp))} (format parquet)", [list(c) for c in columns])
    finally:
        con.close()
    os.replace(tmp, manifest_dir / f"{part_id}.parquet")


# --- reading landed files into the `checked` table -------------------------------------------


def _read_landed(con, feed: Feed, chunk: list[LandedFile], report: FeedReport) -> list[LandedFile]:
    """Fill `checked` (one row per landed row: its cells as text, lineage, and whether it
    breaks a rule) and `rejected_lines` (rows the parser could not split). Returns the
    files that were readable; the others are marked rejected."""
    cols = ", ".join(f"{q(c.name)} {c.duckdb_type}" for c in feed.columns)
    con.execute(
        f"create temp table checked ({cols}, _source_file VARCHAR, _source_row BIGINT, _batch_id VARCHAR, "
        f"_bad BOOLEAN, _failures {FAILURE_TYPE}[], _original VARCHAR)"
    )
    con.execute(
        "create temp table rejected_lines (_source_file VARCHAR, _source_row BIGINT, _batch_id VARCHAR, "
        "_rule VARCHAR, _column VARCHAR, _detail VARCHAR, _original VARCHAR)"
    )
    reader = _read_csv_group if feed.file_format == "csv" else _read_jsonl_group
    groups: dict[tuple, list[LandedFile]] = {}
    for f in chunk:
        # One scan per header and line ending: the reader is told one `new_line` per scan (a
        # CRLF file read as LF, or the reverse, silently gave no rows at all).
        groups.setdefault((tuple(f.header), f.crlf), []).append(f)
    readable = []
    for group in groups.values():
        try:
            _check_group(con, feed, group, reader(con, feed, group, report))
            readable.extend(group)
        except duckdb.Error:
            # One bad file must not sink the others: retry one by one and reject only the culprit.
            for f in group:
                try:
                    _check_group(con, feed, [f], reader(con, feed, [f], report))
                    readable.append(f)
                except duckdb.Error as e:
                    f.problem = explain_unreadable(f, str(e).splitlines()[0])
                    report.files.append(FileResult(f.relative, "rejected", f.batch_id, problem=f.problem))
    return readable


def explain_unreadable(f: LandedFile, error: str) -> str:
    """What is wrong with a file DuckDB could not read, and how to fix it (checked only after
    the reader failed: a readable file costs nothing)."""
    crlf = bare_lf = 0
    first_bare = None
    line_no = 0
    with open(f.path, "rb") as fh:
        for line in fh:
            line_no += 1
            if line.endswith(b"\r\n"):
                crlf += 1
            elif line.endswith(b"\n"):
                bare_lf += 1
                first_bare = first_bare or line_no
    if crlf and bare_lf:
        return (
            f"mixed line endings: {crlf:,} line(s) end with CRLF (\\r\\n) and {bare_lf:,} with LF (\\n) alone, "
            f"the first at line {first_bare}; save the file with one kind of line ending (e.g. `dos2unix "
            f"{f.path.name}`, or your editor's line-ending setting) and land it again"
        )
    return (
        f"unreadable: {error}; check that every line has the header's number of cells, separated by commas, "
        "with quotes around cells that hold a comma, a quote or a line break, then land the file again"
    )


def _check_group(con, feed: Feed, group: list[LandedFile], original: str) -> None:
    """Append the group's rows (view `landed`) to `checked`: typed values, whether the row
    breaks a rule, and, for bad rows only, the broken rules and the row's original text
    (the landed cells are carried along so that the text is built for bad rows only)."""
    on = " and ".join(f"d._k{i} is not distinct from {k}" for i, k in enumerate(key_cells(feed)))
    for t in ("dups", "dup_candidates"):
        con.execute(f"drop table if exists {t}")
    con.execute(f"create temp table dup_candidates as {duplicate_key_candidates(feed, 'landed')}")
    con.execute(f"create temp table dups as {duplicate_keys(feed, 'landed', 'dup_candidates')}")
    con.execute(
        f"""
        insert into checked
        select {", ".join(typed_output(feed))}, _source_file, _source_row, _batch_id, _bad,
               case when _bad then {failures_expression(feed)} end,
               case when _bad then {original} end
        from (
          select *, {is_bad_expression(feed)} as _bad
          from (
            select {", ".join(prepared_columns(feed))}, landed.*,
                   case when _source_row > d._first_row then d._first_row end as _dup_of_row
            from landed left join dups d on d._source_file = landed._source_file and {on}
          )
        )
        """
    )
    con.execute("drop view landed")


def _read_csv_group(con, feed: Feed, group: list[LandedFile], report: FeedReport) -> str:
    """Read files sharing one header in a single DuckDB scan, keeping parser rejects, and
    define view `landed` over them. Returns the SQL for a row's original text.

    DuckDB numbers rejected lines (header = line 1, a quoted multi-line record counts
    once); a valid row's line follows from its position among the valid rows of its
    file (rows keep file order) and the rejected lines before it.
    """
    known = set(feed.column_names)
    names = [h if h in known else f"_ignored_{i}" for i, h in enumerate(group[0].header)]
    report.ignored_columns.update(h or "(blank)" for h in group[0].header if h not in known)
    columns = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in names) + "}"
    paths = "[" + ", ".join(lit(str(f.path)) for f in group) + "]"
    new_line = lit(CRLF if group[0].crlf else LF)
    for t in ("g", "g_rej_errors", "g_rej_scans"):
        con.execute(f"drop table if exists {t}")
    con.execute(
        f"""create temp table g as select * from read_csv({paths}, header = true, columns = {columns},
              delim = ',', quote = '"', escape = '"', auto_detect = false, null_padding = false,
              filename = '_path', store_rejects = true, rejects_table = 'g_rej_errors',
              rejects_scan = 'g_rej_scans', new_line = {new_line})"""
    )
    con.execute(
        """
        insert into rejected_lines
        select files.source_file, e.line, files.batch_id,
               -- errors of the whole line (line too long) have no column: they sort first
               'csv_' || lower(replace(arg_min(e.error_type, coalesce(e.column_idx, -1)), ' ', '_')),
               arg_min(e.column_name, coalesce(e.column_idx, -1)),
               string_agg(e.error_message, '; '), min(e.csv_line)
        from g_rej_errors e join g_rej_scans s using (scan_id, file_id)
        join files on files.path = s.file_path
        group by files.source_file, e.line, files.batch_id
        """
    )
    has_rejects = con.execute("select count(*) from g_rej_errors").fetchone()[0] > 0
    # k: position of a valid row among the valid rows of its file (1-based).
    line = "k + 1"
    steps = ""
    if has_rejects:
        line = "k + 1 + coalesce(rej_steps.i, 0)"
        steps = (
            "asof left join (select s.file_path as _path, e.line - i - 1 as valid_before, max(i) as i from "
            "(select scan_id, file_id, line, row_number() over (partition by scan_id, file_id order by line) as i "
            " from (select distinct scan_id, file_id, line from g_rej_errors)) e "
            "join g_rej_scans s using (scan_id, file_id) group by all) rej_steps "
            "on valid._path = rej_steps._path and valid.k > rej_steps.valid_before"
        )
    select_cols = ", ".join(q(c.name) if c.name in names else f"null as {q(c.name)}" for c in feed.columns)
    extra = ", ".join(q(n) for n in names if n.startswith("_ignored_"))
    con.execute(
        f"""
        create or replace temp view landed as
        select {select_cols}{", " + extra if extra else ""}, files.source_file as _source_file, files.file_no as _file_no,
               {line} as _source_row, files.batch_id as _batch_id,
               cast(null as {FAILURE_TYPE}[]) as _pre_failures
        from (
          select g.*, g.rowid - starts.base as k
          from g join (select _path, min(rowid) - 1 as base from g group by _path) starts using (_path)
        ) valid
        {steps}
        join files on files.path = valid._path
        """
    )
    return original_text(dict(zip(group[0].header, names, strict=False)))


def _read_jsonl_group(con, feed: Feed, group: list[LandedFile], report: FeedReport) -> str:
    """JSON lines: DuckDB's parallel JSON reader when every line of every file is one JSON
    object (the usual case), otherwise the exact line-by-line reader, which keeps broken
    lines with their number and text."""
    try:
        return _read_jsonl_fast(con, feed, group)
    except (duckdb.Error, _NotOneRecordPerLine):
        return _read_jsonl_exact(con, feed, group)


class _NotOneRecordPerLine(Exception):
    """Blank lines (which the JSON reader skips) would shift line numbers."""


def _read_jsonl_fast(con, feed: Feed, group: list[LandedFile]) -> str:
    paths = "[" + ", ".join(lit(str(f.path)) for f in group) + "]"
    columns = "{" + ", ".join(f"{lit(c.name)}: 'VARCHAR'" for c in feed.columns) + "}"
    con.execute("drop table if exists g")
    con.execute(
        f"create temp table g as select * from read_json({paths}, format = 'newline_delimited', "
        f"columns = {columns}, filename = '_path')"
    )
    counts = dict(con.execute("select _path, count(*) from g group by all").fetchall())
    if any(counts.get(str(f.path), 0) != f.line_count for f in group):
        raise _NotOneRecordPerLine()
    cells = ", ".join(q(c.name) for c in feed.columns)
    con.execute(
        f"""
        create or replace temp view landed as
        select {cells}, files.source_file as _source_file, files.file_no as _file_no, g.rowid - starts.base as _source_row,
               files.batch_id as _batch_id, cast(null as {FAILURE_TYPE}[]) as _pre_failures
        from g join (select _path, min(rowid) - 1 as base from g group by _path) starts using (_path)
        join files on files.path = g._path
        """
    )
    # The object's contract fields, as text: what the line said, minus unknown keys and layout.
    return original_text({c.name: c.name for c in feed.columns})


def _read_jsonl_exact(con, feed: Feed, group: list[LandedFile]) -> str:
    """Every line as text (a broken line is kept, with its number), parsed with DuckDB's JSON
    functions. Blank lines are not rows. Lines are split first, in their own step: the
    split runs on one thread, the parsing after it on all."""
    paths = "[" + ", ".join(lit(str(f.path)) for f in group) + "]"
    json_paths = "[" + ", ".join(lit("$." + q(c.name)) for c in feed.columns) + "]"
    cells = ", ".join(f"cells[{i + 1}] as {q(c.name)}" for i, c in enumerate(feed.columns))
    for t in ("g", "g_lines"):
        con.execute(f"drop table if exists {t}")
    con.execute(
        f"""
        create temp table g_lines as
        select filename as _path, unnest(string_split(content, chr(10))) as raw_line,
               generate_subscripts(string_split(content, chr(10)), 1) as _source_row
        from read_text({paths})
        """
    )
    con.execute(
        f"""
        create temp table g as
        with parsed as (
          select _path, _source_row, rtrim(raw_line, chr(13)) as line
          from g_lines where trim(raw_line) <> ''
        ), objects as (
          select *, json_valid(line) as is_json, starts_with(ltrim(line), '{{') as is_object from parsed
        )
        select *, case when is_json and is_object then json_extract_string(line, {json_paths}) end as cells
        from objects
        """
    )
    con.execute(
        f"""
        create or replace temp view landed as
        select {cells}, files.source_file as _source_file, files.file_no as _file_no, _source_row,
               files.batch_id as _batch_id, line,
          case
            when not is_json then [{{'rule': 'json_malformed', 'col': null, 'message': 'line is not valid JSON'}}]
            when not is_object then [{{'rule': 'json_not_object', 'col': null,
                                       'message': 'line is JSON but not an object'}}]
          end as _pre_failures
        from g join files on files.path = g._path
        """
    )
    return "line"
