"""The GX suites as Dagster asset checks: one check per suite file, on the suite's asset.

Raw suites are blocking: when one fails, the dbt step (downstream of every raw asset) does
not run, so no staging or mart is built on a batch that broke an expectation, and what
was built before stays as it was. Mart suites are blocking too, for the publish step that
will sit downstream of the marts.

Every check runs in the warehouse pool (limit 1): it mirrors the results into
warehouse.duckdb (schema quality), and mart checks read the warehouse, so a check never
meets dbt, the file's one other writer, at the same time.
"""


import json
from collections.abc import Iterable

import dagster as dg
import duckdb

from ..settings import Paths
from ..transform.assets import WAREHOUSE_POOL
from . import store
from .runner import run_suite
from .suites import EXPECTATIONS_DIR, Suite, load_suites
from .validate import Outcome, data_docs_index

MAX_LISTED = 20


def build_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset)),
        name=suite.check_name,
        blocking=suite.blocking,
        pool=WAREHOUSE_POOL,
        description=f"GX suite `{_shown(suite)}`. {suite.description}",
        metadata={"suite_file": dg.MetadataValue.path(str(suite.path))},
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        paths = Paths.from_env()
        try:
            outcome = run_suite(paths, suite, context.run.run_id)
        except Exception as e:  # noqa: BLE001 - a check that cannot run must still block
            # Dagster lets downstream steps run when a blocking check emits no result.
            message = f"{suite.name}: could not run ({type(e).__name__}: {e})"
            context.log.error(message)
            return dg.AssetCheckResult(passed=False, description=message, metadata={"error": message})
        try:
            table = f"quality.validation_results ({store.sync_warehouse(paths):,} rows)"
        except duckdb.IOException as e:  # the warehouse is held by another process
            table = f"not updated this time ({str(e).splitlines()[0]}); the next check catches up"
            context.log.warning(f"{suite.name}: results table {table}")
        if not outcome.success:
            context.log.error(summary(outcome))
        return dg.AssetCheckResult(
            passed=outcome.success,
            description=summary(outcome),
            metadata=check_metadata(paths, outcome, table),
        )

    return _check


def _shown(suite: Suite) -> str:
    root = EXPECTATIONS_DIR.parent
    return str(suite.path.relative_to(root)) if suite.path.is_relative_to(root) else str(suite.path)


def summary(outcome: Outcome) -> str:
    suite = outcome.suite
    if outcome.note:
        return f"{suite.name}: {outcome.note}"
    if outcome.success:
        return f"{suite.name}: all {len(outcome.results)} expectations passed on {outcome.frame_rows:,} rows"
    failed = outcome.failed
    lines = [f"{suite.name}: {len(failed)} of {len(outcome.results)} expectations failed"
             + (" (blocking: nothing downstream is built on this data)" if suite.blocking else "")]
    for r in failed[:MAX_LISTED]:
        files = sorted({row.get("source_file") for row in json.loads(r["failing_rows"]) if row.get("source_file")})
        where = f" in {', '.join(files)}" if files else ""
        lines.append(f"- {r['rule']} [{r['column_name']}]: observed {r['observed_value']}{where}"
                     + (f" (error: {r['exception']})" if r["exception"] else ""))
    return "\n".join(lines)


def check_metadata(paths: Paths, outcome: Outcome, table: str) -> dict:
    rows = ["| expectation | column | rule | observed | unexpected values |", "|---|---|---|---|---|"]
    for r in outcome.failed[:MAX_LISTED]:
        rows.append(f"| {r['expectation']} | {r['column_name'] or ''} | {r['rule']} | {r['observed_value']} | {r['unexpected_values']} |")
    samples = [
        {"rule": r["rule"], "column": r["column_name"], "failing_rows": json.loads(r["failing_rows"]),
         "raw_rows": json.loads(r.get("raw_rows") or "[]")}
        for r in outcome.failed[:MAX_LISTED]
    ]
    docs = data_docs_index(paths)
    return {
        "suite": outcome.suite.name,
        "blocking": outcome.suite.blocking,
        "rows_validated": outcome.frame_rows,
        "expectations": len(outcome.results),
        "expectations_failed": len(outcome.failed),
        "failing_expectations": dg.MetadataValue.md("\n".join(rows) if outcome.failed else "none"),
        "sample_failing_rows": dg.MetadataValue.json(samples),
        "results_table": table,
        "results_dir": dg.MetadataValue.path(str(store.results_dir(paths) / outcome.suite.name)),
        "data_docs": dg.MetadataValue.url(docs.as_uri()) if docs.exists() else "not built yet",
    }


def build_checks(suites: Iterable[Suite], asset_keys: set[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """A check per suite whose asset exists (a mart suite may land before its mart)."""
    return [build_check(s) for s in suites if dg.AssetKey(list(s.asset)) in asset_keys]


def quality_checks(asset_keys: set[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    return build_checks(load_suites(), asset_keys)
