"""GX suites as JSON files in expectations/, reviewed like any source.

    expectations/raw/<source>.<feed>.json   one per landing feed, validated on the batch profile
    expectations/marts/<mart>.json          one per public mart, validated on a dbt model's rows

Every file is a GX Core 1.x ExpectationSuite (name, expectations, meta) plus
``meta.vector_crm``: what the suite checks and how (kind, asset key, and for a mart the frame
it validates): ``model``, the dbt view dbt/models/quality/qc_<mart>.sql, or for the two CLV
tables written after dbt, ``query`` (docs/DECISIONLOG.md); ``compare_previous`` adds
change-over-time columns (runner.py). A suite for a new mart is one JSON file and one qc model.

Every expectation carries ``meta.severity``:

- ``error``: a breach that would make a mart wrong (types, required cells, keys, impossible
  values such as a date in the future or an absurd amount, a formula identity such as a rate
  outside [0, 1] or a customer counted twice). A raw error holds the failing batch (landed
  file) out of staging until a corrected re-send replaces it or someone accepts it; a mart
  error holds that mart (and the marts built from it) out of the serving snapshot.
- ``warn``: a statistical anomaly (volume, null-rate jumps, orphan shares, lateness,
  distribution shares, change against the previous run). Recorded and shown, never blocking.

A raw error expectation must judge batch rows (``expect_column_values_*``), so that a failure
names the batch it holds. A value ``"${name}"`` (or ``${name}`` inside a row_condition) is a
shared threshold from expectations/thresholds.json (quality/thresholds.py).

A raw suite's expectations come in two origins (``meta.origin`` of each expectation):
``contract``, written by this module from dagster_project/contracts (one truth; never
edit them by hand), and ``policy``, written by people (volume, null rates, freshness,
orphans, amount bounds). ``python -m dagster_project.quality.suites`` rewrites the
contract part and keeps the policy part; ``--check`` fails when the files are stale.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..contracts import ALL_FEEDS, Feed
from ..settings import REPO_ROOT
from . import thresholds

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")


@dataclass(frozen=True)
class Suite:
    name: str
    kind: str  # raw | mart
    asset: tuple[str, ...]
    description: str
    spec: dict  # the GX suite as in the file
    path: Path
    model: str | None = None  # mart suites: the dbt model (schema quality) whose rows are validated
    query: str | None = None  # the CLV marts' suites: the SQL whose result is validated
    compare_previous: dict[str, str] | None = None  # mart suites: {column: base column}, runner.with_previous
    feed: str | None = None  # raw suites: <source>/<feed>

    @property
    def check_name(self) -> str:
        return "gx_" + re.sub(r"[^a-z0-9_]", "_", self.name.lower())

    @property
    def columns(self) -> list[str]:
        """Columns of the validated frame that the expectations name."""
        out = []
        for e in self.spec["expectations"]:
            for key in ("column", "column_A", "column_B"):
                c = e["kwargs"].get(key)
                if c and c not in out:
                    out.append(c)
        return out

    @property
    def expectations(self) -> list[dict]:
        return self.spec["expectations"]


SEVERITIES = ("error", "warn")
# GX expectation types that judge each row of the frame (and so can name the batch they hold).
ROW_LEVEL = ("expect_column_values_", "expect_column_pair_values_", "expect_multicolumn_values_")


def expectation_key(e: dict) -> str:
    """An expectation's identity within its suite: what an acceptance and the results history
    refer to. `meta.key` when set, else its type and the column(s) it judges."""
    if e.get("meta", {}).get("key"):
        return e["meta"]["key"]
    kw = e["kwargs"]
    columns = (
        kw.get("column")
        or ">".join(str(kw.get(k)) for k in ("column_A", "column_B") if kw.get(k))
        or ",".join(kw.get("column_list", []))
    )
    return f"{e['type'].removeprefix('expect_')}:{columns}"


def severity(e: dict) -> str:
    return e.get("meta", {}).get("severity", "")


def raw_suite_path(feed: Feed, root: Path = EXPECTATIONS_DIR) -> Path:
    return root / "raw" / f"{feed.source}.{feed.name}.json"


def load_suite(path: Path) -> Suite:
    spec = json.loads(path.read_text())
    meta = spec.get("meta", {}).get("vector_crm")
    if not meta:
        raise ValueError(f"{path}: meta.vector_crm is missing (kind, asset)")
    for key in ("kind", "asset"):
        if key not in meta:
            raise ValueError(f"{path}: meta.vector_crm.{key} is missing")
    if meta["kind"] == "mart" and bool(meta.get("model")) == bool(meta.get("query")):
        raise ValueError(
            f"{path}: a mart suite needs meta.vector_crm.model (or, for a table dbt does not build, query)"
        )
    if "{previous:" in (meta.get("query") or ""):
        raise ValueError(f"{path}: a change against the previous run is a compare_previous column")
    for column, base in (meta.get("compare_previous") or {}).items():
        if not (isinstance(column, str) and isinstance(base, str) and column != base):
            raise ValueError(f"{path}: compare_previous maps a new column to another column ({column!r}: {base!r})")
    keys = set()
    for e in spec["expectations"]:
        where = f"{path}: expectation {expectation_key(e)}"
        if severity(e) not in SEVERITIES:
            raise ValueError(f"{where}: meta.severity must be one of {', '.join(SEVERITIES)}")
        if meta["kind"] == "raw" and severity(e) == "error" and not e["type"].startswith(ROW_LEVEL):
            raise ValueError(f"{where}: a raw error must judge batch rows ({ROW_LEVEL[0]}*) to name the batch it holds")
        if expectation_key(e) in keys:
            raise ValueError(f"{where}: twice in the suite (give one a meta.key)")
        keys.add(expectation_key(e))
    thresholds.substitute(copy.deepcopy(spec["expectations"]))  # fails on a threshold that does not exist
    return Suite(
        name=spec["name"],
        kind=meta["kind"],
        asset=tuple(meta["asset"]),
        description=meta.get("description", ""),
        spec=spec,
        path=path,
        model=meta.get("model"),
        query=meta.get("query"),
        compare_previous=meta.get("compare_previous"),
        feed=meta.get("feed"),
    )


def load_suites(root: Path = EXPECTATIONS_DIR) -> list[Suite]:
    return [load_suite(p) for p in sorted(root.glob("*/*.json"))]


def gx_expectations(suite: Suite) -> list[dict]:
    """The suite's expectations as GX takes them: ISO date strings become timestamps,
    because GX compares a datetime column only with datetime bounds."""
    import pandas as pd

    out = thresholds.substitute(copy.deepcopy(suite.spec["expectations"]))
    for e in out:
        e.setdefault("meta", {})["key"] = expectation_key(e)  # how a result finds its expectation
        for key in ("min_value", "max_value"):
            v = e["kwargs"].get(key)
            if isinstance(v, str) and ISO_DATE.match(v):
                e["kwargs"][key] = pd.Timestamp(v)
    return out


# --- the contract part of the raw suites ------------------------------------------------------


def _expectation(kind: str, rule: str, **kwargs) -> dict:
    # A contract breach in raw would make the marts wrong: always an error.
    return {"type": kind, "kwargs": kwargs, "meta": {"origin": "contract", "severity": "error", "rule": rule}}


def contract_expectations(feed: Feed) -> list[dict]:
    """What the contract promises about every batch that reached raw, as expectations on
    the batch profile (see profile.py for the meaning of each profile column)."""
    out = []
    for c in feed.columns:
        if c.required or c.default is not None:
            why = "required" if c.required else f"default {c.default}"
            out.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    f"{c.name}: {why}",
                    column=f"null_rate__{c.name}",
                    min_value=0,
                    max_value=0,
                )
            )
        if c.allowed:
            out.append(
                _expectation(
                    "expect_column_values_to_be_in_set",
                    f"{c.name}: allowed values",
                    column=c.name,
                    value_set=list(c.allowed),
                )
            )
        if c.min is not None:
            out.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    f"{c.name} >= {c.min}",
                    column=f"min__{c.name}",
                    min_value=c.min,
                )
            )
        if c.max is not None:
            out.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    f"{c.name} <= {c.max}",
                    column=f"max__{c.name}",
                    max_value=c.max,
                )
            )
    return out


def raw_suite_spec(feed: Feed, existing: dict | None) -> dict:
    """The raw suite file for a feed: contract expectations regenerated, the rest kept."""
    policy = [e for e in (existing or {}).get("expectations", []) if e.get("meta", {}).get("origin") != "contract"]
    meta = (existing or {}).get("meta", {}).get("vector_crm", {})
    return {
        "name": f"raw.{feed.source}.{feed.name}",
        "meta": {
            "vector_crm": {
                "kind": "raw",
                "feed": feed.key,
                "asset": ["raw", feed.source, feed.name],
                "description": meta.get(
                    "description",
                    f"Every new batch (landed file) of {feed.key}, profiled: "
                    "the contract's promises, volume, null rates, lateness.",
                ),
            }
        },
        "expectations": contract_expectations(feed) + policy,
    }


def render(spec: dict) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the contract part of expectations/raw/*.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for feed in ALL_FEEDS:
        path = raw_suite_path(feed)
        existing = json.loads(path.read_text()) if path.exists() else None
        text = render(raw_suite_spec(feed, existing))
        if existing is not None and path.read_text() == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for p in stale:
        print(("stale: " if args.check else "wrote: ") + str(p.relative_to(REPO_ROOT)))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
