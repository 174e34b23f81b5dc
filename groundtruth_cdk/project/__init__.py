"""Labeling projects as YAML files: the schema, the loader with line-numbered errors, and the project model.

``projects/<name>.yaml`` declares one labeling project; ``workforce.yaml`` the private workforce and
teams of each region. :func:`load_project` returns a :class:`Project` or raises one
:class:`ProjectError` whose ``problems`` give file, line, field and message for every error;
``LabelingProjectStack`` (in :mod:`groundtruth_cdk.stacks`) turns a project into a stack.
"""

from groundtruth_cdk.project.errors import Problem, ProjectError
from groundtruth_cdk.project.loader import (
    AutoLabelingOptions,
    AutomatedData,
    Encryption,
    ListedData,
    ManifestData,
    PreviousJobData,
    PreviousProjectData,
    Project,
    ProjectData,
    chain,
    load_project,
    load_projects,
    validate_project,
)
from groundtruth_cdk.project.schemas import PROJECT_SCHEMA, WORKFORCE_SCHEMA
from groundtruth_cdk.project.workforce_file import (
    OidcSettings,
    RegionWorkforce,
    TeamSettings,
    WorkforceFile,
    find_workforce_file,
    load_workforce,
)

__all__ = [
    "PROJECT_SCHEMA",
    "WORKFORCE_SCHEMA",
    "AutoLabelingOptions",
    "AutomatedData",
    "Encryption",
    "ListedData",
    "ManifestData",
    "OidcSettings",
    "PreviousJobData",
    "PreviousProjectData",
    "Problem",
    "Project",
    "ProjectData",
    "ProjectError",
    "RegionWorkforce",
    "TeamSettings",
    "WorkforceFile",
    "chain",
    "find_workforce_file",
    "load_project",
    "load_projects",
    "load_workforce",
    "validate_project",
]
