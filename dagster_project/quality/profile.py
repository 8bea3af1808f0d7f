"""The frame a raw suite validates: a profile of the batches being judged.

A batch is one landed file (its rows in raw share a ``_batch_id``). A judgement looks at the
*pending* batches (loaded, no verdict yet; quality/judge.py) and compares them with what is
*admitted* (batches with an admitted or accepted verdict), never with held-back batches, so
one bad row cannot poison every later comparison. One DuckDB aggregate per grain gives the
rows; GX validates them, so a failing row names a file, a load or a landing day.

Each statistic is profiled at the grain that can support it:

kind 'batch' (one row per pending batch): what each file must satisfy on its own.
    rows                 valid rows of the batch in raw (0 when every row was quarantined)
    null_rate__<c>       share of the batch's rows with <c> empty
    min__<c>, max__<c>   smallest and largest value of <c>
    days_after_load__<c> days from the load date to the newest <c> (> 0: dates in the future)
    days_behind__<c>     days from the newest admitted <c> to the batch's newest <c>
                         (positive: the file is older than what raw already holds; NULL
                         before anything is admitted)
kind 'values' (one row per pending batch and distinct value of a column with allowed values)
    <c>                  the value, so that GX checks the value set
kind 'load' (one row per load of pending batches: the files of a feed loaded in one run)
    load_rows            rows of the load
    customer_ids         non-empty customer_id of the load (the sample of the orphan rate)
    orphan_rate__customer_id  share of those unknown to sales/customers (its batches that
                         are not held back, the ones loaded in the same run included)
    null_rate_jump__<c>  the load's null rate of <c> minus the admitted rows' (NULL before
                         anything is admitted): a column that stops coming, not one never sent
kind 'day' (one row per landing day with a pending batch; the day a file belongs to is the
date in its name, else its modification day, as for the daily partitions)
    day_rows             rows of that day's batches that are not held back
    recent_rows          median day_rows of the volume_recent_days landing days before it
    rows_vs_recent       day_rows / recent_rows
    volume_sample        the smaller of day_rows and recent_rows (the rule's sample size)

Every row carries ``source_file`` (for a load or a day, a short description of its files) so
that a failure names what to look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..contracts import Feed, get_feed
from ..ingest import verdicts
from ..ingest.manifest import LOAD_ORDER, part_files, read_manifest
from ..ingest.partitions import landing_date_of
from ..settings import Paths, duckdb_connect
from ..sql import lit, q
from . import thresholds

BATCH_METRICS = ("null_rate", "min", "max", "days_after_load", "days_behind")
LOAD_METRICS = ("null_rate_jump", "orphan_rate")
METRIC = re.compile(r"^(" + "|".join(LOAD_METRICS + BATCH_METRICS) + r")__(\w+)$")
LOAD_COLUMNS = ("load_rows", "customer_ids")
DAY_COLUMNS = ("day_rows", "recent_rows", "rows_vs_recent", "volume_sample")


@dataclass(frozen=True)
class Batches:
    """Which batches of a feed a judgement looks at, and which it leaves out of every comparison."""

    pending: frozenset[str]
    held: frozenset[str] = field(default_factory=frozenset)


def _parts(folder, pattern: str = "part-*.parquet") -> str:
    return "[" + ", ".join(lit(str(p)) for p in sorted(folder.glob(pattern))) + "]"


def _raw(folder) -> str:
    """Every raw part of a feed, with the zero-row schema file so that the list is never empty."""
    return _parts(folder, "*.parquet")


def _metric_sql(kind: str, col: str) -> str:
    c = q(col)
    return {
        "null_rate": f"avg(({c} is null)::double)",
        "null_rate_jump": f"avg(({c} is null)::double) - (select avg(({c} is null)::double) from earlier)",
        "min": f"min({c})",
        "max": f"max({c})",
        "days_after_load": f"date_diff('day', cast(any_value(_loaded_at) as date), cast(max({c}) as date))",
        "days_behind": f"date_diff('day', cast(max({c}) as date), cast((select max({c}) from earlier) as date))",
        "orphan_rate": f"avg(case when {c} is not null then (_known is null)::double end)",
    }[kind]


def _files_text(first: str, last: str, n: int) -> str:
    return first if n == 1 else f"{first} … {last} ({n:,} files)"


def manifest_frame(paths: Paths, feed: Feed) -> pd.DataFrame:
    """The feed's loaded files with their landing day, in load order."""
    rows = [r for r in read_manifest(paths.feed_dir(paths.manifest, feed.source, feed.name)) if r["status"] == "loaded"]
    frame = pd.DataFrame(rows, columns=["source_file", "batch_id", "rows_raw", "loaded_at", "mtime_ns"])
    frame["landing_day"] = [landing_date_of(f, m) for f, m in zip(frame["source_file"], frame["mtime_ns"], strict=True)]
    return frame.drop(columns="mtime_ns")


