"""What every Dagster asset, check and sensor of the pipeline shares: the warehouse's
concurrency pool."""

# Only one process may write warehouse.duckdb: every step that writes or reads it for long
# (dbt, the CLV fit, the publish step) takes a slot in this pool, whose limit is 1
# (dagster.yaml written by `python -m dagster_project.run` / `make dev`).
WAREHOUSE_POOL = "warehouse"
