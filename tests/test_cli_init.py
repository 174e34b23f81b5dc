"""``groundtruth init``: files that pass ``validate`` as written for every task type and workforce, the
questions in a terminal, and the refusals (existing file, missing flags without a terminal, bad choices)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from groundtruth_cdk.cli import main
from groundtruth_cdk.project import load_project
from groundtruth_cdk.project.schemas import PROJECT_TASK_TYPES
from groundtruth_cdk.task_types import TaskType
from groundtruth_cdk.workforce import WorkforceType
from tests.project_builders import TEAM, write_workforce

VENDOR = "arn:aws:sagemaker:eu-west-1:111122223333:workteam/vendor-crowd/acme"


class FakeStdin(io.StringIO):
    """A stdin that is, or is not, a terminal."""

    def __init__(self, tty: bool) -> None:
        super().__init__("")
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder ``projects/`` next to a workforce file with the team ``labelers`` in eu-west-1; not a terminal."""
    write_workforce(tmp_path)
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=False))
    return tmp_path / "projects"


def labels_for(task_type: TaskType) -> str:
    return ",".join(["car", "truck", "bus"][: max(task_type.spec.min_labels, 2)])


def init(capsys: pytest.CaptureFixture[str], projects: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["init", *argv, "--dir", str(projects)])
    out, err = capsys.readouterr()
    return code, out, err


