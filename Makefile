# vector-crm: every target creates .venv and installs from pyproject.toml (pinned by
# constraints.txt) on first use. Nothing needs installing by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export VECTOR_CRM_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME := $(VECTOR_CRM_DATA_DIR)/dagster_home
export DBT_PROFILES_DIR := $(CURDIR)/dbt

.PHONY: help run backfill engines postgres spark bi-client test bench identity-report quality accept lint dev data docs docs-serve setup clean
.DEFAULT_GOAL := run

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

help:  ## this list: every target and what it does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: $(VENV)/.installed  ## create the virtual environment

# A BI tool's side, apart from the pipeline's: what the README's SQLAlchemy recipe is run with
.venv-bi/.installed: clients/bi-requirements.txt
	$(PYTHON) -m venv .venv-bi
	.venv-bi/bin/pip install -q --disable-pip-version-check -r clients/bi-requirements.txt
	touch $@

bi-client: .venv-bi/.installed  ## the BI side of the README's SQLAlchemy recipe (pinned pair, in .venv-bi)

run: setup $(filter postgres spark,$(ENGINE))  ## generate demo data if needed, run the whole pipeline (nothing when nothing is new), print where results are: make run [ENGINE=duckdb|postgres|spark] [AS_OF=YYYY-MM-DD] [FORCE=1] [FULL_REFRESH=1]
	$(if $(ENGINE),VECTOR_CRM_DBT_TARGET=$(ENGINE)) $(BIN)/python -m dagster_project.run $(if $(AS_OF),--as-of-date $(AS_OF)) $(if $(FORCE),--force) $(if $(FULL_REFRESH),--full-refresh)

backfill: setup  ## the landing files of some days, then everything downstream, as one run: make backfill DAYS=2025-03-01..2025-03-07
	$(BIN)/python -m dagster_project.run --days $(DAYS)

# The other engines, for the engine tests and make run ENGINE=postgres|spark. PostgreSQL:
# Debian's package when it is missing. Spark: the spark extra (dbt-spark, pyspark) and a Java
# runtime (Debian's OpenJDK 17 when there is no java).
engines: postgres spark  ## install what the other engines need (make test does it)

postgres:  ## PostgreSQL (apt-get) when initdb is missing
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { echo "installing PostgreSQL (apt-get)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

$(VENV)/.spark: $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[spark]'
	touch $@

spark: $(VENV)/.spark  ## the spark extra (dbt-spark, pyspark) and Java (apt-get) when missing
	@command -v java >/dev/null \
	  || { echo "installing Java (apt-get)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

test: setup engines bi-client  ## the whole test suite (small generated data)
	$(BIN)/python -m dagster_project.run --setup-only >/dev/null
	$(BIN)/python -m pytest -q -n $(or $(WORKERS),2) --dist loadfile --no-loadscope-reorder --durations=20

data: setup  ## generate landing files: make data SIZE=S|M|L|XL SEED=42 [FORCE=1]
	$(BIN)/python -m vector_crm_tools.generate --size $(or $(SIZE),S) --seed $(or $(SEED),42) $(if $(FORCE),--force)

bench: setup $(if $(ENGINE),engines)  ## measure floor, ingestion, dbt build, the whole pipeline, identity report: make bench SIZE=M|L; engines side by side: make bench SIZE=M ENGINE=all
	$(BIN)/python -m bench --size $(or $(SIZE),M) --seed $(or $(SEED),42) $(if $(ENGINE),--engines $(ENGINE))

quality: setup  ## every GX suite on the data directory, outside Dagster: make quality [KIND=raw|mart] [DATA_DIR=data/bench/M-seed42]
	$(if $(DATA_DIR),VECTOR_CRM_DATA_DIR=$(abspath $(DATA_DIR))) $(BIN)/python -m dagster_project.quality $(if $(KIND),--kind $(KIND))

accept: setup  ## let a reviewed failure pass: make accept SUITE=raw.web.events [FILE=events_2025-06-01.jsonl] [RULE=...] REASON="why"
	$(BIN)/python -m dagster_project.quality.accept --suite "$(SUITE)" $(if $(FILE),--file "$(FILE)") $(if $(RULE),--rule "$(RULE)") --reason "$(REASON)" $(if $(BY),--by "$(BY)")

identity-report: setup  ## precision and recall of identity resolution against the ground truth: make identity-report [DATA_DIR=data/bench/M-seed42]
	$(BIN)/python -m vector_crm_tools.evaluate.identity $(if $(DATA_DIR),--data-dir $(DATA_DIR))

lint: setup  ## SQLFluff over the dbt models, tests and macros; ruff (lint and format) over the Python
	$(BIN)/python -m dagster_project.transform.dbt_sources --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p $(VECTOR_CRM_DATA_DIR)  # the dbt templater opens the warehouse file in it
	cd dbt && $(BIN)/sqlfluff lint models tests
	cd dbt && $(BIN)/sqlfluff lint --templater jinja macros tests/generic  # Jinja definitions: see dbt/macros/.sqlfluff

dev: setup  ## Dagster UI on http://127.0.0.1:3000
	$(BIN)/python -m dagster_project.run --setup-only
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

docs: setup  ## dbt docs site into data/dbt_docs (one offline file: static_index.html)
	$(BIN)/python -m dagster_project.run --setup-only >/dev/null
	cd dbt && env -u VECTOR_CRM_PII_SECRET $(BIN)/dbt docs generate --static --target-path $(VECTOR_CRM_DATA_DIR)/dbt_docs
	@echo "dbt docs: open $(VECTOR_CRM_DATA_DIR)/dbt_docs/static_index.html in a browser, or run make docs-serve"

docs-serve: docs  ## dbt docs on http://127.0.0.1:8080 (make docs first, then serve until Ctrl-C)
	cd dbt && $(BIN)/dbt docs serve --host 127.0.0.1 --port 8080 --no-browser --target-path $(VECTOR_CRM_DATA_DIR)/dbt_docs

clean:  ## remove the virtual environment and dbt build files (keeps data/)
	rm -rf $(VENV) .venv-bi dbt/target dbt/logs