def batch_profile(paths: Paths, feed: Feed, columns: list[str], batches: Batches) -> pd.DataFrame:
    """The profile of the pending batches (see the module docstring), or an empty frame."""
    manifest = manifest_frame(paths, feed)
    manifest = manifest[~manifest["batch_id"].isin(batches.held - batches.pending)]
    if not manifest["batch_id"].isin(batches.pending).any():
        return pd.DataFrame({"kind": [], "source_file": []})
    batch_metrics, load_metrics = [], []
    for name in columns:
        m = METRIC.match(name)
        if m:
            feed.column(m.group(2))  # fails loudly on a typo in a suite
            target = load_metrics if m.group(1) in LOAD_METRICS else batch_metrics
            target.append(f"{_metric_sql(m.group(1), m.group(2))} as {q(name)}")
    value_columns = [c.name for c in feed.columns if c.allowed and c.name in columns]
    raw_dir = paths.feed_dir(paths.raw, feed.source, feed.name)
    recent = int(thresholds.value("volume_recent_days"))

    con = duckdb_connect()
    try:
        con.register("manifest_df", manifest)
        con.execute(
            "create temp table m as select * replace (cast(landing_day as date) as landing_day) from manifest_df"
        )
        con.execute("create temp table pending as select unnest(?::varchar[]) as batch_id", [sorted(batches.pending)])
        con.execute("create temp table checked as select * from m where batch_id in (select batch_id from pending)")
        raw = f"read_parquet({_raw(raw_dir)}, union_by_name = true)"
        con.execute(f"create temp view batch as select * from {raw} where _batch_id in (select batch_id from pending)")
        # admitted: what was judged before and is not held back (m holds no held batch)
        con.execute(
            f"create temp view earlier as select * from {raw} where _batch_id in "
            "(select batch_id from m) and _batch_id not in (select batch_id from pending)"
        )
        frames = [_batch_rows(con, batch_metrics)]
        frames += [_value_rows(con, col) for col in value_columns]
        frames.append(_load_rows(con, paths, feed, load_metrics, "orphan_rate__customer_id" in columns))
        frames.append(_day_rows(con, recent))
    finally:
        con.close()
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    # every column the suite names, and the sample sizes its row conditions read, even when no
    # row has them (a header-only file makes no load row): GX fails an expectation on a missing
    # column. Counts and metrics are numbers (NaN: a condition on them is false, not an error).
    for name in [*columns, *LOAD_COLUMNS, *DAY_COLUMNS]:
        if name not in frame.columns:
            numeric = name in LOAD_COLUMNS + DAY_COLUMNS or name == "rows" or METRIC.match(name)
            frame[name] = pd.Series(
                [float("nan") if numeric else None] * len(frame), dtype="float64" if numeric else "object"
            )
    return frame


def _batch_rows(con, metrics: list[str]) -> pd.DataFrame:
    agg = ", ".join(["count(*) as n", *metrics])
    more = ", a.* exclude (_batch_id, n)" if metrics else ""
    return con.execute(f"""
        with a as (select _batch_id, {agg} from batch group by _batch_id)
        select 'batch' as kind, c.source_file, c.batch_id, c.loaded_at, c.landing_day, coalesce(a.n, 0) as rows{more}
        from checked c left join a on a._batch_id = c.batch_id
        order by {LOAD_ORDER}
    """).df()


def _value_rows(con, col: str) -> pd.DataFrame:
    return con.execute(f"""
        select 'values' as kind, c.source_file, c.batch_id, v.{q(col)}
        from (select distinct _batch_id, {q(col)} from batch where {q(col)} is not null) v
        join checked c on c.batch_id = v._batch_id order by 2, 4
    """).df()


