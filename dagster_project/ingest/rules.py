"""Turn a feed contract into DuckDB SQL: one expression that lists every rule a row
breaks, and one typed projection for the rows that break none.

Rule names are stable strings (`required`, `type_decimal`, `allowed_values`,
`below_min`, `above_max`, `duplicate_key`, plus the structural `csv_*` and
`json_*` rules set by the reader); quarantine rows carry them with the column.
"""

from __future__ import annotations

from ..contracts import Column, Feed
from ..contracts.base import FALSE_WORDS, TRUE_WORDS


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _cell(c: Column) -> str:
    """The landed text of a cell, NULL when empty or blank."""
    return f"nullif(trim({q(c.name)}), '')"


def _typed(c: Column, cell: str) -> str:
    if c.type == "boolean":
        return (
            f"case when lower({cell}) in ({', '.join(map(lit, TRUE_WORDS))}) then true "
            f"when lower({cell}) in ({', '.join(map(lit, FALSE_WORDS))}) then false end"
        )
    return f"try_cast({cell} as {c.duckdb_type})"


def _bound(c: Column, value: float | str) -> str:
    return f"cast({lit(value)} as {c.duckdb_type})"


def _failure(rule: str, c: Column, condition: str, message: str) -> str:
    """A struct describing a broken rule, or NULL when the condition is false."""
    return (
        f"case when {condition} then {{'rule': {lit(rule)}, 'col': {lit(c.name)}, "
        f"'message': {message}}} end"
    )


def column_failures(c: Column) -> list[str]:
    cell = _cell(c)
    shown = f"{lit(c.name + '=')} || coalesce('''' || {cell} || '''', 'empty')"
    out = []
    if c.required:
        out.append(_failure("required", c, f"{cell} is null", lit(f"{c.name} is required but empty")))
    if c.type != "string":
        out.append(
            _failure(
                f"type_{c.type}", c, f"{cell} is not null and {_typed(c, cell)} is null",
                f"{shown} || {lit(' is not a valid ' + c.type)}",
            )
        )
    if c.allowed:
        allowed = ", ".join(lit(v) for v in c.allowed)
        out.append(
            _failure(
                "allowed_values", c, f"lower({cell}) not in ({allowed})",
                f"{shown} || {lit(' is not one of: ' + ', '.join(c.allowed))}",
            )
        )
    if c.min is not None:
        out.append(
            _failure("below_min", c, f"{_typed(c, cell)} < {_bound(c, c.min)}", f"{shown} || {lit(f' is below {c.min}')}")
        )
    if c.max is not None:
        out.append(
            _failure("above_max", c, f"{_typed(c, cell)} > {_bound(c, c.max)}", f"{shown} || {lit(f' is above {c.max}')}")
        )
    return out


def duplicate_key_failure(feed: Feed) -> str:
    """Second and later rows of a business key within one file: which one is right is unknowable."""
    key_cells = [_cell(feed.column(k)) for k in feed.business_key]
    all_present = " and ".join(f"{k} is not null" for k in key_cells)
    first_col = feed.column(feed.business_key[0])
    occurrence = f"row_number() over (partition by _source_file, {', '.join(key_cells)} order by _source_row)"
    first_row = f"min(_source_row) over (partition by _source_file, {', '.join(key_cells)})"
    return _failure(
        "duplicate_key", first_col, f"{all_present} and {occurrence} > 1",
        f"{lit('duplicate business key (' + ', '.join(feed.business_key) + ') of row ')} || {first_row}",
    )


def failures_expression(feed: Feed) -> str:
    """A list of structs {rule, column, message}: empty for a valid row."""
    parts = [f for c in feed.columns for f in column_failures(c)]
    parts.append(duplicate_key_failure(feed))
    return "list_filter([" + ",\n  ".join(parts) + "], lambda x: x is not null)"


def typed_projection(feed: Feed) -> list[str]:
    """Select expressions producing the raw-lake columns from valid landed text."""
    out = []
    for c in feed.columns:
        cell = _cell(c)
        if c.allowed:
            value = f"lower({cell})"
        elif c.type == "string":
            # Strings keep their landed spelling (staging trims and normalises); blank is NULL.
            value = f"case when trim({q(c.name)}) = '' then null else {q(c.name)} end"
        else:
            value = _typed(c, cell)
        if c.default is not None:
            default = lit(c.default) if c.type == "string" else _typed(c, lit(c.default))
            value = f"coalesce({value}, {default})"
        out.append(f"cast({value} as {c.duckdb_type}) as {q(c.name)}")
    return out


def original_text(columns: dict[str, str]) -> str:
    """The row as it landed, as a JSON object {header name: cell text}, for quarantine."""
    return "to_json({" + ", ".join(f"{lit(header)}: {q(col)}" for header, col in columns.items()) + "})"
