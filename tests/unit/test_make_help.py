"""`make help` lists every target of the Makefile with its `##` description."""

from __future__ import annotations

import re
import subprocess

from dagster_project.settings import REPO_ROOT


def test_make_help_lists_every_phony_target():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split())
    out = subprocess.run(["make", "-s", "help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    listed = {m.group(1): m.group(2) for m in re.finditer(r"^  make (\S+)\s+(.+)$", out, re.M)}
    assert {"run", "test", "help"} <= phony
    assert sorted(phony - set(listed)) == []
    assert all(text.strip() for text in listed.values())
