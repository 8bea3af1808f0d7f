"""Turn a feed contract into DuckDB SQL.

Checking is two projections over the landed text (one row per landed row):

1. `prepared_columns`: for every contract column i, `_cell{i}` (its text, NULL when
   blank) and `_val{i}` (its typed value, NULL when blank or not convertible);
2. over those, `is_bad_expression` (one boolean: does the row break any rule?),
   `typed_output` (the raw-lake columns) and, for bad rows only, `failures_expression`
   (a list of {rule, col, message}).

Each value is converted once; the detailed failure list is built only for bad rows.
Rule names are stable strings (`required`, `type_<type>`, `allowed_values`,
`below_min`, `above_max`, `too_long`, `formula_text`, `duplicate_key`, plus the structural `csv_*` and `json_*`
rules set by the readers); quarantine rows carry them with the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..contracts import Column, Feed
from ..contracts.base import (
    DECIMAL_TEXT,
    FALSE_WORDS,
    INTEGER_TEXT,
    MAX_TEXT_CHARS,
    NAIVE_TIMESTAMP_TEXT,
    TRUE_WORDS,
)
from ..settings import timezone
from ..sql import case_of, formula_condition, lit, q

FAILURE_TYPE = "STRUCT(rule VARCHAR, col VARCHAR, message VARCHAR)"


def _convert(c: Column, text: str) -> str:
    """Text to the column's type; NULL when it does not convert. Numbers and timestamps must
    look like what the contract accepts (contracts.base.TYPE_RULES) before they are cast: a
    cast alone rounds, reads hexadecimal and exponents, and drops a timestamp's offset."""
    if c.type == "boolean":
        words = {**{lit(w): "false" for w in FALSE_WORDS}, **{lit(w): "true" for w in TRUE_WORDS}}
        return case_of(f"lower({text})", words)
    if c.type == "string":
        return f"lower({text})" if c.allowed else text
    pattern = {"integer": INTEGER_TEXT, "decimal": DECIMAL_TEXT}.get(c.type)
    if pattern:
        return f"(case when regexp_full_match({text}, {lit(pattern)}) then try_cast({text} as {c.duckdb_type}) end)"
    if c.type == "timestamp":
        # with an offset or a zone: to the configured zone's wall-clock time (ICU is built in)
        return (
            f"(case when regexp_full_match({text}, {lit(NAIVE_TIMESTAMP_TEXT)}) then try_cast({text} as TIMESTAMP) "
            f"else timezone({lit(timezone())}, try_cast({text} as TIMESTAMPTZ)) end)"
        )
    return f"try_cast({text} as {c.duckdb_type})"


def check_timezone(con) -> None:
    """Fail before loading anything when the configured time zone is unknown."""
    try:
        con.execute("select timezone(?, timestamptz '2000-01-01 00:00:00+00')", [timezone()]).fetchone()
    except Exception as e:  # duckdb raises several kinds for an unknown zone
        raise ValueError(
            f"VECTOR_CRM_TIMEZONE={timezone()!r} is not a time zone DuckDB knows "
            "(an IANA name such as UTC or America/Bogota)"
        ) from e


def cell_text(column: str) -> str:
    """A landed cell as text, blank = NULL: `nullif(trim(x), '')`, with a fast path that gives
    the same value. DuckDB's trim costs ~70 ns a cell (it looks for Unicode space separators
    at both ends, and copies); a pure-ASCII cell that starts with a visible character and
    does not end with a space has nothing to trim and is not blank."""
    return (
        f"(case when ascii({column}) between 33 and 126 and not ends_with({column}, ' ') "
        f"and strlen({column}) = length({column}) then {column} else nullif(trim({column}), '') end)"
    )


def _is_free_text(c: Column) -> bool:
    return c.type == "string" and not c.allowed


def prepared_columns(feed: Feed) -> list[str]:
    """Level 1: `_cell{i}` (for columns whose rules or messages read it) and `_val{i}` per contract column."""
    out = []
    for i, c in enumerate(feed.columns):
        cell = cell_text(q(c.name))
        # Only when a rule reads it: trimming every free-text cell of every row costs ~15 %
        # of a load, and free text's own rules read the landed cell (`_val`) instead.
        if any(re.search(rf"\b_cell{i}\b", ch.condition + ch.message) for ch in column_checks(i, c)):
            out.append(f"{cell} as _cell{i}")
        # Free text keeps its landed spelling (staging trims and normalises); the readers
        # already give NULL for an empty cell.
        out.append(f"{q(c.name) if _is_free_text(c) else _convert(c, cell)} as _val{i}")
    return out


@dataclass(frozen=True)
class Check:
    """One rule on one column: broken when `condition` is true (NULL counts as not broken)."""

    rule: str
    column: str
    condition: str
    message: str  # SQL expression for a human-readable message

    def as_failure(self) -> str:
        return (
            f"case when {self.condition} then {{'rule': {lit(self.rule)}, 'col': {lit(self.column)}, "
            f"'message': {self.message}}} end"
        )


