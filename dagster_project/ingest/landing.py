"""Looking at landed files before loading them: discovery, content hash, and the
file-level checks (UTF-8, readable header, required columns) that decide whether
a file can be read at all.

A file is read here once, in large blocks, to hash it and prove it is UTF-8;
rows are never looked at one by one in Python.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..contracts import Feed

BLOCK_BYTES = 8 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8


@dataclass
class LandedFile:
    path: Path
    relative: str  # path relative to the landing directory: the name users see
    size: int
    mtime_ns: int
    content_hash: str = ""
    header: list[str] = field(default_factory=list)  # CSV: column names in file order
    crlf: bool = False
    line_count: int = 0  # physical lines, counting a last line without a newline
    problem: str | None = None  # why the file cannot be read at all

    @property
    def batch_id(self) -> str:
        return self.content_hash[:16]


def discover(landing_dir: Path, feed: Feed) -> list[LandedFile]:
    """Every file of the feed in the landing zone, sorted by name (daily names sort by date)."""
    folder = landing_dir / feed.source / feed.name
    if not folder.is_dir():
        return []
    found = []
    for p in folder.rglob("*"):
        if p.is_file() and not p.name.startswith("."):
            st = p.stat()
            found.append(LandedFile(p, p.relative_to(landing_dir).as_posix(), st.st_size, st.st_mtime_ns))
    # by the relative path as text, as the manifest's LOAD_ORDER sorts source_file
    return sorted(found, key=lambda f: f.relative)


def inspect(f: LandedFile, feed: Feed) -> LandedFile:
    """Hash the file and run the file-level checks; sets f.problem when it cannot be read."""
    if not f.path.name.lower().endswith(feed.file_suffixes):
        f.problem = f"unexpected file type: {feed.key} takes {'/'.join(feed.file_suffixes)} files"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    first_block = b""
    offset = 0
    count_lines = feed.file_format == "jsonl"  # the JSON reader's row count is checked against it
    last_byte = b"\n"
    with open(f.path, "rb") as fh:
        while block := fh.read(BLOCK_BYTES):
            digest.update(block)
            if count_lines:
                f.line_count += block.count(b"\n")
                last_byte = block[-1:]
            if not first_block:
                first_block = block
            # Pure ASCII is valid UTF-8 and leaves nothing pending: `isascii` is ~30x faster
            # than decoding, so only blocks with other bytes (or after a split character) are decoded.
            if f.problem is None and not (block.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as e:
                    line = _line_of(f.path, offset + e.start)
                    f.problem = f"not UTF-8: invalid byte at offset {offset + e.start} (line {line})"
            offset += len(block)
    if f.problem is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            f.problem = "not UTF-8: the file ends in the middle of a character"
    f.content_hash = digest.hexdigest()
    if last_byte != b"\n":
        f.line_count += 1
    if f.problem is None and feed.file_format == "csv":
        _check_csv_header(f, feed, first_block)
    return f


def _line_of(path: Path, byte_offset: int) -> int:
    with open(path, "rb") as fh:
        return fh.read(byte_offset).count(b"\n") + 1


def _check_csv_header(f: LandedFile, feed: Feed, first_block: bytes) -> None:
    if first_block.startswith(UTF8_BOM):
        first_block = first_block[len(UTF8_BOM) :]
    first_line = first_block.split(b"\n", 1)[0]
    f.crlf = first_line.endswith(b"\r")
    text = first_line.decode("utf-8").rstrip("\r")
    if not text.strip():
        f.problem = "no header line: the first line of a CSV file must name its columns"
        return
    try:
        header = next(csv.reader(io.StringIO(text)))
    except csv.Error as e:  # pragma: no cover - csv.reader rarely fails on one line
        f.problem = f"unreadable header line: {e}"
        return
    header = [h.strip().lower() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        f.problem = f"duplicate column name(s) in header: {', '.join(dupes)}"
        return
    missing = [c for c in feed.required_columns if c not in header]
    if missing and len(header) == 1:
        for name, sep in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            if sep in text:
                f.problem = (
                    f"wrong delimiter: the header is separated by {name}s ({sep!r}); files must be comma-separated"
                )
                return
    if missing:
        f.problem = f"required column(s) missing from header: {', '.join(missing)}"
        return
    f.header = header
