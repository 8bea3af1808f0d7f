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

from ..settings import duckdb_connect

MANIFEST_COLUMNS = {
    "source_file": "VARCHAR",  # path relative to the landing directory
    "content_hash": "VARCHAR",  # sha256 of the file's bytes
    "batch_id": "VARCHAR",  # first 16 hex digits of the hash: the raw rows' _batch_id
    "size_bytes": "BIGINT",
    "mtime_ns": "BIGINT",
    # loaded | duplicate_content (same bytes as a file loaded earlier) | rejected (unreadable:
    # not UTF-8, no header, a required column missing, ...; nothing loaded, see `problem`)
    "status": "VARCHAR",
    "duplicate_of": "VARCHAR",
    "rows_read": "BIGINT",
    "rows_raw": "BIGINT",
    "rows_quarantined": "BIGINT",
    "part_id": "VARCHAR",
    "loaded_at": "TIMESTAMP",
    "problem": "VARCHAR",  # why a rejected file could not be read
}

# The order files were loaded in: earlier loads first, then, within one load, the files in name
# order, the order ingestion takes them in (`landing.discover`). Not the part id: a large load
# is written as several parts whose ids end in random hex.
LOAD_ORDER = "loaded_at, source_file"


@dataclass(frozen=True)
class KnownFiles:
    by_hash: dict[str, str]  # content hash -> file that first brought it
    # (source_file, size, mtime_ns) already looked at: loaded, a duplicate, or rejected (a
    # rejected file is not read again until it changes: a fixed file has a new size or time)
    by_stat: set[tuple[str, int, int]]
    rejected: dict[tuple[str, int, int], str]  # the rejected ones among them: why


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
    by_hash: dict[str, str] = {}
    by_stat = set()
    rejected = {}
    # read_manifest: manifests written before a column existed read it as missing
    for r in read_manifest(manifest_dir):
        stat = (r["source_file"], r["size_bytes"], r["mtime_ns"])
        if r["status"] == "loaded":
            by_hash.setdefault(r["content_hash"], r["source_file"])
        elif r["status"] == "rejected":
            rejected[stat] = r.get("problem")
        by_stat.add(stat)
    return KnownFiles(by_hash, by_stat, rejected)


def read_manifest(manifest_dir: Path) -> list[dict]:
    """All manifest records of a feed, oldest first (for reports and tests)."""
    parts = part_files(manifest_dir)
    if not parts:
        return []
    con = duckdb_connect()
    try:
        rel = con.execute(
            "select * from read_parquet(?, union_by_name = true) order by " + LOAD_ORDER,
            [[str(p) for p in parts]],
        )
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()
