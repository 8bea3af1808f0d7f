"""The floor: DuckDB alone reads every landing file once and writes Parquet, nothing else.

No contract, no validation, no lineage: the least any ingestion has to do.
"""

import sys
from pathlib import Path

from dagster_project.contracts import ALL_FEEDS
from dagster_project.settings import duckdb_connect


def main(landing: Path, out: Path) -> None:
    con = duckdb_connect()
    for feed in ALL_FEEDS:
        folder = landing / feed.source / feed.name
        if feed.file_format == "csv":
            src = f"read_csv('{folder}/*.csv', header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        else:
            src = f"read_json('{folder}/*.jsonl', format = 'newline_delimited')"
        target = out / f"{feed.source}__{feed.name}.parquet"
        con.execute(f"copy (select * from {src}) to '{target}' (format parquet, compression zstd)")
    con.close()


if __name__ == "__main__":
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    main(Path(sys.argv[1]), out)
