"""The dbt project as dagster-dbt sees it. Kept apart so that preparing the manifest
(`dbt parse`) is one explicit step: `make` and the test session run it before the
definitions are imported; `dagster dev` re-prepares on start."""

from dagster_dbt import DbtProject

from ..settings import DBT_PROJECT_DIR, Paths

# dbt's profiles.yml reads the data directory from the environment.
Paths.from_env().export_env()

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (about 3 s)."""
    dbt_project.preparer.prepare(dbt_project)
