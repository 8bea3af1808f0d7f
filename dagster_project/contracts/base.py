"""The vocabulary of a landing contract: what a feed's files must look like.

A contract is written once, here, and read by ingestion (validation SQL),
by the dbt source YAML exporter (docs and column types) and by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

# Contract types and the DuckDB type each one is validated and stored as.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18,4)",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

# Columns every raw-lake row carries besides its contract's columns: where it came from.
LINEAGE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("_source_file", "VARCHAR", "Landed file the row came from, relative to the landing directory."),
    ("_source_row", "BIGINT", "Line of the row in its landed file."),
    ("_batch_id", "VARCHAR", "Content hash of the landed file: one batch per landed file."),
    ("_loaded_at", "TIMESTAMP", "When ingestion loaded the batch into the raw lake."),
)

# Free text (string columns without allowed values) is checked for two things no column
# description states: a cell longer than this is not a name or a code but a broken export,
MAX_TEXT_CHARS = 1000
# and a cell that a spreadsheet would run as a formula (CSV injection: `=cmd|...`, `@SUM(...)`,
# `+cmd|...`, `-2+3+cmd|...`), leading blanks or not, must not travel on to analysts'
# exports. Phone numbers such as `+57 300 123 4567` and negative numbers do not match.
FORMULA_PATTERN = r"^ *([=@]|[+-]\s*[A-Za-z(]|[+-].*[|!])"
# The first character of every cell the pattern can match (a cheap test before the pattern).
FORMULA_FIRST_CHARS = ("=", "@", "+", "-", " ")

# What a boolean cell may say (compared lower-cased and trimmed).
TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    allowed: tuple[str, ...] | None = None  # allowed values, compared lower-cased
    min: float | str | None = None  # inclusive lower bound (number or ISO date)
    max: float | str | None = None  # inclusive upper bound
    default: str | None = None  # applied at ingestion when the cell is empty
    pii: bool = False  # personal data: never reaches a public mart in clear
    example: str = ""

    def __post_init__(self) -> None:
        if self.type not in DUCKDB_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")
        if self.required and self.default is not None:
            raise ValueError(f"column {self.name}: a required column has no default")

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Feed:
    source: str
    name: str
    description: str
    columns: tuple[Column, ...]
    business_key: tuple[str, ...]
    file_format: str = "csv"  # "csv" (UTF-8, comma, double quotes, header) or "jsonl"
    # Optional column whose larger value marks the newer version of a business key.
    version_column: str | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.key}: duplicate column names")
        for k in self.business_key:
            if k not in names:
                raise ValueError(f"{self.key}: business key column {k} is not a column")
        if self.file_format not in ("csv", "jsonl"):
            raise ValueError(f"{self.key}: unknown file format {self.file_format}")

    @property
    def key(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.key} has no column {name}")

    @property
    def file_suffixes(self) -> tuple[str, ...]:
        return (".csv",) if self.file_format == "csv" else (".jsonl", ".json", ".ndjson")
