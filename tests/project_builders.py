"""Builders for project-file tests: a valid project and workforce file that a test changes, written to disk."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import yaml
from aws_cdk import aws_s3 as s3

from groundtruth_cdk.job_settings import JobSettings
from groundtruth_cdk.project import Problem, Project, validate_project

TEAM = "labelers"
WORKFORCE: dict[str, Any] = {
    "eu-west-1": {
        "teams": [
            {"name": TEAM, "description": "Labels things", "members": ["ana@example.com", "bo@example.com"]},
            {"name": "reviewers", "description": "Reviews things"},
        ]
    }
}


def valid_project(**changes: Any) -> dict[str, Any]:
    """A valid bounding-box project labeled by the team ``labelers`` in eu-west-1; ``changes`` replace keys
    (``None`` removes one)."""
    project: dict[str, Any] = {
        "region": "eu-west-1",
        "task_type": "image-bounding-box",
        "labels": ["car", "truck"],
        "instructions": {"short": "<p>Box the vehicles.</p>", "full": "<p>All of them.</p>"},
        "title": "Vehicles",
        "description": "Box every vehicle",
        "data": {"data_type": "image", "prefix": "images/"},
        "workers": {"team": TEAM},
    }
    for key, value in changes.items():
        if value is None:
            project.pop(key, None)
        else:
            project[key] = value
    return project


def mturk_project(**changes: Any) -> dict[str, Any]:
    """A valid region-agnostic Mechanical Turk project."""
    base = {
        "region": None,
        "workers": {"mechanical_turk": {"price_usd": "0.036"}},
        "content_classifiers": ["free-of-personally-identifiable-information"],
    }
    return valid_project(**{**base, **changes})


def write_yaml(path: Path, content: dict[str, Any] | str) -> Path:
    """Write ``content`` (YAML text, or a value dumped in key order) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def write_project(root: Path, content: dict[str, Any] | str, name: str = "cars") -> Path:
    """``root/projects/<name>.yaml``."""
    return write_yaml(root / "projects" / f"{name}.yaml", content)


def write_workforce(root: Path, content: dict[str, Any] | str | None = None) -> Path:
    """``root/workforce.yaml`` (default: :data:`WORKFORCE`)."""
    return write_yaml(root / "workforce.yaml", copy.deepcopy(WORKFORCE) if content is None else content)


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``path`` that contains ``needle``."""
    found = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line]
    assert len(found) >= occurrence, f"{needle!r} is not in {path}"
    return found[occurrence - 1]


def only_problem(path: Path) -> Problem:
    """The one problem of the project file ``path`` (fails, listing them, when there are more or none)."""
    problems = validate_project(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def job_settings(project: Project) -> JobSettings:
    """The job settings of ``project``, its data in an existing bucket of a scratch stack."""
    scratch = cdk.Stack(cdk.App(), "Scratch")
    return project.job_settings(s3.Bucket.from_bucket_name(scratch, "Input", "input-bucket"))