def _load_rows(con, paths: Paths, feed: Feed, metrics: list[str], orphans: bool) -> pd.DataFrame:
    source = "batch"
    customers = get_feed("sales", "customers")
    known_dir = paths.feed_dir(paths.raw, customers.source, customers.name)
    has_customers = orphans and feed != customers and bool(part_files(known_dir))
    if has_customers:
        con.execute(
            "create temp table customers_held as select unnest(?::varchar[]) as batch_id",
            [sorted(verdicts.held(paths, customers))],
        )
        con.execute(
            f"create temp view batch_k as select batch.*, k.customer_id as _known from batch left join "
            f"(select distinct customer_id from read_parquet({_raw(known_dir)}, union_by_name = true) "
            f"where _batch_id not in (select batch_id from customers_held)) k using (customer_id)"
        )
        source = "batch_k"
    elif orphans:  # a sales history alone: nothing to be an orphan of
        metrics = [m for m in metrics if not m.endswith(q("orphan_rate__customer_id"))]
        metrics.append(f"cast(null as double) as {q('orphan_rate__customer_id')}")
    ids = "count(customer_id)" if "customer_id" in feed.column_names else "cast(null as bigint)"
    agg = ", ".join(["count(*) as load_rows", f"{ids} as customer_ids", *metrics])
    return (
        con.execute(f"""
        with files as (
          select loaded_at, min(source_file) as first_file, max(source_file) as last_file, count(*) as files
          from checked group by loaded_at
        ), a as (select _loaded_at, {agg} from {source} group by _loaded_at)
        select 'load' as kind, f.first_file, f.last_file, f.files, f.loaded_at, a.* exclude (_loaded_at)
        from files f join a on a._loaded_at = f.loaded_at
        order by f.loaded_at
    """)
        .df()
        .pipe(_describe_files)
    )


def _day_rows(con, recent: int) -> pd.DataFrame:
    return (
        con.execute(f"""
        with d as (
          select landing_day, sum(rows_raw) as day_rows, count(*) as files,
                 min(source_file) as first_file, max(source_file) as last_file,
                 bool_or(batch_id in (select batch_id from pending)) as has_pending
          from m group by landing_day
        ), r as (
          select *, median(day_rows) over (order by landing_day rows between {recent} preceding and 1 preceding)
                 as recent_rows
          from d
        )
        select 'day' as kind, first_file, last_file, files, landing_day, day_rows, recent_rows,
               day_rows / recent_rows as rows_vs_recent, least(day_rows, recent_rows) as volume_sample
        from r where has_pending order by landing_day
    """)
        .df()
        .pipe(_describe_files)
    )


def _describe_files(frame: pd.DataFrame) -> pd.DataFrame:
    frame.insert(
        1,
        "source_file",
        [_files_text(a, b, n) for a, b, n in zip(frame["first_file"], frame["last_file"], frame["files"], strict=True)],
    )
    return frame.drop(columns=["first_file", "last_file"])


def sample_raw_rows(
    paths: Paths, feed: Feed, column: str, failing: dict, bad_values: list, limit: int = 5
) -> list[dict]:
    """A few raw rows behind a failing profile row (a batch's, or a load's), for the check's metadata."""
    m = METRIC.match(column)
    if not m and column not in feed.column_names:
        return []  # a batch- or day-level count (rows, rows_vs_recent): the files are the sample
    col, kind = (m.group(2), m.group(1)) if m else (column, "values")
    if failing.get("batch_id"):
        scope, arg = "_batch_id = ?", failing["batch_id"]
    elif failing.get("loaded_at") is not None:
        scope, arg = "_loaded_at = cast(? as timestamp)", str(failing["loaded_at"])
    else:
        return []
    where = {
        "null_rate": f"{q(col)} is null",
        "null_rate_jump": f"{q(col)} is null",
        "values": f"{q(col)} in ({', '.join(lit(v) for v in bad_values) or 'null'})",
        "orphan_rate": f"{q(col)} is not null and {q(col)} not in (select customer_id from read_parquet("
        f"{_raw(paths.feed_dir(paths.raw, 'sales', 'customers'))}))",
    }.get(kind, "true")
    order = {
        "min": f"{q(col)} asc",
        "max": f"{q(col)} desc",
        "days_after_load": f"{q(col)} desc",
        "days_behind": f"{q(col)} desc",
    }.get(kind, "_source_file, _source_row")
    raw_dir = paths.feed_dir(paths.raw, feed.source, feed.name)
    con = duckdb_connect()
    try:
        rel = con.execute(
            f"select _source_file, _source_row, {q(col)} from read_parquet({_raw(raw_dir)}, union_by_name = true) "
            f"where {scope} and {where} order by {order} limit {limit}",
            [arg],
        )
        names = [d[0] for d in rel.description]
        return [dict(zip(names, map(_plain, r), strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def _plain(v):
    return v if v is None or isinstance(v, (int, float, str, bool)) else str(v)
