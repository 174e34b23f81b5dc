"""``groundtruth validate``: ``ok <file>`` per valid file, the loader's lines for invalid ones, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundtruth_cdk.cli import main
from groundtruth_cdk.project import validate_project
from tests.project_builders import line_of, valid_project, write_project, write_workforce

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write_workforce(tmp_path)
    write_project(tmp_path, valid_project(), name="alpha")
    write_project(tmp_path, valid_project(labels=["bus"]), name="beta")
    return tmp_path


def test_every_example_project_is_ok(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "validate")
    assert code == 0, err
    assert out == [f"ok projects/{path.name}" for path in sorted((ROOT / "projects").glob("*.yaml"))]
    assert err == []


def test_projects_by_name_and_by_path(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    beta = tree / "projects" / "beta.yaml"
    code, out, err = run(capsys, "validate", "alpha", str(beta), "--dir", str(tree / "projects"))
    assert code == 0, err
    assert out == [f"ok {tree / 'projects' / 'alpha.yaml'}", f"ok {beta}"]


def test_an_invalid_project_prints_the_loaders_lines_and_exits_1(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_project(tree, valid_project(labels=["car", "car"], expiry="40d", workers={"team": "nobody"}), "bad")
    expected = [str(problem) for problem in validate_project(bad)]
    assert len(expected) == 3
    code, out, err = run(capsys, "validate", "--dir", str(tree / "projects"))
    assert code == 1
    assert err == expected
    assert all(line.startswith(f"{bad}:") for line in err)
    assert any(": labels[1]: got 'car'" in line for line in err)
    assert any(": workers.team: got 'nobody'" in line and "labelers" in line for line in err)
    assert out == [f"ok {tree / 'projects' / 'alpha.yaml'}", f"ok {tree / 'projects' / 'beta.yaml'}"]


def test_unknown_keys_are_schema_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_workforce(tmp_path)
    path = write_project(tmp_path, valid_project(colour="red"), "cars")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert out == []
    assert err == [str(problem) for problem in validate_project(path)]
    assert err[0].startswith(f"{path}:{line_of(path, 'colour:')}: colour: unknown key")


def test_a_yaml_syntax_error_has_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_project(tmp_path, "task_type: image-bounding-box\nlabels: [car\n", "broken")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert out == []
    assert len(err) == 1
    assert err[0].startswith(f"{path}:")
    assert "YAML syntax" in err[0]


def test_an_unknown_project_is_one_line(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", "nope", "alpha", "--dir", str(tree / "projects"))
    assert code == 1
    assert err == [
        f"groundtruth validate: unknown project 'nope': there is no {tree / 'projects' / 'nope.yaml'} "
        f"(the projects in {tree / 'projects'}: alpha, beta)"
    ]
    assert out == [f"ok {tree / 'projects' / 'alpha.yaml'}"]


def test_a_missing_file_path_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "gone.yaml"))
    assert code == 1
    assert err == [f"groundtruth validate: no project file {tmp_path / 'gone.yaml'}"]


def test_no_project_files_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", "--dir", str(tmp_path))
    assert code == 1
    assert out == []
    assert err == [f"groundtruth validate: no project files (*.yaml) in {tmp_path}: create one with `groundtruth init`"]


def test_workforce_file_problems_are_listed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_workforce(tmp_path, {"eu-west-1": {"teams": [{"name": "labelers", "description": "x", "colour": "red"}]}})
    write_project(tmp_path, valid_project(), name="alpha")
    write_project(tmp_path, valid_project(), name="beta")
    code, out, err = run(capsys, "validate", "--dir", str(tmp_path / "projects"))
    assert code == 1
    assert out == []
    workforce_lines = [line for line in err if line.startswith(str(tmp_path / "workforce.yaml"))]
    assert len(workforce_lines) == 1
    assert "colour" in workforce_lines[0]


def test_projects_sharing_a_workforce_stack_need_one_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_workforce(tmp_path)
    write_project(tmp_path, valid_project(account="111122223333"), name="alpha")
    write_project(tmp_path, valid_project(account="444455556666"), name="beta")
    code, out, err = run(capsys, "validate", "--dir", str(tmp_path / "projects"))
    assert code == 1
    assert out == []
    assert len(err) == 2
    assert all(": account: got " in line and "need the same account" in line for line in err)


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--help")
    assert code == 0
    assert "usage: groundtruth validate" in out[0]
    assert any("ok <file>" in line for line in out)
