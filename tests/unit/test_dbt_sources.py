"""The dbt sources YAML is generated from the landing contracts and committed."""

from __future__ import annotations

from pathlib import Path

import yaml

from dagster_project.contracts import ALL_FEEDS
from dagster_project.transform import dbt_sources
from dagster_project.transform.dbt_sources import LINEAGE_COLUMNS, STAGING_DIR


def _load(source: str) -> dict:
    return yaml.safe_load(dbt_sources.sources_path(source).read_text(encoding="utf-8"))


def _tables() -> dict[str, dict]:
    """Every committed source table, keyed like a contract feed: <source>/<feed>."""
    tables = {}
    for source in {f.source for f in ALL_FEEDS}:
        (doc_source,) = _load(source)["sources"]
        assert doc_source["name"] == source
        for table in doc_source["tables"]:
            tables[f"{source}/{table['name']}"] = table
    return tables


def test_committed_files_equal_what_the_exporter_generates() -> None:
    diffs = dbt_sources.check()
    assert not diffs, "run `python -m dagster_project.transform.dbt_sources`:\n" + "\n".join(diffs)


def test_one_file_per_source_and_no_stray_sources_files() -> None:
    # one per source system, and the lake's record of batch verdicts (read by every staging model)
    expected = {dbt_sources.sources_path(f.source) for f in ALL_FEEDS} | {dbt_sources.sources_path("lake")}
    assert set(dbt_sources.expected_files()) == expected
    assert set(STAGING_DIR.glob("*/_*__sources.yml")) == expected


def test_every_feed_and_column_appears_with_its_type_and_meta() -> None:
    tables = _tables()
    assert set(tables) == {f.key for f in ALL_FEEDS}
    for feed in ALL_FEEDS:
        table = tables[feed.key]
        assert table["description"] == feed.description
        columns = {c["name"]: c for c in table["columns"]}
        assert list(columns) == feed.column_names + [name for name, _, _ in LINEAGE_COLUMNS]
        for col in feed.columns:
            entry = columns[col.name]
            assert entry["description"] == col.description
            assert entry["data_type"] == col.duckdb_type
            assert entry["config"]["meta"] == {
                "required": col.required,
                "pii": col.pii,
                "allowed": list(col.allowed) if col.allowed else None,
                "default": col.default,
            }
            assert ("not_null" in entry.get("data_tests", [])) == col.required, f"{feed.key}.{col.name}"


def test_sources_point_at_the_raw_lake_and_the_ingest_assets() -> None:
    tables = _tables()
    for feed in ALL_FEEDS:
        meta = tables[feed.key]["config"]["meta"]
        assert meta["dagster"] == {"asset_key": ["raw", feed.source, feed.name]}
        assert meta["external_location"] == (
            "read_parquet('{{ env_var('VECTOR_CRM_DATA_DIR') }}"
            f"/lake/raw/{feed.source}/{feed.name}/*.parquet', union_by_name=true)"
        )
        assert meta["business_key"] == list(feed.business_key)
        assert meta["version_column"] == feed.version_column


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    assert len(dbt_sources.check(tmp_path)) == len({f.source for f in ALL_FEEDS}) + 1  # all missing, lake's too
    dbt_sources.write(tmp_path)
    assert dbt_sources.check(tmp_path) == []
    path = dbt_sources.sources_path("sales", tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("Customer number", "Client number"), encoding="utf-8")
    (diff,) = dbt_sources.check(tmp_path)
    assert "-            description: Client number in the ERP." in diff
    assert dbt_sources.write(tmp_path) == [path]
