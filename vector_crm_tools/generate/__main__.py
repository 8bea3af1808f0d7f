"""CLI: python -m vector_crm_tools.generate --size S|M|L|XL --seed N [--data-dir DIR] [--force]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dagster_project.settings import Paths

from . import SIZES, LandingNotEmpty, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vector_crm_tools.generate", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="S", help="S ≈ 5k customers, M 100k, L 1M, XL 5M")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: $VECTOR_CRM_DATA_DIR or ./data")
    parser.add_argument("--force", action="store_true", help="delete existing landing/ and ground_truth/ first")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Paths.from_env().data_dir
    try:
        summary = generate(data_dir, args.size, args.seed, force=args.force)
    except LandingNotEmpty as exc:
        print(f"refusing to generate: {exc}", file=sys.stderr)
        return 1
    print(f"generated size {summary['size']} seed {summary['seed']} into {data_dir} in {summary['seconds']} s")
    for feed, rows in summary["rows"].items():
        print(f"  {feed:<30} {rows:>12,} rows {summary['files'][feed]:>6,} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
