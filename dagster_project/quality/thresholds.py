"""Thresholds the GX suites share, read from expectations/thresholds.json (one place).

A suite names one as the whole value of a kwarg (``"max_value": "${orphan_rate_max}"``, which
becomes the number) or inside a string (``"row_condition": "col(\\"customer_ids\\") >=
${orphan_min_ids}"``). The profile reads the few that shape its frame (``volume_recent_days``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from ..settings import REPO_ROOT

THRESHOLDS_FILE = REPO_ROOT / "expectations" / "thresholds.json"
WHOLE = re.compile(r"^\$\{(\w+)\}$")
INSIDE = re.compile(r"\$\{(\w+)\}")


@cache
def all_thresholds() -> dict[str, Any]:
    spec = json.loads(THRESHOLDS_FILE.read_text())
    return {name: t["value"] for name, t in spec["thresholds"].items()}


def value(name: str) -> Any:
    try:
        return all_thresholds()[name]
    except KeyError:
        raise KeyError(f"threshold {name!r} is not in {THRESHOLDS_FILE.name}") from None


def substitute(obj: Any) -> Any:
    """obj with every ${name} replaced by its threshold (in place for lists and dicts)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            obj[k] = substitute(v)
        return obj
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            obj[i] = substitute(v)
        return obj
    if isinstance(obj, str):
        whole = WHOLE.match(obj)
        if whole:
            return value(whole.group(1))
        return INSIDE.sub(lambda m: str(value(m.group(1))), obj)
    return obj
