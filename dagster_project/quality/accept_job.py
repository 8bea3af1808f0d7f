"""`make accept` from the Dagster UI: the job ``accept_quality_failure``, launched with a config
such as::

    ops:
      accept:
        config:
          suite: raw.web.events
          file: events_2025-06-01.jsonl      # raw suites: the held file (optional: every one)
          rule: days_after_load              # optional: narrows to matching failures
          reason: "the web server's clock ran 5 days ahead"
          by: ana                            # optional: default $USER of the Dagster process

It records the same acceptance as the command (quality/accept.py); the run's log says what was
accepted, and the next pipeline run builds what it admitted.
"""

# no `from __future__ import annotations`: Dagster reads the config class's annotations as types
import dagster as dg

from ..resources import WarehouseResource
from .accept import accept


class AcceptConfig(dg.Config):
    suite: str  # e.g. raw.web.events or marts.customer_segments
    reason: str  # why it may pass (recorded)
    file: str | None = None  # raw suites: the held file (path under landing/, or its name)
    rule: str | None = None  # only failures whose expectation, column or rule contains this
    by: str | None = None  # who accepts (default: $USER of the Dagster process)


@dg.op(name="accept", description="Record a person's acceptance of a reviewed quality failure (as `make accept`).")
def accept_op(context: dg.OpExecutionContext, config: AcceptConfig, warehouse: WarehouseResource) -> dg.Output:
    rows = accept(warehouse.paths(), config.suite, config.reason, file=config.file, rule=config.rule, by=config.by)
    for r in rows:
        context.log.info(
            f"accepted {r['suite']}: {r['rule']} (observed {r['observed_value']})"
            + (f" in {r['source_file']}" if r["source_file"] else "")
            + ("; the batch is admitted" if r["admitted"] else "")
        )
    return dg.Output(
        len(rows),
        metadata={
            "acceptance_id": rows[0]["acceptance_id"],
            "accepted_by": rows[0]["accepted_by"],
            "failures_accepted": len(rows),
            "batches_admitted": len({r["batch_id"] for r in rows if r["admitted"]}),
        },
    )


@dg.job(
    name="accept_quality_failure",
    description="Accept a reviewed GX failure so that it stops holding data back (config: suite, reason, "
    "[file], [rule], [by]); the next full_pipeline run builds what it admitted.",
)
def accept_quality_failure():
    accept_op()
