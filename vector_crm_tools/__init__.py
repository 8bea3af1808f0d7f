"""Development tools beside the pipeline, not part of it: the synthetic-data generator
(generate/) and the measurements of the pipeline's output against its ground truth
(evaluate/). They import dagster_project (contracts, settings); dagster_project never
imports them, except `make run`'s demo-data step (run.py) when the landing zone is empty."""
