"""Small test-side writers and readers, independent of the code under test."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from dagster_project.contracts import ALL_FEEDS, Feed


def example_row(feed: Feed) -> dict[str, str]:
    """A row made of the contract's example values."""
    return {c.name: c.example for c in feed.columns}


def write_landed(path: Path, feed: Feed, rows: list[dict], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if feed.file_format == "csv":
        header = header or feed.column_names
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for r in rows:
                w.writerow([r.get(h, "") for h in header])
    else:
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def read_rows(folder: Path, columns: str = "*", where: str = "true") -> list[dict]:
    files = sorted(str(p) for p in folder.glob("part-*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    try:
        rel = con.execute(f"select {columns} from read_parquet(?, union_by_name = true) where {where}", [files])
        names = [d[0] for d in rel.description]
        return [dict(zip(names, r)) for r in rel.fetchall()]
    finally:
        con.close()


def raw_counts(paths) -> dict[str, int]:
    """Rows in the raw lake per feed key."""
    con = duckdb.connect()
    try:
        return {
            f.key: con.execute(
                "select count(*) from read_parquet(?)", [str(paths.raw / f.source / f.name / "*.parquet")]
            ).fetchone()[0]
            for f in ALL_FEEDS
        }
    finally:
        con.close()
