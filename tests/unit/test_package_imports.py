"""The runtime package's parts import one another in one direction only: no two of its
subpackages or top-level modules import each other, directly or through others, and the
development tools (vector_crm_tools) are never imported at module level."""

from __future__ import annotations

import ast

from dagster_project.settings import REPO_ROOT

ROOT = REPO_ROOT / "dagster_project"


def _part(module: str) -> str | None:
    """dagster_project.ingest.rules -> ingest; dagster_project.sql -> sql; other packages -> None."""
    bits = module.split(".")
    return bits[1] if bits[0] == "dagster_project" and len(bits) > 1 else None


def _imports(path) -> tuple[set[str], set[str]]:
    """(every dagster_project module the file imports, the modules it imports at its top level)."""
    package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found, top = set(), set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            names = (
                [target] + [f"{target}.{a.name}" for a in node.names] if node.level and not node.module else [target]
            )
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found.update(names)
        if node in tree.body:
            top.update(names)
    return found, top


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        here = _part(".".join(path.relative_to(REPO_ROOT).with_suffix("").parts))
        if here is None or here in ("__init__", "__main__"):
            continue
        for module in _imports(path)[0]:
            there = _part(module)
            if there and there != here:
                edges.setdefault(here, set()).add(there)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[tuple[str, ...]]:
    found = []

    def walk(node: str, trail: tuple[str, ...]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt == trail[0]:
                found.append(trail)
            elif nxt not in trail and nxt > trail[0]:
                walk(nxt, (*trail, nxt))

    for start in sorted(edges):
        walk(start, (start,))
    return found


def test_the_import_graph_is_read_correctly():
    edges = _graph()
    # known edges, read from the files by hand: the loader quotes with the shared SQL helpers,
    # the raw gate judges the lake's batches, the definitions wire every part
    assert {"sql", "contracts", "settings"} <= edges["ingest"]
    assert "ingest" in edges["quality"]
    assert {"ingest", "quality", "resources", "serving", "transform"} <= edges["definitions"]


def test_no_two_parts_import_each_other():
    assert _cycles(_graph()) == []


def test_a_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [("a", "b", "c")]


def test_the_development_tools_are_not_imported_at_module_level():
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in ROOT.rglob("*.py")
        if any(m.startswith("vector_crm_tools") for m in _imports(p)[1])
    ]
    assert offenders == []


def test_importing_the_modules_changes_nothing(tmp_path):
    """Every module but definitions.py (and the `python -m` entry points) imports without preparing the dbt project or setting
    the environment, even under `dagster dev` (where preparing would re-parse the manifest)."""
    import json
    import os
    import subprocess
    import sys

    modules = sorted(
        ".".join(p.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in ROOT.rglob("*.py")
        if p.name not in ("__main__.py", "definitions.py")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("VECTOR_CRM_")}
    env["DAGSTER_IS_DEV_CLI"] = "1"
    script = (
        "import importlib, json, os, sys\n"
        "before = dict(os.environ)\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "print(json.dumps(sorted(k for k in os.environ if os.environ.get(k) != before.get(k))))\n"
    )
    manifest = REPO_ROOT / "dbt" / "target" / "manifest.json"
    mtime = manifest.stat().st_mtime_ns
    out = subprocess.run(
        [sys.executable, "-c", script, *modules], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.splitlines()[-1]) == []
    assert manifest.stat().st_mtime_ns == mtime
    assert len(modules) > 40  # the listing found the package's modules


def test_the_dbt_project_is_made_once_per_process():
    from dagster_project.transform.project import dbt_project

    assert dbt_project() is dbt_project()
