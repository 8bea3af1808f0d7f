"""Writes a feed's rows as daily landing files and its share of the ground truth.

DuckDB formats every line (CSV quoting or JSON) for a block of days at once and
aggregates them per day in file order; Python only writes one string per file. Measured
on 20M rows of 7 columns: 19 s, against 22 s for one `COPY` per day from a sorted table
(which also costs ~2 ms per file, too much for S) and 27 s for `COPY ... PARTITION_BY`,
which reorders rows unless it runs on one thread and leaves `col=value/` folders to rename.
The output is byte-identical to DuckDB's own CSV and JSON writers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dagster_project.contracts import Feed

from .config import SPAN_START
from .rows import day_chunks

BLOCK_ROWS = 500_000  # rows formatted per DuckDB query: bounds memory (about 1 GB per million rows)


@dataclass
class FeedSpec:
    """How one feed's rows (frames of integer codes) become its files.

    `columns` maps every contract column to a SQL expression over the row `r` and the
    person `p` it belongs to; `defects` lists (column, defect kind, SQL condition)."""

    feed: Feed
    columns: dict[str, str]
    record_id: str
    identity_where: str = "true"
    defects: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def extension(self) -> str:
        return "csv" if self.feed.file_format == "csv" else "jsonl"

    def file_name(self, day_sql: str) -> str:
        return f"'{self.feed.source}/{self.feed.name}/{self.feed.name}_' || d({day_sql}) || '.{self.extension}'"


class Writer:
    def __init__(self, con: duckdb.DuckDBPyConnection, landing: Path, truth: Path):
        self.con, self.landing, self.truth = con, landing, truth
        self.parts = truth / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.rows: dict[str, int] = {}
        self.files: dict[str, int] = {}

    def write(self, spec: FeedSpec, frames: Iterable[pd.DataFrame]) -> None:
        """Write a feed from frames sorted by `_day` and `_ord` that cover consecutive, disjoint
        day ranges (large feeds come in several frames to bound memory)."""
        feed = spec.feed
        if list(spec.columns) != feed.column_names:
            raise ValueError(f"{feed.key}: columns differ from the contract")
        folder = self.landing / feed.source / feed.name
        folder.mkdir(parents=True, exist_ok=True)
        select = ", ".join(f"{expr} as {name}" for name, expr in spec.columns.items())
        names = feed.column_names
        if feed.file_format == "csv":
            header = ",".join(names) + "\n"
            line = "concat_ws(',', " + ", ".join(f"csvq({n})" for n in names) + ")"
        else:
            header = ""
            line = "json_object(" + ", ".join(f"'{n}', {n}" for n in names) + ")::varchar"
        query = f"""
            with src as (select r._day, r._ord, {select} from block r left join persons p on p.person = r._person)
            select _day, string_agg({line}, chr(10) order by _ord) from src group by _day order by _day"""
        rows = files = 0
        for part, frame in enumerate(frames):
            for lo, hi, _ in day_chunks(frame["_day"].to_numpy(), BLOCK_ROWS):
                if lo == hi:
                    continue
                self.con.register("block", frame.iloc[lo:hi])
                for day, text in self.con.execute(query).fetchall():
                    name = folder / f"{feed.name}_{day_label(day)}.{spec.extension}"
                    with open(name, "x", encoding="utf-8", newline="") as f:  # "x": a day is never written twice
                        f.write(header + text + "\n")
                    files += 1
            self.con.register("block", frame)
            self.truth_parts(spec, f"{len(self.rows):02d}_{part:04d}")
            self.con.unregister("block")
            rows += len(frame)
        self.rows[feed.key], self.files[feed.key] = rows, files

    def truth_parts(self, spec: FeedSpec, part: str) -> None:
        """This feed's rows of identities.csv and defects.csv (joined up in `finish`)."""
        feed = spec.feed
        self.copy(
            f"""select '{feed.source}', '{feed.name}', {spec.record_id}, code('P', r._person + 1, 8)
            from block r where {spec.identity_where} order by r._ord""",
            self.parts / f"identities_{part}.csv",
        )
        if spec.defects:
            union = " union all ".join(
                f"select r._ord, '{col}' as col, '{kind}' as kind, {spec.file_name('r._day')} as file, {spec.record_id} as record_id "
                f"from block r where {cond}"
                for col, kind, cond in spec.defects
            )
            self.copy(
                f"select '{feed.name}', file, record_id, col, kind from ({union}) order by _ord, col, kind",
                self.parts / f"defects_{part}.csv",
            )

    def copy(self, query: str, path: Path) -> None:
        self.con.execute(f"copy ({query}) to '{path}' (format csv, header false)")

    def finish(self) -> None:
        """Join the parts into one CSV each, with a header, in feed order."""
        for name, header in (
            ("identities", "source_system,source_feed,source_record_id,person_id"),
            ("defects", "source_feed,file,record_id,column,defect"),
        ):
            with open(self.truth / f"{name}.csv", "wb") as out:
                out.write((header + "\n").encode())
                for part in sorted(self.parts.glob(f"{name}_*.csv")):
                    with open(part, "rb") as f:
                        shutil.copyfileobj(f, out, 16 << 20)
        shutil.rmtree(self.parts)


def day_label(day: int) -> str:
    return str(np.datetime64(SPAN_START.isoformat()) + int(day))