def column_checks(i: int, c: Column) -> list[Check]:
    cell, val = f"_cell{i}", f"_val{i}"
    shown = f"{lit(c.name + '=')} || coalesce('''' || {cell} || '''', 'empty')"
    checks = []
    if c.required:
        checks.append(Check("required", c.name, f"{cell} is null", lit(f"{c.name} is required but empty")))
    if c.type != "string":
        checks.append(
            Check(
                f"type_{c.type}",
                c.name,
                f"{cell} is not null and {val} is null",
                f"{shown} || {lit(' is not a valid ' + c.type)}",
            )
        )
    if c.allowed:
        # NULL (empty cell) is not broken, as with `not in`.
        not_allowed = case_of(val, {lit(v): "false" for v in c.allowed}, f"{val} is not null")
        checks.append(
            Check("allowed_values", c.name, not_allowed, f"{shown} || {lit(' is not one of: ' + ', '.join(c.allowed))}")
        )
    if _is_free_text(c):
        # On the landed cell (`_val` is free text as landed), with cheap tests first: a
        # cell's byte length is known without reading it, and only cells that start with a
        # formula character (or blank) reach the regular expression, which skips blanks.
        text = f"trim({val})"
        checks.append(
            Check(
                "too_long",
                c.name,
                f"(case when strlen({val}) > {MAX_TEXT_CHARS} then length({text}) > {MAX_TEXT_CHARS} else false end)",
                f"{lit(c.name + ' has ')} || length({text}) || {lit(f' characters (at most {MAX_TEXT_CHARS})')}",
            )
        )
        # code points: no substring built
        checks.append(
            Check(
                "formula_text",
                c.name,
                formula_condition(val),
                f"{lit(c.name + '=')} || to_json({val}) || {lit(' starts like a spreadsheet formula')}",
            )
        )
    for rule, bound, op, word in (("below_min", c.min, "<", "below"), ("above_max", c.max, ">", "above")):
        if bound is not None:
            checks.append(
                Check(
                    rule,
                    c.name,
                    f"{val} {op} cast({lit(bound)} as {c.duckdb_type})",
                    f"{shown} || {lit(f' is {word} {bound}')}",
                )
            )
    return checks


def feed_checks(feed: Feed) -> list[Check]:
    """Every rule of the contract, plus the duplicate-key rule. That one reads `_dup_of_row`:
    the first row of the same business key in the same file, set on later rows only."""
    checks = [ch for i, c in enumerate(feed.columns) for ch in column_checks(i, c)]
    key = ", ".join(duplicate_key_columns(feed))
    checks.append(
        Check(
            "duplicate_key",
            key,
            "_dup_of_row is not null",
            f"{lit('same (' + key + ') as row ')} || _dup_of_row",
        )
    )
    return checks


def is_bad_expression(feed: Feed) -> str:
    """Level 2: does the row break any rule (structural failures included)?"""
    return (
        "(_pre_failures is not null or coalesce("
        + " or ".join(f"({ch.condition})" for ch in feed_checks(feed))
        + ", false))"
    )


def failures_expression(feed: Feed) -> str:
    """Level 2: the list of broken rules; structural failures (unparseable rows) stand alone."""
    parts = [ch.as_failure() for ch in feed_checks(feed)]
    return "coalesce(_pre_failures, list_filter([" + ",\n  ".join(parts) + "], lambda x: x is not null))"


def typed_output(feed: Feed) -> list[str]:
    """Level 2: the raw-lake columns, typed, with the contract's defaults for empty cells."""
    out = []
    for i, c in enumerate(feed.columns):
        value = f"_val{i}"
        if c.default is not None:
            value = f"coalesce({value}, {_convert(c, lit(c.default))})"
        out.append(f"cast({value} as {c.duckdb_type}) as {q(c.name)}")
    return out


def duplicate_key_columns(feed: Feed) -> tuple[str, ...]:
    """What makes two rows of one file the same row. A feed with a version column may send
    several versions of a key in one file (a case opened and closed the same day): rows
    differ when their versions differ."""
    return feed.business_key + ((feed.version_column,) if feed.version_column else ())


def key_cells(feed: Feed) -> list[str]:
    """The duplicate key as cell texts (blank = NULL), to compare rows within a file."""
    return [cell_text(q(k)) for k in duplicate_key_columns(feed)]


def _key_present(feed: Feed) -> str:
    return " and ".join(f"{k} is not null" for k in key_cells(feed)[: len(feed.business_key)])


def _key_hash(feed: Feed) -> str:
    return f"hash({', '.join(key_cells(feed))})"


def duplicate_key_candidates(feed: Feed, relation: str) -> str:
    """Step 1 of finding duplicate keys: (file, 64-bit hash of the key) pairs seen more than
    once. Grouping 8-byte hashes is much cheaper than grouping the key's text; a hash
    collision only adds a candidate, which step 2 rules out on the real cells."""
    return (
        f"select _file_no, {_key_hash(feed)} as _h from {relation} "
        f"where {_key_present(feed)} group by all having count(*) > 1"
    )


def duplicate_keys(feed: Feed, relation: str, candidates: str) -> str:
    """Step 2: keys seen more than once in a file, with the first row they appear on, among
    the candidate rows only. A row whose business key is incomplete is never a duplicate; a
    missing version counts as a value."""
    keys = key_cells(feed)
    named = ", ".join(f"{k} as _k{i}" for i, k in enumerate(keys))
    return (
        f"select _source_file, {named}, min(_source_row) as _first_row from {relation} "
        f"semi join {candidates} c on c._file_no = {relation}._file_no and c._h = {_key_hash(feed)} "
        f"where {_key_present(feed)} group by all having count(*) > 1"
    )


def original_text(columns: dict[str, str]) -> str:
    """The row as it landed, as a JSON object {header name: cell text}, for quarantine."""
    return "to_json({" + ", ".join(f"{lit(header)}: {q(col)}" for header, col in columns.items()) + "})"
