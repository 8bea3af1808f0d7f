"""When the dbt step rebuilds the incremental models from scratch.

Staging and the large facts are incremental (dbt/macros/incremental.sql): each build replaces only
the keys that newly admitted batches touch. Rows built yesterday are only right while the code
that built them is today's: after an edit of the dbt project (a model, a macro, a seed, a var in
dbt_project.yml) or a change of the settings a build reads (engine, time zone, the vars a run
passes), the dbt step runs ``dbt build --full-refresh``. A full refresh is also what an operator
asks for with ``make run FULL_REFRESH=1`` (run config ``full_refresh: true``).

The record, ``<dbt target>/incremental_build.json``, holds the fingerprint of the build that last
completed. A full refresh removes it before it starts and writes it when it succeeds, so a full
refresh that was killed or failed half-way is done again by the next run. An incremental build
leaves it alone: each incremental model keeps its own watermark and commits on its own, so a
build stopped half-way is caught up by the next one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..run_state import code_fingerprint, write_record
from ..settings import DBT_PROJECT_DIR, ENGINE_ENV, TIMEZONE_ENV, Paths

RECORD_NAME = "incremental_build.json"
# vars that pick the day the marts are computed for: they change no incremental model
VARS_NOT_IN_INCREMENTAL_MODELS = {"as_of_date"}


def fingerprint(build_vars: dict[str, object]) -> dict[str, str]:
    """What the incremental models' rows depend on besides the data."""
    kept = {k: v for k, v in build_vars.items() if k not in VARS_NOT_IN_INCREMENTAL_MODELS}
    return {
        "dbt_project": code_fingerprint((DBT_PROJECT_DIR,)),
        "engine": os.environ.get(ENGINE_ENV) or "duckdb",
        "timezone": os.environ.get(TIMEZONE_ENV) or "UTC",
        "vars": json.dumps(kept, sort_keys=True),
    }


def _record(paths: Paths) -> Path:
    return paths.dbt_target / RECORD_NAME


def full_refresh_reason(paths: Paths, now: dict[str, str], asked: bool = False) -> str | None:
    """Why this build must be a full refresh, or None when an incremental build is right."""
    if asked:
        return "a full refresh was asked for"
    record = _record(paths)
    if not record.exists():
        return "no complete build is recorded for these tables"
    before = json.loads(record.read_text(encoding="utf-8"))
    changed = sorted(k for k in now if before.get(k) != now[k])
    return f"changed since the last build: {', '.join(changed)}" if changed else None


def forget(paths: Paths) -> None:
    _record(paths).unlink(missing_ok=True)


def record(paths: Paths, now: dict[str, str]) -> None:
    write_record(_record(paths), now)
