"""vector-crm's pipeline: ingestion, dbt, quality checks and publishing as Dagster assets."""

import warnings

# Great Expectations imports pyspark when it is installed (the spark extra); pyspark then warns
# that it does not support pandas 3. Nothing here hands pandas frames to pyspark.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
