"""The frame a raw suite validates: the batch profile of a feed's latest load.

A batch is one landed file (its rows in raw share a ``_batch_id``). The latest load is
every file the manifest recorded as loaded at the newest ``loaded_at``: re-running the
checks without a new load re-checks the same batches, so a failing batch keeps dbt
blocked until a new load replaces it. One DuckDB aggregate over the raw Parquet gives
one row per batch; GX then validates those rows, so a failing "row" names a landed file.
Validating rows in pandas took 11 s for 2M order lines and 7 expectations on M (L has 10x
the rows); the profile of L's 20M order lines takes about 8 s, GX on it well under one.

Profile columns (only those a suite names are computed):

    rows                 valid rows of the batch in raw (0 when every row was quarantined)
    recent_rows          median rows of the 7 files loaded before it (NULL without history),
                         in the manifest's LOAD_ORDER
    rows_vs_recent       rows / recent_rows
    null_rate__<c>       share of the batch's rows with <c> empty
    null_rate_jump__<c>  null_rate__<c> minus the same share over the raw rows loaded before
                         (NULL without history): a column that stops coming, not one never sent
    min__<c>, max__<c>   smallest and largest value of <c>
    days_after_load__<c> days from the load date to the newest <c> (> 0: dates in the future)
    days_behind__<c>     days from the newest <c> loaded before the batch to the batch's newest <c>
                         (positive: the batch is older than what raw already holds)
    orphan_rate__customer_id  share of non-empty customer_id not in raw sales/customers

Columns with allowed values get extra rows (``kind = 'values'``): one per distinct value
per batch, in a column named after the contract column, so GX checks the value set.
"""

from __future__ import annotations

import re

import pandas as pd

from ..contracts import Feed, get_feed
from ..ingest.manifest import LOAD_ORDER, part_files
from ..ingest.rules import lit, q
from ..settings import Paths, duckdb_connect

RECENT_FILES = 7
METRIC = re.compile(r"^(null_rate_jump|null_rate|min|max|days_after_load|days_behind|orphan_rate)__(\w+)$")


def _parts(folder, pattern: str = "part-*.parquet") -> str:
    return "[" + ", ".join(lit(str(p)) for p in sorted(folder.glob(pattern))) + "]"


def _raw(folder) -> str:
    """Every raw part of a feed, with the zero-row schema file so that the list is never empty."""
    return _parts(folder, "*.parquet")


def _metric_sql(kind: str, col: str, has_customers: bool) -> str:
    c = q(col)
    if kind == "orphan_rate" and not has_customers:
        return "cast(null as double)"  # a sales history alone: nothing to be an orphan of
    return {
        "null_rate": f"avg(({c} is null)::double)",
        "null_rate_jump": f"avg(({c} is null)::double) - (select avg(({c} is null)::double) from earlier)",
        "min": f"min({c})",
        "max": f"max({c})",
        "days_after_load": f"date_diff('day', cast(any_value(_loaded_at) as date), cast(max({c}) as date))",
        "days_behind": f"date_diff('day', cast(max({c}) as date), cast((select max({c}) from earlier) as date))",
        "orphan_rate": f"avg(case when {c} is not null then (_known is null)::double end)",
    }[kind]


