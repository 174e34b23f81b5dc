"""What the commands share: their errors, finding a project by name or path, and loading it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from groundtruth_cdk.project import Project

#: Where project files are, relative to the working directory, unless ``--dir`` says otherwise.
DEFAULT_PROJECTS_DIR = Path("projects")
PROJECT_SUFFIXES = (".yaml", ".yml")


class CliError(Exception):
    """Bad input or an unmet precondition: printed as one line on stderr, exit code 1."""

    exit_code = 1


class UsageError(CliError):
    """The command line itself is incomplete or wrong: exit code 2, as for argparse's own errors."""

    exit_code = 2


def project_files(projects_dir: Path) -> list[Path]:
    """The project files of a folder (``*.yaml``), in name order."""
    return sorted(projects_dir.glob("*.yaml")) if projects_dir.is_dir() else []


def resolve_project(argument: str, projects_dir: Path) -> Path:
    """The file of a project given by name (``projects/<name>.yaml``) or by path.

    Raises :class:`CliError` naming the projects there are when there is no such file.
    """
    path = Path(argument)
    looks_like_path = path.suffix in PROJECT_SUFFIXES or "/" in argument or "\\" in argument
    if looks_like_path:
        if path.is_file():
            return path
        raise CliError(f"no project file {argument}")
    candidate = projects_dir / f"{argument}.yaml"
    if candidate.is_file():
        return candidate
    names = ", ".join(file.stem for file in project_files(projects_dir)) or "none"
    raise CliError(f"unknown project {argument!r}: there is no {candidate} (the projects in {projects_dir}: {names})")


def load(argument: str, projects_dir: Path) -> Project:
    """The project given by name or path, loaded and checked.

    Raises :class:`CliError` for an unknown project and ``ProjectError`` (every problem, one per line)
    for an invalid one.
    """
    from groundtruth_cdk.project import load_project

    return load_project(resolve_project(argument, projects_dir))


def error_line(command: str, message: str) -> None:
    """Print ``groundtruth <command>: <message>`` on stderr."""
    print(f"groundtruth {command}: {message}", file=sys.stderr)
