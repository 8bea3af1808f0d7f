"""The vocabulary of a landing contract: what a feed's files must look like.

A contract is written once, here, and read by ingestion (validation SQL),
by the dbt source YAML exporter (docs and column types) and by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

# Digits a decimal keeps after the point; a cell with more is quarantined, never rounded.
DECIMAL_SCALE = 4

# Contract types and the DuckDB type each one is validated and stored as.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": f"DECIMAL(18,{DECIMAL_SCALE})",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

# What a cell must look like (after trimming blanks) before it is converted: DuckDB's casts
# alone would round `3.5` to 4, read `0x3` and `1e3` as numbers and drop a timestamp's offset.
# A cell that does not match is quarantined with `type_<type>`. ASCII blanks around a number
# (a tab) are allowed, as the casts allow them.
INTEGER_TEXT = r"\s*[+-]?[0-9]+\s*"
DECIMAL_TEXT = rf"\s*[+-]?([0-9]+(\.[0-9]{{0,{DECIMAL_SCALE}}})?|\.[0-9]{{1,{DECIMAL_SCALE}}})\s*"
# A timestamp with no offset or zone; anything after it (`Z`, `+05:00`, `-0500`,
# ` America/Bogota`) is read as an offset or zone and converted (settings.TIMEZONE_ENV).
NAIVE_TIMESTAMP_TEXT = r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?\s*"

# What each type accepts, in words (the contract reference in README.md is generated from it).
TYPE_RULES = {
    "string": "any text; leading and trailing blanks are kept in raw and trimmed in staging",
    "integer": "digits with an optional sign: `42`, `-3`, `+7`, `007`; not `3.5`, `1e3`, `0x3`, `1,000` or `1_000`",
    "decimal": f"digits with an optional sign and a dot, at most {DECIMAL_SCALE} after it: `12.5`, `-0.25`, `.5`; "
    "not `12,50`, `1e3` or `12.34567` (nothing is rounded)",
    "date": "`YYYY-MM-DD`, a real calendar date",
    "timestamp": "`YYYY-MM-DD HH:MM[:SS[.ffffff]]` (or with `T`), taken as the time zone `$VECTOR_CRM_TIMEZONE` "
    "(default `UTC`); followed by an offset or zone (`Z`, `+05:00`, `-0500`, ` America/Bogota`) it is "
    "converted to that zone, never truncated",
    "boolean": "`true`/`false`, `t`/`f`, `1`/`0`, `yes`/`no`, `y`/`n` (any case)",
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
# `+cmd|...`, `-2+3+cmd|...`) must not travel on to analysts' exports. It is judged as staging
# and a spreadsheet will read it: after any leading blanks, Unicode spaces (a no-break space),
# control characters (a tab, a line break) and invisible format characters. Phone numbers
# such as `+57 300 123 4567` and negative numbers do not match.
LEADING_BLANKS_PATTERN = r"^[\s\p{Z}\p{Cc}\p{Cf}]+"
FORMULA_PATTERN = r"^([=@]|[+-]\s*[A-Za-z(]|[+-].*[|!])"
# The first characters a matching cell can start with, besides any non-printable or non-ASCII
# one (a cheap test before the patterns).
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
