"""The dbt project as dagster-dbt sees it. Kept apart so that preparing the manifest
(`dbt parse`) is one explicit step: `make` and the test session run it before the
definitions are imported; `dagster dev` re-prepares on start."""

import os

from dagster_dbt import DbtProject

from ..settings import DBT_PROJECT_DIR, Paths

# dbt's profiles.yml reads the data directory from the environment.
Paths.from_env().export_env()

# Set when the manifest is known to be current: the test session prepares it once, and no
# process it starts (a pipeline run, `dagster dev`) may rewrite the file while processes of
# the other test worker read it (dbt writes it in place, so a reader could see half of it).
MANIFEST_READY_ENV = "VECTOR_CRM_MANIFEST_READY"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if os.environ.get(MANIFEST_READY_ENV) != "1":
    dbt_project.prepare_if_dev()


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (about 3 s), unless it is known to be current."""
    if os.environ.get(MANIFEST_READY_ENV) != "1":
        dbt_project.preparer.prepare(dbt_project)
