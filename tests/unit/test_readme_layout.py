"""The README's "Project layout" names every top-level folder of the repository and every
package and module of dagster_project, so a newcomer can find each of them."""

from __future__ import annotations

import re
import subprocess

from dagster_project.settings import REPO_ROOT


def _layout() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Project layout", 1)[1]
    return section.split("```", 2)[1]


def _tracked_top_level() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    return {f.split("/", 1)[0] for f in files.splitlines() if "/" in f}


def test_every_top_level_folder_is_in_the_layout():
    layout = _layout()
    folders = _tracked_top_level()
    assert {"dagster_project", "dbt", "tests"} <= folders  # the listing itself works
    missing = sorted(f for f in folders if not re.search(rf"(^|\s){re.escape(f)}/", layout, re.M))
    assert missing == []


def test_every_package_and_module_of_dagster_project_is_in_the_layout():
    layout = _layout()
    root = REPO_ROOT / "dagster_project"
    names = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.name for p in root.glob("*.py") if p.name != "__init__.py"}
    assert {"ingest", "settings.py"} <= names
    missing = sorted(n for n in names if not re.search(rf"\b{re.escape(n.removesuffix('.py'))}(/|\.py)", layout))
    assert missing == []
