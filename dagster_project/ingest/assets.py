"""One Dagster asset per landing feed, keyed raw/<source>/<feed> (the dbt source's key),
partitioned by landing day (see partitions.py for what a partitioned and an unpartitioned
run load).

After the load, the same step runs the feed's quality gate when one is given (the definitions
pass the GX raw suite, quality/checks.py): it judges the new batches before anything
downstream can read them, and reports as the asset's check. An unreadable file is rejected
alone (recorded in the manifest with its reason); the step still succeeds, so the feed's other
files and every other feed go on to dbt.
"""

import warnings
from collections.abc import Callable

import dagster as dg

from ..contracts import Feed
from ..resources import WarehouseResource
from ..settings import Paths
from .loader import FeedReport, ingest_feed
from .partitions import LANDING_DAYS, in_days, window_days

MAX_FILES_LISTED = 50

# (paths, feed, the load's report, run id, logger) -> the check result of the feed's gate
Gate = Callable[[Paths, Feed, FeedReport, str, object], dg.AssetCheckResult]


def raw_key(feed: Feed) -> dg.AssetKey:
    """The feed's asset: raw/<source>/<feed>, also the key of its dbt source (the translator's default)."""
    return dg.AssetKey(["raw", feed.source, feed.name])


def build_ingest_asset(
    feed: Feed, gate: Gate | None = None, gate_spec: dg.AssetCheckSpec | None = None
) -> dg.AssetsDefinition:
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster 1.13; it is what makes a backfill one run.
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _ingest_asset(feed, gate, gate_spec)


def _ingest_asset(feed: Feed, gate: Gate | None, gate_spec: dg.AssetCheckSpec | None) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(feed),
        group_name="raw",
        kinds={"duckdb", "parquet"},
        description=f"{feed.description}\n\nLanded as {feed.file_format.upper()} under "
        f"`landing/{feed.source}/{feed.name}/`; valid rows in `lake/raw/{feed.source}/{feed.name}/`, "
        f"rejected rows in `lake/quarantine/{feed.source}/{feed.name}/`.",
        metadata={"contract": contract_table(feed)},
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
        partitions_def=LANDING_DAYS,
        # A backfill of many days is one run: one scan of their files, then dbt once.
        backfill_policy=dg.BackfillPolicy.single_run(),
        check_specs=[gate_spec] if gate_spec else None,
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        paths = warehouse.paths()
        if context.has_partition_key or context.has_partition_key_range:
            first, last = window_days(context.partition_time_window)
            days = f"{first}..{last}" if first != last else str(first)
            report = ingest_feed(paths, feed, select=lambda f: in_days(f, first, last), say=context.log.info)
        else:
            days = "every day (unpartitioned run)"
            report = ingest_feed(paths, feed, say=context.log.info)
        metadata = {"landing_days": days, **report_metadata(paths, report)}
        for f in report.rejected:
            context.log.error(f"{f.source_file} rejected, nothing loaded from it: {f.problem}")
        context.log.info(
            f"{feed.key} ({days}): {report.count('loaded')} new file(s), {report.rows_raw} rows to raw, "
            f"{report.rows_quarantined} to quarantine, {len(report.rejected)} file(s) rejected"
        )
        checks = [gate(paths, feed, report, context.run.run_id, context.log)] if gate else []
        return dg.MaterializeResult(metadata=metadata, check_results=checks)

    return _ingest


def contract_table(feed: Feed) -> dg.MetadataValue:
    lines = ["| column | type | required | rule | default |", "|---|---|---|---|---|"]
    for c in feed.columns:
        rule = ", ".join(
            x
            for x in [
                f"one of {', '.join(c.allowed)}" if c.allowed else "",
                f">= {c.min}" if c.min is not None else "",
                f"<= {c.max}" if c.max is not None else "",
            ]
            if x
        )
        lines.append(f"| {c.name} | {c.type} | {'yes' if c.required else ''} | {rule} | {c.default or ''} |")
    lines.append(f"\nBusiness key: ({', '.join(feed.business_key)})")
    return dg.MetadataValue.md("\n".join(lines))


def report_metadata(paths: Paths, report: FeedReport) -> dict:
    feed = report.feed
    new = [f for f in report.files if f.status in ("loaded", "rejected", "duplicate_content", "still_rejected")]
    table = ["| file | status | rows read | raw | quarantined | note |", "|---|---|---|---|---|---|"]
    for f in new[:MAX_FILES_LISTED]:
        table.append(
            f"| {f.source_file} | {f.status} | {f.rows_read} | {f.rows_raw} | {f.rows_quarantined} | {f.problem or ''} |"
        )
    if len(new) > MAX_FILES_LISTED:
        table.append(f"| … {len(new) - MAX_FILES_LISTED} more | | | | | |")
    rules = "\n".join(f"- `{rule}`: {n}" for rule, n in report.rule_counts.most_common()) or "none"
    return {
        "files_new_loaded": report.count("loaded"),
        "files_already_loaded": report.count("already_loaded"),
        "files_duplicate_content": report.count("duplicate_content"),
        "files_rejected": len(report.rejected),
        "files_still_rejected": report.count("still_rejected"),
        "rows_read": report.rows_read,
        "rows_raw": report.rows_raw,
        "rows_quarantined": report.rows_quarantined,
        "files": dg.MetadataValue.md("\n".join(table)),
        "quarantine_rules": dg.MetadataValue.md(rules),
        "ignored_columns": ", ".join(sorted(report.ignored_columns)) or "none",
        "raw_path": dg.MetadataValue.path(str(paths.feed_dir(paths.raw, feed.source, feed.name))),
        "quarantine_path": dg.MetadataValue.path(str(paths.feed_dir(paths.quarantine, feed.source, feed.name))),
    }
