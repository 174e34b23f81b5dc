"""The app of a folder of project files: one stack per project, one workforce stack per region in use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

from groundtruth_cdk.project.errors import Problem, ProjectError
from groundtruth_cdk.project.loader import Project, chain, load_projects
from groundtruth_cdk.project.workforce_file import RegionWorkforce, load_workforce
from groundtruth_cdk.stacks.labeling_project_stack import LabelingProjectStack
from groundtruth_cdk.stacks.workforce_stack import TeamSpec, WorkforceStack

#: The workforce stack of ``<region>``.
WORKFORCE_STACK_NAME = "GroundTruth-Workforce-{region}"


@dataclass(frozen=True)
class ProjectStacks:
    """The stacks :func:`add_project_stacks` added, by project name and by region."""

    projects: Mapping[str, LabelingProjectStack]
    workforces: Mapping[str, WorkforceStack]


def project_files(projects_dir: Path) -> list[Path]:
    """The project files of a folder (``*.yaml``), in name order."""
    return sorted(projects_dir.glob("*.yaml"))


def add_project_stacks(
    scope: Construct, *, projects_dir: Path, workforce_file: Path, project: str | None = None
) -> ProjectStacks:
    """Add a ``LabelingProjectStack`` per project file in ``projects_dir`` to ``scope`` (an app).

    Each is named ``GroundTruth-<project>`` (the file name without ``.yaml``). Each region whose projects
    use a private team gets a ``WorkforceStack`` named ``GroundTruth-Workforce-<region>`` from
    ``workforce_file``, and those project stacks depend on it. A project that follows another
    (``data.previous_project``) is added after it and its stack depends on that project's stack. ``project``
    limits the app to that one project (with the projects it follows, and their workforce stacks).
    Default: every project.

    Raises :class:`ProjectError` with every problem of every file read, and when the projects cannot
    share their workforce stacks.
    """
    files = project_files(projects_dir)
    if project is not None:
        files = [f for f in files if f.stem == project]
        if not files:
            names = ", ".join(f.stem for f in project_files(projects_dir)) or "none"
            raise ProjectError(
                [Problem(str(projects_dir), 1, "project", f"got {project!r}; the projects in {projects_dir}: {names}")]
            )
    if not files:
        raise ProjectError(
            [
                Problem(
                    str(projects_dir), 1, "(projects)", "got no project files (*.yaml); add one, e.g. from the examples"
                )
            ]
        )
    projects = _with_chains(load_projects(files, workforce_file=workforce_file))
    regions = _team_regions(projects)
    workforces: dict[str, WorkforceStack] = {}
    if regions:
        declared = load_workforce(workforce_file).regions
        for region, account in regions.items():
            workforces[region] = _workforce_stack(scope, declared[region], account)
    stacks: dict[str, LabelingProjectStack] = {}
    for loaded in projects:  # a project after the one it follows
        previous = stacks[loaded.previous.name] if loaded.previous is not None else None
        stack = LabelingProjectStack(scope, loaded.stack_name, project=loaded, previous=previous)
        if loaded.team is not None and loaded.region is not None:
            stack.add_stack_dependency(
                workforces[loaded.region], f"the team {loaded.team} belongs to the workforce stack of {loaded.region}"
            )
        stacks[loaded.name] = stack
    return ProjectStacks(projects=stacks, workforces=workforces)


def _with_chains(projects: list[Project]) -> list[Project]:
    """``projects`` and the projects they follow, each after the one it follows (else in the given order).

    The loader has ruled out circles, unknown projects and chains across regions or accounts.
    """
    ordered: dict[str, Project] = {}
    for project in projects:
        for member in chain(project):
            ordered.setdefault(member.name, member)
    return list(ordered.values())


def _team_regions(projects: list[Project]) -> dict[str, str | None]:
    """Region → account of the projects with a private team; they must agree on the account."""
    accounts: dict[str, dict[str | None, list[Project]]] = {}
    for project in projects:
        if project.team is not None and project.region is not None:
            accounts.setdefault(project.region, {}).setdefault(project.account, []).append(project)
    problems = []
    for region, by_account in accounts.items():
        if len(by_account) > 1:
            described = "; ".join(
                f"{account or 'none'}: {', '.join(p.name for p in group)}" for account, group in by_account.items()
            )
            for group in by_account.values():
                for project in group:
                    problems.append(
                        Problem(
                            project.file,
                            project.line_of("account" if project.account else "region"),
                            "account",
                            f"got {project.account!r}; the projects with private teams in {region} share its "
                            f"workforce stack, so they need the same account (given: {described})",
                        )
                    )
    if problems:
        raise ProjectError(problems)
    return {region: next(iter(by_account)) for region, by_account in accounts.items()}


def _workforce_stack(scope: Construct, workforce: RegionWorkforce, account: str | None) -> WorkforceStack:
    return WorkforceStack(
        scope,
        WORKFORCE_STACK_NAME.format(region=workforce.region),
        env=cdk.Environment(account=account, region=workforce.region),
        teams=[
            TeamSpec(
                team.name,
                team.description,
                members=team.members,
                oidc_groups=team.oidc_groups,
                notify=team.notify,
            )
            for team in workforce.teams
        ],
        adopt_existing=workforce.adopt_existing,
        adopted_identity=workforce.adopted_identity,
        oidc=workforce.oidc.provider() if workforce.oidc is not None else None,
        source_ip_cidrs=workforce.source_ip_cidrs,
    )
