"""SQL text helpers every package builds DuckDB SQL with: quoting, literals, the
spreadsheet-formula test that ingestion quarantines by and publishing neutralises with, and
the names the warehouse gives the lake's tables (dbt's sources and the engines' loads).

A leaf module (it imports only the contracts' constants), so that ingest, quality, engines
and serving share these without importing one another."""

from __future__ import annotations

from .contracts.base import FORMULA_FIRST_CHARS, FORMULA_PATTERN, LEADING_BLANKS_PATTERN


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def case_of(value: str, results: dict[str, str], otherwise: str = "null") -> str:
    """`case value when k then v ... else otherwise end`: a membership test that DuckDB
    evaluates in place. (`x in (5 or more constants)` in a projection is planned as a MARK
    hash join, one per list, each carrying every column of the row through it.)"""
    whens = " ".join(f"when {k} then {v}" for k, v in results.items())
    return f"(case {value} {whens} else {otherwise} end)"


def formula_condition(text: str) -> str:
    """Does the text start like a spreadsheet formula once its leading blanks, Unicode spaces
    and control characters are gone? Only cells whose first code point is a formula character
    or not printable ASCII reach the regular expressions."""
    first = case_of(
        f"ascii({text})", {str(ord(x)): "true" for x in FORMULA_FIRST_CHARS}, f"ascii({text}) not between 33 and 126"
    )
    stripped = f"regexp_replace({text}, {lit(LEADING_BLANKS_PATTERN)}, '')"
    return f"(case when {first} then regexp_matches({stripped}, {lit(FORMULA_PATTERN)}) else false end)"


# Engines that do not read the lake's Parquet in place (PostgreSQL; Spark's external tables)
# hold each feed as the table raw.<source>__<feed> (dagster_project/engines/); DuckDB reads the
# external_location instead and ignores schema and identifier. dbt's sources YAML
# (transform/dbt_sources.py) and the engines' loads both name the tables so.
RAW_SCHEMA = "raw"
# the dbt source of the lake's own tables (the batch verdicts)
LAKE_SOURCE = "lake"


def raw_table(source: str, name: str) -> str:
    return f"{source}__{name}"
