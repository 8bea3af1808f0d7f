"""Customer lifetime value: BG/NBD (bgnbd.py) and Gamma-Gamma (gamma_gamma.py) fitted on the
customers' purchase summary (model.py), read from and written to the warehouse (warehouse.py)
by one Dagster asset (asset.py). Settings in settings.py; `python -m dagster_project.clv`
fits on a warehouse without writing (the benchmark's CLV stage)."""