def batch_profile(paths: Paths, feed: Feed, columns: list[str]) -> pd.DataFrame:
    """One row per batch of the latest load (kind 'batch'), plus value rows (kind 'values')."""
    manifest_dir = paths.feed_dir(paths.manifest, feed.source, feed.name)
    raw_dir = paths.feed_dir(paths.raw, feed.source, feed.name)
    if not part_files(manifest_dir):
        return pd.DataFrame({"kind": [], "source_file": []})
    customers = get_feed("sales", "customers")
    known = paths.feed_dir(paths.raw, customers.source, customers.name)
    has_customers = bool(part_files(known))
    metrics = []
    for name in columns:
        m = METRIC.match(name)
        if m:
            feed.column(m.group(2))  # fails loudly on a typo in a suite
            metrics.append(f"{_metric_sql(m.group(1), m.group(2), has_customers)} as {q(name)}")
    orphans = has_customers and any(c.startswith("orphan_rate__") for c in columns)
    value_columns = [c.name for c in feed.columns if c.allowed and c.name in columns]

    con = duckdb_connect()
    try:
        con.execute(f"""
            create temp table checked as
            with m as (
              select source_file, batch_id, rows_raw, loaded_at,
                     row_number() over (order by {LOAD_ORDER}) as i
              from read_parquet({_parts(manifest_dir)}) where status = 'loaded'
            ), r as (
              select *, median(rows_raw) over (order by i rows between {RECENT_FILES} preceding and 1 preceding) as recent
              from m
            )
            select batch_id, source_file, loaded_at, recent from r where loaded_at = (select max(loaded_at) from m)
        """)
        raw = f"read_parquet({_raw(raw_dir)}, union_by_name = true)"
        con.execute(f"create temp view batch as select * from {raw} where _batch_id in (select batch_id from checked)")
        con.execute(f"create temp view earlier as select * from {raw} where _batch_id not in (select batch_id from checked)")
        source = "batch"
        if orphans:
            con.execute(
                f"create temp view batch_k as select batch.*, k.customer_id as _known from batch left join "
                f"(select distinct customer_id from read_parquet({_raw(known)})) k using (customer_id)"
            )
            source = "batch_k"
        agg = ", ".join(["count(*) as n", *metrics])
        profile = con.execute(f"""
            with a as (select _batch_id, {agg} from {source} group by _batch_id)
            select 'batch' as kind, c.source_file, c.batch_id, c.loaded_at, coalesce(a.n, 0) as rows,
                   c.recent as recent_rows, coalesce(a.n, 0) / c.recent as rows_vs_recent, a.* exclude (_batch_id, n)
            from checked c left join a on a._batch_id = c.batch_id
            order by c.source_file
        """).df()
        frames = [profile]
        for col in value_columns:
            frames.append(con.execute(f"""
                select 'values' as kind, c.source_file, c.batch_id, v.{q(col)}
                from (select distinct _batch_id, {q(col)} from batch where {q(col)} is not null) v
                join checked c on c.batch_id = v._batch_id order by 2, 4
            """).df())
    finally:
        con.close()
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else profile


def sample_raw_rows(paths: Paths, feed: Feed, column: str, source_files: list[str], bad_values: list, limit: int = 5) -> list[dict]:
    """A few raw rows behind a failing profile cell, for the check's metadata."""
    m = METRIC.match(column)
    if not m and column not in feed.column_names:
        return []  # a batch-level number (rows, rows_vs_recent): the file is the sample
    col, kind = (m.group(2), m.group(1)) if m else (column, "values")
    where = {
        "null_rate": f"{q(col)} is null",
        "null_rate_jump": f"{q(col)} is null",
        "values": f"{q(col)} in ({', '.join(lit(v) for v in bad_values) or 'null'})",
        "orphan_rate": f"{q(col)} is not null and {q(col)} not in (select customer_id from read_parquet("
                       f"{_raw(paths.feed_dir(paths.raw, 'sales', 'customers'))}))",
    }.get(kind, "true")
    order = {"min": f"{q(col)} asc", "max": f"{q(col)} desc", "days_after_load": f"{q(col)} desc",
             "days_behind": f"{q(col)} desc"}.get(kind, "_source_row")
    raw_dir = paths.feed_dir(paths.raw, feed.source, feed.name)
    con = duckdb_connect()
    try:
        rel = con.execute(
            f"select _source_file, _source_row, {q(col)} from read_parquet({_raw(raw_dir)}, union_by_name = true) "
            f"where _source_file in (select unnest(?)) and {where} order by {order} limit {limit}",
            [source_files],
        )
        names = [d[0] for d in rel.description]
        return [dict(zip(names, map(_plain, r))) for r in rel.fetchall()]
    finally:
        con.close()


def _plain(v):
    return v if v is None or isinstance(v, (int, float, str, bool)) else str(v)
