"""The CDK app: one stack per labeling project in ``projects/``, and the workforce stack of each region used.

``make synth`` (``cdk synth``) synthesizes every project without AWS credentials:
``GroundTruth-<project>`` per ``projects/<project>.yaml``, and ``GroundTruth-Workforce-<region>`` for
each region whose projects name a private team of ``workforce.yaml``. ``cdk deploy GroundTruth-<project>``
deploys one project (after its workforce stack); ``-c project=<project>`` limits the app to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk

from groundtruth_cdk.project import ProjectError
from groundtruth_cdk.stacks import add_project_stacks

ROOT = Path(__file__).resolve().parent
PROJECTS_DIR = ROOT / "projects"
WORKFORCE_FILE = ROOT / "workforce.yaml"


def build_app(
    app: cdk.App | None = None, *, projects_dir: Path | None = None, workforce_file: Path | None = None
) -> cdk.App:
    """Add the stacks of the project files to ``app`` (default: a new ``cdk.App``) and return it.

    ``projects_dir`` defaults to ``projects/`` and ``workforce_file`` to ``workforce.yaml`` next to this
    file. The context value ``project`` (``cdk synth -c project=<name>``) limits the app to that project.
    Raises ``ProjectError`` listing every problem of the project and workforce files.
    """
    app = app or cdk.App()
    only = app.node.try_get_context("project")
    add_project_stacks(
        app,
        projects_dir=projects_dir or PROJECTS_DIR,
        workforce_file=workforce_file or WORKFORCE_FILE,
        project=str(only) if only else None,
    )
    return app


def main(app: cdk.App | None = None) -> int:
    """Synthesize the app; on invalid project files print every problem (one per line) and return 1."""
    try:
        app = build_app(app)
    except ProjectError as error:
        count = len(error.problems)
        print(f"groundtruth-cdk: {count} problem{'s' if count > 1 else ''} in the project files:", file=sys.stderr)
        print(error, file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