def validate(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert (code, out, err) == (0, f"ok {path}\n", "")


@pytest.mark.parametrize("task_type", PROJECT_TASK_TYPES, ids=lambda t: t.value)
def test_a_team_project_of_every_task_type_validates_as_written(
    task_type: TaskType, projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = init(
        capsys,
        projects,
        *("--task-type", task_type.value, "--name", "my-project", "--region", "eu-west-1"),
        *("--workers", f"team:{TEAM}", "--labels", labels_for(task_type)),
    )
    path = projects / "my-project.yaml"
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"created {path}"
    validate(capsys, path)
    project = load_project(path)
    assert project.task_type is task_type
    assert project.team == TEAM
    assert project.region == "eu-west-1"
    assert ",".join(project.labels) == labels_for(task_type)


@pytest.mark.parametrize("task_type", [t for t in PROJECT_TASK_TYPES if t.spec.mechanical_turk], ids=lambda t: t.value)
def test_a_mechanical_turk_project_validates_region_agnostic(
    task_type: TaskType, projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    price = task_type.spec.mechanical_turk_prices[0]
    code, _, err = init(
        capsys,
        projects,
        *("--task-type", task_type.value, "--name", "turk", "--workers", f"mturk:{price}"),
        *("--labels", labels_for(task_type)),
    )
    assert (code, err) == (0, "")
    path = projects / "turk.yaml"
    validate(capsys, path)
    project = load_project(path)
    assert project.region is None
    assert project.workforce.type is WorkforceType.PUBLIC
    assert project.workforce.price_usd == price


def test_a_vendor_project_validates(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = init(
        capsys,
        projects,
        *("--task-type", "text-named-entity-recognition", "--name", "entities", "--region", "us-east-1"),
        *("--workers", f"vendor:{VENDOR}", "--labels", "person,place"),
    )
    assert (code, err) == (0, "")
    path = projects / "entities.yaml"
    validate(capsys, path)
    assert load_project(path).workforce.workteam_arn == VENDOR


def test_the_file_is_commented_and_keeps_odd_labels(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = 'car,"quoted" truck, a: b ,yes,#1'
    code, _, err = init(
        capsys,
        projects,
        *("--task-type", "image-bounding-box", "--name", "cars", "--region", "eu-west-1"),
        *("--workers", f"team:{TEAM}", "--labels", labels),
    )
    assert (code, err) == (0, "")
    path = projects / "cars.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../groundtruth_cdk/schema/project.schema.json\n") or (
        "$schema=" in text.splitlines()[0]
    )
    assert "cdk deploy GroundTruth-cars" in text
    assert "groundtruth preview cars" in text
    assert yaml.safe_load(text)["labels"] == ["car", '"quoted" truck', "a: b", "yes", "#1"]
    validate(capsys, path)


def test_the_schema_reference_is_relative_in_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    from groundtruth_cdk.cli.scaffold import schema_reference

    root = Path(__file__).resolve().parent.parent
    assert schema_reference(root / "projects") in (
        "../groundtruth_cdk/schema/project.schema.json",
        str(root / "groundtruth_cdk/schema/project.schema.json"),
    )


def test_an_existing_file_is_never_overwritten(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    projects.mkdir()
    path = projects / "cars.yaml"
    path.write_text("# mine\n")
    code, out, err = init(
        capsys,
        projects,
        *("--task-type", "image-bounding-box", "--name", "cars", "--region", "eu-west-1"),
        *("--workers", f"team:{TEAM}", "--labels", "car"),
    )
    assert code == 1
    assert out == ""
    assert err == f"groundtruth init: {path} already exists: choose another --name, or remove the file first\n"
    assert path.read_text() == "# mine\n"


def test_without_a_terminal_missing_flags_are_a_usage_error(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = init(capsys, projects, "--name", "cars")
    assert code == 2
    assert out == ""
    assert err == (
        "groundtruth init: missing --task-type, --workers, --labels (stdin is not a terminal, so init cannot ask "
        "for them)\n"
    )
    assert not projects.exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--task-type", "custom"), "--task-type: got 'custom'; one of: image-bounding-box, "),
        (("--name", "Cars!"), "--name: got 'Cars!'; a project name (the file name without .yaml) is 1-"),
        (("--region", "moon"), "--region: got 'moon'; an AWS region name like eu-west-1"),
        (("--labels", "car,car"), "--labels: got car more than once; each label must be unique"),
        (("--workers", f"team:{TEAM}", "--region", None), "a private team belongs to the workforce of one region"),
    ],
)
def test_bad_choices_are_usage_errors(
    flags: tuple[str | None, ...], message: str, projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = {"--task-type": "image-bounding-box", "--name": "cars", "--region": "eu-west-1"}
    options.update({"--workers": f"team:{TEAM}", "--labels": "car,truck"})
    options.update(dict(zip(flags[::2], flags[1::2], strict=True)))  # type: ignore[arg-type]
    argv = [item for key, value in options.items() if value is not None for item in (key, value)]
    code, out, err = init(capsys, projects, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("groundtruth init: ")
    assert message in err
    assert err.count("\n") == 1
    assert not projects.exists()


def test_a_badly_formed_workers_flag_is_an_argparse_error(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = init(capsys, projects, "--workers", "crowd")
    assert code == 2
    assert err == (
        "groundtruth init: error: argument --workers: got 'crowd'; give team:<name>, mturk:<price in USD> or "
        "vendor:<work team ARN> (see groundtruth init --help)\n"
    )


@pytest.mark.parametrize(
    ("workers", "region", "field"),
    [
        ("mturk:0.5", None, "workers.mechanical_turk.price_usd: got '0.5'; Mechanical Turk price points"),
        ("team:nobody", "eu-west-1", "workers.team: got 'nobody'; the teams of eu-west-1 in"),
        ("mturk:0.036", None, "workers: got 'Mechanical Turk'; Video frames: object tracking jobs need a private"),
    ],
)
def test_a_file_that_would_not_validate_is_not_written(
    workers: str, region: str | None, field: str, projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task_type = "video-frame-object-tracking" if "Video" in field else "image-single-label"
    argv = ["--task-type", task_type, "--name", "cars", "--workers", workers, "--labels", "car,truck"]
    if region:
        argv += ["--region", region]
    code, out, err = init(capsys, projects, *argv)
    path = projects / "cars.yaml"
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:")
    assert field in lines[0]
    assert lines[-1] == f"groundtruth init: nothing written: {path} would not pass validate (the problems above)"
    assert not path.exists()
    assert not projects.exists()  # nor the scratch folder it was checked in


def answers(monkeypatch: pytest.MonkeyPatch, *replies: str) -> list[str]:
    """Make stdin a terminal whose user types ``replies``; returns the questions asked."""
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=True))
    asked: list[str] = []
    pending: Iterator[str] = iter(replies)

    def fake_input(question: str = "") -> str:
        asked.append(question)
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    return asked


def test_in_a_terminal_it_asks_for_what_the_flags_leave_out(
    projects: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = PROJECT_TASK_TYPES.index(TaskType.IMAGE_BOUNDING_BOX) + 1
    asked = answers(
        monkeypatch,
        "99",  # not a task type: asked again
        str(number),
        "Street Signs",  # not a project name: asked again
        "street-signs",
        "eu-west-1",
        "team:labelers",
        "",  # nothing: asked again
        "stop, yield, speed limit",
    )
    code, out, err = init(capsys, projects)
    path = projects / "street-signs.yaml"
    assert code == 0, err
    assert f"created {path}" in out
    assert "got '99'; one of: image-bounding-box" in err
    assert "got 'Street Signs'; a project name" in err
    assert asked[0].startswith("Task types:")
    assert f"{number:>4}. image-bounding-box " in asked[0]
    assert "Image: bounding box" in asked[0]
    assert "(the teams of eu-west-1 in workforce.yaml: labelers, reviewers)" in asked[5]
    assert "mturk:<price> (USD per object and worker: 0.036, 0.048" in asked[5]
    assert "Labels, comma-separated (1-50)" in asked[-1]
    project = load_project(path)
    assert project.labels == ("stop", "yield", "speed limit")
    assert project.team == "labelers"
    validate(capsys, path)


def test_in_a_terminal_flags_are_not_asked_again(
    projects: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answers(monkeypatch, "", "car,truck")
    code, _, err = init(
        capsys, projects, "--task-type", "image-bounding-box", "--name", "cars", "--workers", "mturk:0.036"
    )
    assert code == 0, err
    assert len(asked) == 2  # the region (empty: region-agnostic) and the labels
    assert "AWS region" in asked[0]
    assert "Labels" in asked[1]


def test_in_a_terminal_a_team_needs_a_region(
    projects: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answers(monkeypatch, "text-single-label", "reviews", "", f"team:{TEAM}", "eu-west-1", "good,bad")
    code, _, err = init(capsys, projects)
    assert code == 0, err
    assert "A private team needs the region" in asked[4]
    assert load_project(projects / "reviews.yaml").region == "eu-west-1"


def test_in_a_terminal_an_existing_name_is_asked_again(
    projects: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    projects.mkdir()
    (projects / "cars.yaml").write_text("# mine\n")
    answers(monkeypatch, "image-bounding-box", "cars", "cars-2", "", "mturk:0.036", "car")
    code, _, err = init(capsys, projects)
    assert code == 0, err
    assert "cars.yaml already exists: choose another name" in err
    assert (projects / "cars.yaml").read_text() == "# mine\n"
    assert (projects / "cars-2.yaml").is_file()


def test_in_a_terminal_input_that_ends_is_one_line(
    projects: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers(monkeypatch, "image-bounding-box")
    code, _, err = init(capsys, projects)
    assert code == 1
    assert err.splitlines()[-1] == "groundtruth init: the input ended before every question was answered"
    assert not projects.exists()


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in ("--task-type", "--name", "--region", "--workers", "--labels", "--dir"):
        assert flag in out
