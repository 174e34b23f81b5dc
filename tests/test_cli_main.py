"""The ``groundtruth`` entry point: help for every command, usage errors on one line, ``python -m``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from groundtruth_cdk.cli import main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("init", "validate", "plan", "preview", "status")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: groundtruth ")
    for command in COMMANDS:
        assert f"    {command} " in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: groundtruth {command} ")
    assert "--dir" in out


def test_no_command_prints_the_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: groundtruth " in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["frobnicate"], "groundtruth: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["plan"], "groundtruth plan: error: the following arguments are required: PROJECT"),
        (["validate", "--bogus"], "groundtruth: error: unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(error)
    assert captured.err.endswith("--help)\n")
    assert captured.err.count("\n") == 1


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "groundtruth_cdk", "validate", "projects/vehicles.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok projects/vehicles.yaml\n"
