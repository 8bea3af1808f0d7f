"""Small helpers shared by the simulation modules for laying out a feed's rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import N_DAYS

NA = -1_000_000  # sentinel for a missing day or second (turned into NULL in SQL by `na`)


def cat(codes: np.ndarray, labels) -> pd.Categorical:
    """Integer codes (-1 = missing) as a categorical, which DuckDB reads as an ENUM without copying strings."""
    return pd.Categorical.from_codes(np.asarray(codes).astype(np.int16), categories=list(labels))


def sort_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sort a feed's rows and number them: `_ord` is the row's place in its daily file."""
    frame = frame.sort_values(keys, kind="stable", ignore_index=True)
    frame["_ord"] = np.arange(len(frame), dtype=np.int64)
    return frame


def day_chunks(days: np.ndarray, size: int):
    """Split rows sorted by day into chunks of whole days of about `size` rows.
    Yields (first row, end row, end day); the last chunk ends at N_DAYS."""
    bounds = np.searchsorted(days, np.arange(N_DAYS + 1))
    lo_day = 0
    while lo_day < N_DAYS:
        hi_day = int(np.searchsorted(bounds, bounds[lo_day] + size, side="right")) - 1
        hi_day = min(max(hi_day, lo_day + 1), N_DAYS)
        yield int(bounds[lo_day]), int(bounds[hi_day]), hi_day
        lo_day = hi_day


def carry_over(rows: dict, pending: dict | None, end_day: int):
    """Add the rows held back from earlier chunks, and hold back those that belong to a later chunk
    (returns and sessions after midnight land on later days). Returns (rows now, rows later)."""
    if pending is not None:
        rows = {k: np.concatenate([pending[k], v]) for k, v in rows.items()}
    later = rows["_day"] >= end_day
    return {k: v[~later] for k, v in rows.items()}, {k: v[later] for k, v in rows.items()}
