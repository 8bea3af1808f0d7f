"""Landing zone → raw Parquet lake + quarantine + load manifest."""
