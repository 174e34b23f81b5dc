"""The ``groundtruth`` command line: init, validate, plan, preview and status of labeling projects.

``groundtruth <command> --help`` describes each command. Bad input is reported as one line per problem
on stderr with exit code 1 (2 for a wrong or incomplete command line), never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import groundtruth_cdk.cli._environment  # noqa: F401  (sets up jsii before anything imports aws_cdk)
from groundtruth_cdk.cli import plan, preview, scaffold, status, validate
from groundtruth_cdk.cli.common import CliError, UsageError, error_line

__all__ = ["CliError", "UsageError", "build_parser", "main"]

PROG = "groundtruth"


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line."""

    def error(self, message: str) -> NoReturn:
        """Print the usage error on one line and exit with code 2."""
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = _Parser(
        prog=PROG,
        description="Labeling projects for SageMaker Ground Truth: one YAML file per project in projects/, deployed "
        "with `cdk deploy GroundTruth-<project>`.",
        epilog="Run `groundtruth <command> --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scaffold.add_parser(commands)
    validate.add_parser(commands)
    plan.add_parser(commands)
    preview.add_parser(commands)
    status.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return its exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    from groundtruth_cdk.project import ProjectError

    try:
        code: int = args.handler(args)
    except ProjectError as error:
        print(error, file=sys.stderr)
        return 1
    except CliError as error:
        error_line(args.command, str(error))
        return error.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `groundtruth plan x | head`: the reader has gone, say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _version() -> str:
    """The installed version of groundtruth-cdk."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("groundtruth-cdk")
    except PackageNotFoundError:
        return "(not installed)"
