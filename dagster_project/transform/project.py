"""The dbt project as dagster-dbt sees it. Importing this module does nothing: the project and
its manifest are prepared by ``dbt_project()``, once per process, where the definitions are
built (definitions.py); `make` and the test session prepare the manifest before that
(``prepare_manifest``), and `dagster dev` re-prepares it on start (dagster-dbt's
``prepare_if_dev``)."""

import functools
import os

from dagster_dbt import DbtProject

from ..settings import DATA_DIR_ENV, DBT_PROJECT_DIR, Paths

# Set when the manifest is known to be current: the test session prepares it once, and no
# process it starts (a pipeline run, `dagster dev`) may rewrite the file while processes of
# the other test worker read it (dbt writes it in place, so a reader could see half of it).
MANIFEST_READY_ENV = "VECTOR_CRM_MANIFEST_READY"


def manifest_ready() -> bool:
    return os.environ.get(MANIFEST_READY_ENV) == "1"


def _parse_environment() -> None:
    """dbt's profiles.yml reads the data directory from the environment, also to parse: the
    default one (<repo>/data) when none is set."""
    os.environ.setdefault(DATA_DIR_ENV, str(Paths.from_env().data_dir))


@functools.cache
def dbt_project() -> DbtProject:
    """The dbt project; under `dagster dev` its manifest re-parsed first (prepare_if_dev has no
    effect elsewhere), unless the manifest is known to be current."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not manifest_ready():
        _parse_environment()
        project.prepare_if_dev()
    return project


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (about 3 s), unless it is known to be current."""
    if not manifest_ready():
        _parse_environment()
        project = dbt_project()
        project.preparer.prepare(project)
