"""Daily partitions of ingestion: a landed file belongs to the day it carries.

A file's *landing date* is the date in its name (``order_lines_2025-03-04.csv`` or
``..._20250304.csv``; the last date in the name counts), else the UTC date of its
modification time. Its partition is that date, kept inside the partitions' span: a file
dated before the first partition belongs to the first, one dated after today to today's.
So every file has exactly one partition, and a run over every partition loads every file.

Two kinds of ingestion run share one load manifest, so neither loads a file twice:
- a partitioned run (one day, or a range as one run: a backfill) loads the new files
  of those days, and Dagster records each day as materialized;
- an unpartitioned run (`make run`, the daily schedule, a catch-up) loads every new file
  of any day. It records no day: writing one event per day of a three-year history
  costs minutes in Dagster's SQLite event log, a cost the daily path never pays.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from .landing import LandedFile

FIRST_LANDING_DATE_ENV = "VECTOR_CRM_FIRST_LANDING_DATE"
DEFAULT_FIRST_LANDING_DATE = "2020-01-01"
# 2025-03-04, 2025_03_04 or 20250304, not inside a longer run of digits
NAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")


def first_landing_date() -> date:
    return date.fromisoformat(os.environ.get(FIRST_LANDING_DATE_ENV) or DEFAULT_FIRST_LANDING_DATE)


# end_offset=1: today's partition exists today, so files landed today load today.
LANDING_DAYS = dg.DailyPartitionsDefinition(start_date=first_landing_date().isoformat(), end_offset=1)


def date_in_name(name: str) -> date | None:
    for year, month, day in reversed(NAME_DATE.findall(name)):
        try:
            return date(int(year), int(month), int(day))
        except ValueError:  # 20251399 is not a date
            continue
    return None


def landing_date(f: LandedFile) -> date:
    return landing_date_of(f.path.name, f.mtime_ns)


def landing_date_of(name: str, mtime_ns: int) -> date:
    """The date in a file's name, else the UTC date it was last modified (manifest records
    keep both, so a batch's landing day is known without the file)."""
    return date_in_name(name.rsplit("/", 1)[-1]) or datetime.fromtimestamp(mtime_ns / 1e9, tz=UTC).date()


def partition_date(f: LandedFile, today: date | None = None) -> date:
    """The file's day, kept within [first landing date, today]."""
    today = today or datetime.now(UTC).date()
    return min(max(landing_date(f), first_landing_date()), today)


def in_days(f: LandedFile, first: date, last: date, today: date | None = None) -> bool:
    """Whether the file belongs to one of the days first..last (both included)."""
    return first <= partition_date(f, today) <= last


def range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make a run cover the days first..last (YYYY-MM-DD) as one partition range:
    how a single run fills many partitions (Dagster's RunRequest takes one partition key)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


def window_days(window: dg.TimeWindow) -> tuple[date, date]:
    """A partition time window [start, end) as its first and last day."""
    return window.start.date(), (window.end - timedelta(days=1)).date()
