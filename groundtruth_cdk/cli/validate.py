"""``groundtruth validate``: the schema and every synth-time rule of project files, without synthesizing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from groundtruth_cdk.cli.common import CliError, error_line, project_files, resolve_project


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``validate`` to the CLI."""
    parser = commands.add_parser(
        "validate",
        help="check project files: the schema and every synth-time rule",
        description="Check project files against the schema and every rule the synth applies (labels, limits, "
        "Mechanical Turk prices, the team in workforce.yaml, ...) without synthesizing. Prints 'ok <file>' for each "
        "valid file and each problem as <file>:<line>: <field>: <message>; exit code 1 when there is any problem.",
    )
    parser.add_argument(
        "projects",
        metavar="PROJECT",
        nargs="*",
        help="project names (projects/<name>.yaml) or file paths; default: every projects/*.yaml",
    )
    parser.add_argument("--dir", type=Path, default=Path("projects"), help="the folder of project files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate the projects; 0 when all are valid."""
    from groundtruth_cdk.project import Problem, Project, ProjectError, load_project
    from groundtruth_cdk.stacks import project_app

    failed = False
    files: list[Path] = []
    for argument in args.projects:
        try:
            files.append(resolve_project(argument, args.dir))
        except CliError as error:
            error_line("validate", str(error))
            failed = True
    if not args.projects:
        files = project_files(args.dir)
        if not files:
            raise CliError(f"no project files (*.yaml) in {args.dir}: create one with `groundtruth init`")
    problems: dict[Path, list[Problem]] = {}
    loaded: dict[str, Project] = {}
    for file in files:
        try:
            loaded[str(file)] = load_project(file)
        except ProjectError as error:
            problems[file] = error.problems
    try:
        # The app's rule across projects: the projects with teams in one region share a workforce stack.
        project_app._team_regions(list(loaded.values()))
    except ProjectError as error:
        for problem in error.problems:
            problems.setdefault(Path(problem.file), []).append(problem)
    reported: set[Problem] = set()
    for file in files:
        if file not in problems:
            print(f"ok {file}")
            continue
        failed = True
        for problem in problems[file]:
            if problem not in reported:  # workforce.yaml's problems come with every project that uses it
                reported.add(problem)
                print(problem, file=sys.stderr)
    return 1 if failed else 0
