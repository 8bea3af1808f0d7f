"""The dbt descriptions of the public marts, carried into what BI tools read: a ``COMMENT`` on
every table and column of the serving file (what a catalog, DBeaver or ``duckdb_columns()``
shows) and key-value metadata in every Parquet export (``parquet_kv_metadata()``; pyarrow's
``read_metadata().metadata``): ``description`` for the table, ``column:<name>`` per column.

The descriptions are written once, in the dbt YAML; the parsed manifest carries them here:
models in schema marts, and the dbt sources that declare the marts written in Python (the
CLV model's, in ``_clv__sources.yml``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import DBT_PROJECT_DIR

# where `dbt parse` (make, the test session, dagster-dbt's prepare) writes the manifest
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
RUN_ID_DESCRIPTION = "The publish run that wrote this row (see publish_log in the default schema)."


@dataclass(frozen=True)
class TableDoc:
    description: str
    columns: dict[str, str] = field(default_factory=dict)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def mart_docs(manifest: dict, schema: str = "marts") -> dict[str, TableDoc]:
    """Table name -> its description and its columns' descriptions (empty ones left out)."""
    docs = {}
    nodes = [n for n in manifest.get("nodes", {}).values() if n.get("resource_type") == "model"]
    nodes += list(manifest.get("sources", {}).values())
    for node in nodes:
        if node.get("schema") != schema:
            continue
        name = node.get("identifier") or node.get("alias") or node["name"]
        columns = {c: _clean(col.get("description")) for c, col in (node.get("columns") or {}).items()}
        docs[name] = TableDoc(_clean(node.get("description")), {c: d for c, d in columns.items() if d})
    return docs


def load(path: Path = MANIFEST) -> dict[str, TableDoc]:
    """The marts' descriptions from the parsed manifest; none when it was never parsed."""
    return mart_docs(json.loads(path.read_text())) if path.exists() else {}


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_statements(relation: str, doc: TableDoc, columns: list[str]) -> list[str]:
    """COMMENT ON statements for a table `relation` (database.schema.table) with `columns`."""
    out = [f"comment on table {relation} is {literal(doc.description)}"] if doc.description else []
    for column in columns:
        text = doc.columns.get(column)
        if text:
            out.append(f'comment on column {relation}."{column}" is {literal(text)}')
    return out


def parquet_metadata(doc: TableDoc, columns: list[str]) -> str:
    """The KV_METADATA option of DuckDB's COPY ... (format parquet) for a table."""
    items = [("description", doc.description)] if doc.description else []
    items += [(f"column:{c}", doc.columns[c]) for c in columns if doc.columns.get(c)]
    return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in items) + "}"
