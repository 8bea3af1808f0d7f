"""The load manifest: one record per landed file, keyed by content hash.

The manifest is append-only Parquet, one part per load step, beside the raw and
quarantine parts of the same id. A load step commits when its manifest part is
renamed into place, which happens last; a raw or quarantine part without a
manifest part is the debris of an interrupted run and is removed before the next
load. So a crash can never make a file count as loaded twice, or half.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..settings import duckdb_connect

MANIFEST_COLUMNS = {
    "source_file": "VARCHAR",  # path relative to the landing directory
    "content_hash": "VARCHAR",  # sha256 of the file's bytes
    "batch_id": "VARCHAR",  # first 16 hex digits of the hash: the raw rows' _batch_id
    "size_bytes": "BIGINT",
    "mtime_ns": "BIGINT",
    "status": "VARCHAR",  # loaded | duplicate_content (same bytes as a file loaded earlier)
    "duplicate_of": "VARCHAR",
    "rows_read": "BIGINT",
    "rows_raw": "BIGINT",
    "rows_quarantined": "BIGINT",
    "part_id": "VARCHAR",
    "loaded_at": "TIMESTAMP",
}

# The order files were loaded in: earlier loads first, then, within one load, the files in name
# order, the order ingestion takes them in (`landing.discover`). Not the part id: a large load
# is written as several parts whose ids end in random hex.
LOAD_ORDER = "loaded_at, source_file"


@dataclass(frozen=True)
class KnownFiles:
    by_hash: dict[str, str]  # content hash -> file that first brought it
    by_stat: set[tuple[str, int, int]]  # (source_file, size, mtime_ns) already looked at


def part_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def remove_orphans(manifest_dir: Path, data_dirs: list[Path]) -> list[Path]:
    """Delete temporary files and data parts whose load step never committed."""
    committed = {p.stem for p in part_files(manifest_dir)}
    removed = []
    for folder in [manifest_dir, *data_dirs]:
        if not folder.is_dir():
            continue
        for p in folder.glob("*.tmp"):
            p.unlink()
            removed.append(p)
        if folder != manifest_dir:
            for p in part_files(folder):
                if p.stem not in committed:
                    p.unlink()
                    removed.append(p)
    return removed


def load_known(manifest_dir: Path) -> KnownFiles:
    parts = part_files(manifest_dir)
    if not parts:
        return KnownFiles({}, set())
    con = duckdb_connect()
    try:
        rows = con.execute(
            "select source_file, content_hash, size_bytes, mtime_ns, status "
            "from read_parquet(?) order by " + LOAD_ORDER,
            [[str(p) for p in parts]],
        ).fetchall()
    finally:
        con.close()
    by_hash: dict[str, str] = {}
    by_stat = set()
    for source_file, content_hash, size, mtime_ns, status in rows:
        if status == "loaded":
            by_hash.setdefault(content_hash, source_file)
        by_stat.add((source_file, size, mtime_ns))
    return KnownFiles(by_hash, by_stat)


def read_manifest(manifest_dir: Path) -> list[dict]:
    """All manifest records of a feed, oldest first (for reports and tests)."""
    parts = part_files(manifest_dir)
    if not parts:
        return []
    con = duckdb_connect()
    try:
        rel = con.execute(
            "select * from read_parquet(?) order by " + LOAD_ORDER,
            [[str(p) for p in parts]],
        )
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r)) for r in rel.fetchall()]
    finally:
        con.close()
