"""What the last complete run was built from, so that a run with nothing new says so and stops.

A run's results depend on four things, each fingerprinted on its own so that a run can say which
one changed:

* ``landing``: every landed file, by path, size and modification time (the identity the landing
  sensor and the load manifest give a file; a corrected re-send changes it);
* ``code``: the dbt project, the GX suites and the pipeline's Python, by content;
* ``decisions``: the people's acceptances of quality failures (``make accept``);
* ``settings``: what changes results without changing a file: the engine, the time zone, the key
  of the contact hashes (its digest, never the key) and an explicit as-of date.

``make run`` removes the record before it starts a run (a killed run leaves none, so the next
run rebuilds) and writes it after a run that succeeded; a later ``make run`` whose fingerprint is
the same, and whose warehouse and serving file still exist, rebuilds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from .settings import DBT_PROJECT_DIR, ENGINE_ENV, REPO_ROOT, TIMEZONE_ENV, Paths

RECORD_NAME = "last_complete_run.json"
NO_RECORD = "no complete run recorded"
# The sources of the results: where an edit changes what a run would build.
CODE_DIRS = (DBT_PROJECT_DIR, REPO_ROOT / "expectations", REPO_ROOT / "dagster_project")
# dbt's own output and caches: written by every dbt command, never an input
SKIPPED_DIRS = {"target", "logs", "dbt_packages", "__pycache__", ".pytest_cache"}
CODE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".json", ".py", ".md"}


def record_path(paths: Paths) -> Path:
    return paths.dagster_home / RECORD_NAME


def _digest(lines: Iterable[str]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return h.hexdigest()


def _files(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return []
    # hidden files are editors' and tools' state (dbt writes .user.yml on its first run)
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not SKIPPED_DIRS.intersection(parts := p.relative_to(root).parts)
        and not any(part.startswith(".") for part in parts)
    )


def landing_fingerprint(paths: Paths) -> str:
    """Every file ingestion would look at (landing.discover: each feed's folder, hidden files
    left out), by the identity the landing sensor and the manifest give it."""
    from .contracts import ALL_FEEDS
    from .ingest.landing import discover

    files = sorted((f for feed in ALL_FEEDS for f in discover(paths.landing, feed)), key=lambda f: f.relative)
    return _digest(f"{f.relative}\t{f.size}\t{f.mtime_ns}" for f in files)


def code_fingerprint(roots: Iterable[Path] | None = None) -> str:
    """The files under `roots` (default: CODE_DIRS), by content."""
    return _digest(
        f"{p.relative_to(REPO_ROOT).as_posix()}\t{hashlib.sha256(p.read_bytes()).hexdigest()}"
        for root in (CODE_DIRS if roots is None else roots)
        for p in _files(root)
        if p.suffix in CODE_SUFFIXES
    )


def decisions_fingerprint(paths: Paths) -> str:
    from .quality.store import acceptances_dir

    return _digest(f"{p.name}\t{p.stat().st_size}" for p in _files(acceptances_dir(paths)))


def settings_fingerprint(paths: Paths, as_of_date: str | None) -> str:
    from .privacy import PII_SECRET_ENV, secret_path

    key = os.environ.get(PII_SECRET_ENV) or (
        secret_path(paths).read_text().strip() if secret_path(paths).exists() else ""
    )
    return _digest(
        [
            f"engine={os.environ.get(ENGINE_ENV) or 'duckdb'}",
            f"timezone={os.environ.get(TIMEZONE_ENV) or 'UTC'}",
            f"pii_key={hashlib.sha256(key.encode()).hexdigest()}",
            f"as_of_date={as_of_date or ''}",
        ]
    )


def fingerprint(paths: Paths, as_of_date: str | None = None) -> dict[str, str]:
    return {
        "landing": landing_fingerprint(paths),
        "code": code_fingerprint(),
        "decisions": decisions_fingerprint(paths),
        "settings": settings_fingerprint(paths, as_of_date),
    }


def complete_run_outputs(paths: Paths) -> list[Path]:
    """What a complete run leaves: without the warehouse or the serving file, there is work."""
    from .serving.publish import serving_database

    return [paths.warehouse, serving_database(paths)]


def last_complete_run(paths: Paths) -> dict | None:
    try:
        return json.loads(record_path(paths).read_text())
    except (FileNotFoundError, ValueError):
        return None


def changes(paths: Paths, now: dict[str, str], outputs: Iterable[Path]) -> list[str]:
    """What differs from the last complete run: fingerprint parts, or missing outputs; empty
    when nothing does (the run would rebuild exactly what is there)."""
    last = last_complete_run(paths)
    if last is None:
        return [NO_RECORD]
    changed = [part for part, value in now.items() if last.get("fingerprint", {}).get(part) != value]
    changed += [f"{p.name} missing" for p in outputs if not p.exists()]
    return changed


def forget(paths: Paths) -> None:
    record_path(paths).unlink(missing_ok=True)


def write_record(target: Path, data: dict) -> None:
    """A JSON record written atomically: a half-written record never exists, it reads as none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(target)


def record(paths: Paths, now: dict[str, str], run_id: str) -> None:
    """Written after a run that succeeded."""
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    write_record(record_path(paths), {"run_id": run_id, "finished_at": finished, "fingerprint": now})
