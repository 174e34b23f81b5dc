"""The repository's own gates: lint, format, types, and no folder that shadows a library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"


def test_ruff_lint() -> None:
    _run(str(BIN / "ruff"), "check", ".")


def test_ruff_format() -> None:
    _run(str(BIN / "ruff"), "format", "--check", ".")


def test_mypy_strict() -> None:
    _run(str(BIN / "mypy"))


@pytest.mark.parametrize("name", ["constructs", "aws_cdk", "cdk_nag", "jsii"])
def test_no_top_level_folder_shadows_a_library(name: str) -> None:
    assert not (ROOT / name).exists(), f"a top-level '{name}' folder shadows the library of that name"


def test_constructs_is_the_installed_library() -> None:
    import constructs

    assert "site-packages" in str(constructs.__file__)
    assert len(constructs.__path__) == 1
