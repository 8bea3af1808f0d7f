"""Data quality: GX Core 1.x suites from expectations/ run as Dagster asset checks.

suites.py   load the JSON suites; write the raw suites' contract part from contracts/
profile.py  the frame a raw suite validates: one row per batch (landed file) of the latest load
validate.py run a suite's frame through GX, turn the result into plain rows, build Data Docs
store.py    results history as Parquet under the data directory, mirrored into quality.*
checks.py   the Dagster asset checks (raw: blocking dbt; marts: blocking publishing)
"""
