"""`make run`: generate demo data if the landing zone is empty, run the whole
pipeline in-process against a persistent Dagster instance, and say where things are.

    python -m dagster_project.run              # the whole pipeline
    python -m dagster_project.run --days 2025-03-01..2025-03-07
                                               # a backfill: the files of those landing days, then
                                               # everything downstream, as one partitioned run
    python -m dagster_project.run --as-of-date 2025-06-30
                                               # every metric as of that day (dbt var as_of_date)
    python -m dagster_project.run --force      # run even when nothing changed since the last complete run
    python -m dagster_project.run --full-refresh
                                               # rebuild the incremental dbt models from scratch
                                               # (transform/refresh.py: it happens by itself after a change
                                               # to the dbt project)
    python -m dagster_project.run --setup-only # prepare DAGSTER_HOME and the dbt manifest (for `make dev`)

A run with nothing new (the same landed files, code, acceptances and settings as the last run
that succeeded, whose warehouse and serving file are still there) rebuilds nothing: it says so
and stops (run_state.py).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from .settings import Paths, duckdb_connect

DAGSTER_YAML = """\
# Written by vector-crm. Runs and asset history live beside the data.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1  # the `warehouse` pool: one writer on warehouse.duckdb at a time
"""

DEMO_SIZE, DEMO_SEED = "S", 42


def ensure_dagster_home(paths: Paths) -> None:
    paths.dagster_home.mkdir(parents=True, exist_ok=True)
    config = paths.dagster_home / "dagster.yaml"
    if not config.exists() or config.read_text() != DAGSTER_YAML:
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)


def landing_is_empty(paths: Paths) -> bool:
    return not paths.landing.is_dir() or not any(p.is_file() for p in paths.landing.rglob("*"))


def setup(paths: Paths) -> None:
    # DuckDB creates the warehouse file but not its folder.
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    paths.export_env()
    ensure_dagster_home(paths)
    from .privacy import ensure_pii_secret

    ensure_pii_secret(paths)  # the key of the contact hashes, for dbt


def prepare_dbt() -> None:
    """The dbt manifest the Dagster definitions are built from (a parse, when it is not current)."""
    from .transform.project import prepare_manifest

    prepare_manifest()


def landing_days(text: str) -> tuple[str, str]:
    """'2025-03-01..2025-03-07' or '2025-03-01' as (first, last), checked to be dates in order."""
    first, _, last = text.partition("..")
    last = last or first
    try:
        if date.fromisoformat(first) > date.fromisoformat(last):
            raise ValueError(f"{first} is after {last}")
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"--days takes YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD ({e})") from e
    return first, last


@contextlib.contextmanager
def engine_server(paths: Paths):
    """ENGINE=postgres without $VECTOR_CRM_PG_HOST: a local server in the data directory for the run."""
    from .engines import engine
    from .engines.postgres import ENV, local_server

    if engine() != "postgres" or os.environ.get(ENV["host"]):
        yield
        return
    with local_server(paths.data_dir / "postgres", say=lambda line: print("  " + line, flush=True)) as settings:
        settings.export_env()
        yield


def log_path(paths: Paths) -> Path:
    return paths.dagster_home / "last_run.log"


def as_of_day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"--as-of-date takes YYYY-MM-DD ({e})") from e


def run_pipeline(
    paths: Paths, days: tuple[str, str] | None = None, as_of_date: str | None = None, full_refresh: bool = False
):
    """Run the job in this process; returns its closing report (closing_report) and run id."""
    from dagster import DagsterInstance

    from .console import run_config
    from .definitions import defs
    from .ingest.partitions import range_tags
    from .recovery import recover_stale_runs
    from .transform.assets import DBT_STDOUT_ENV, dbt_run_config

    job = defs.resolve_job_def("full_pipeline")
    # Without days the run is unpartitioned: ingestion loads every new file of any day.
    tags = range_tags(*days) if days else {}
    log_path(paths).write_text("")  # the log of this run only
    os.environ[DBT_STDOUT_ENV] = str(paths.dbt_target / "dbt_console.log")
    with DagsterInstance.get() as instance:
        # a run killed earlier (kill -9, out of memory) must not hold the warehouse slot forever
        recover_stale_runs(instance, say=lambda line: print("  " + line, flush=True))
        result = job.execute_in_process(
            tags=tags,
            instance=instance,
            raise_on_error=False,
            # A line per step on the console; every line of the log in dagster_home/last_run.log;
            # the full event log in the Dagster UI.
            run_config=run_config(str(log_path(paths))) | dbt_run_config(as_of_date, full_refresh),
        )
        return closing_report(instance, result), result.run_id


def closing_report(instance, result):
    """What the run leaves a person to act on (run_summary.RunReport). A failed run is reported
    at once (log and webhook, as the failure sensor would) and tagged so that the sensor, which
    sees it later, does not report it twice: no daemon runs during `make run`."""
    from .orchestration import REPORTED_TAG, failure_summary, report_failure
    from .run_summary import collect

    report = collect(result.all_events)
    if not result.success:
        failure = next((e.message for e in result.all_events if e.event_type_value == "RUN_FAILURE"), "")
        steps = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        report_failure(failure_summary(result.dagster_run, steps, failure), logging.getLogger("vector_crm.run"))
        instance.add_run_tags(result.run_id, {REPORTED_TAG: "make run"})
        if not report.failed_steps:  # a run can fail outside any step (a resource, the executor)
            report.failed_steps.append(("run", (failure.splitlines() or ["see the Dagster UI"])[0]))
    return report


def summary(paths: Paths) -> str:
    lines = []
    con = duckdb_connect()
    try:
        for layer in ("raw", "quarantine"):
            root = getattr(paths, layer)
            for folder in sorted(p for p in root.glob("*/*") if any(p.glob("part-*.parquet"))):
                n = con.execute("select count(*) from read_parquet(?)", [str(folder / "part-*.parquet")]).fetchone()[0]
                lines.append(f"  {layer:<10} {folder.relative_to(root).as_posix():<34} {n:>10,} rows")
    finally:
        con.close()
    if paths.warehouse.exists():
        # read-only: the pipeline has finished, and a BI tool may hold the file open too
        with duckdb_connect(str(paths.warehouse), read_only=True) as wh:
            tables = wh.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
            for (name,) in tables:
                n = wh.execute(f'select count(*) from marts."{name}"').fetchone()[0]
                lines.append(f"  {'marts':<10} {name:<34} {n:>10,} rows")
    return "\n".join(lines)


def say_nothing_new(paths: Paths, last: dict, t0: float) -> int:
    from .serving.publish import serving_database

    print(
        f"Nothing new since the last complete run (run {last['run_id'][:8]}, finished {last['finished_at']}): "
        "the same landed files, code, acceptances and settings.\n"
        "Nothing rebuilt, checked or published; the results are where they were:\n"
        f"  warehouse        {paths.warehouse}\n"
        f"  for BI tools     {serving_database(paths)}\n"
        f"(make run FORCE=1 runs everything anyway; {time.monotonic() - t0:.1f} s)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument(
        "--days",
        type=landing_days,
        metavar="FIRST[..LAST]",
        help="only the landing files of these days (a backfill), then everything downstream",
    )
    parser.add_argument(
        "--as-of-date",
        type=as_of_day,
        metavar="YYYY-MM-DD",
        help="compute every metric as of this day (default: the latest order date)",
    )
    parser.add_argument("--force", action="store_true", help="run even when nothing changed since the last run")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental dbt models from scratch (runs even when nothing changed)",
    )
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    t0 = time.monotonic()
    from .privacy import SecretMissing

    try:
        setup(paths)
    except SecretMissing as e:
        print(f"vector-crm: {e}", file=sys.stderr)
        return 2
    if args.setup_only:
        prepare_dbt()
        print(f"DAGSTER_HOME={paths.dagster_home}")
        return 0
    if landing_is_empty(paths):
        from vector_crm_tools.generate import generate

        print(f"Landing zone {paths.landing} is empty: generating demo data (size {DEMO_SIZE}, seed {DEMO_SEED}).")
        generate(paths.data_dir, DEMO_SIZE, DEMO_SEED)
    from . import run_state

    inputs = run_state.fingerprint(paths, args.as_of_date)
    if not (args.days or args.force or args.full_refresh):
        changed = run_state.changes(paths, inputs, run_state.complete_run_outputs(paths))
        if not changed:
            return say_nothing_new(paths, run_state.last_complete_run(paths), t0)
        if changed != [run_state.NO_RECORD]:
            print(f"Changed since the last complete run: {', '.join(changed)}.")
    prepare_dbt()
    run_state.forget(paths)  # until this run succeeds: a killed or failed run is never "complete"
    print("Running the pipeline (a line per step; the whole log: " + str(log_path(paths)) + ")")
    with engine_server(paths):
        report, run_id = run_pipeline(paths, args.days, args.as_of_date, args.full_refresh)
    if not report.failed:
        run_state.record(paths, inputs, run_id)
    print()
    print(f"  data directory   {paths.data_dir}")
    print(f"  landing zone     {paths.landing}")
    print(f"  warehouse        {paths.warehouse}   (schemas staging, intermediate, marts)")
    print(f"  raw lake         {paths.raw}")
    print(f"  quarantine       {paths.quarantine}")
    from .serving.publish import serving_database, serving_dir

    print(
        f"  for BI tools     {serving_database(paths)}   (the public marts, read-only; "
        f"Parquet in {serving_dir(paths) / 'parquet'})"
    )
    print(f"  quality          {paths.data_dir / 'quality'}   (GX results; table quality.validation_results)")
    from .quality.validate import data_docs_index

    print(f"  GX Data Docs     {data_docs_index(paths)}")
    print(summary(paths))
    print("  Dagster UI       make dev   (then open http://127.0.0.1:3000)")
    print()
    from .run_summary import render

    print(render(report, time.monotonic() - t0, str(log_path(paths))))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
