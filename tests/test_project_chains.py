"""Chained projects in project files: ``data: {previous_project: ...}`` and ``data: {previous_job: {...}}``:
parsing, the previous job's output as the input, defaults for review jobs, and every error (unknown project,
circles, another region or account, a previous project with problems, a streaming previous project,
``initial_model: previous``). No synthesis."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundtruth_cdk import AutoLabeling, PreviousJobOutput, TaskType
from groundtruth_cdk.project import (
    PreviousJobData,
    PreviousProjectData,
    Problem,
    ProjectError,
    chain,
    load_project,
    load_projects,
    validate_project,
)
from tests.project_builders import (
    job_settings,
    line_of,
    mturk_project,
    only_problem,
    valid_project,
    write_project,
    write_workforce,
)

REVIEW = "image-bounding-box-verification"
ADJUST = "image-bounding-box-adjustment"
#: Where a job outside the app wrote its labels and read its data (``data.previous_job.output`` / ``data``).
OUTPUT = "s3://street-labels/boxes/"
DATA = "s3://street-data/images/"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_workforce(tmp_path)
    write_project(tmp_path, valid_project(label_attribute_name="boxes"), name="boxes")
    return tmp_path


def follower(previous: str = "boxes", **changes: object) -> dict[str, object]:
    """A review project of ``previous`` that gives neither labels nor the reviewed attribute."""
    return valid_project(**{"task_type": REVIEW, "labels": None, "data": {"previous_project": previous}, **changes})


# -- valid chains -----------------------------------------------------------------------------------------


def test_an_adjustment_of_another_project_defaults_to_its_labels_too(root: Path) -> None:
    project = load_project(write_project(root, follower(task_type=ADJUST), name="adjust"))
    job = job_settings(project)
    assert job.labels == ("car", "truck")
    assert job.reviewed_label_attribute_name == "boxes"


def test_a_review_of_another_project_defaults_to_its_labels_and_attribute(root: Path) -> None:
    path = write_project(root, follower(), name="review")
    project = load_project(path)
    assert project.data == PreviousProjectData("boxes")
    assert project.follows == "boxes"
    assert project.labels == ()
    assert project.previous is not None
    assert project.previous.name == "boxes"
    assert project.effective_labels == ("car", "truck")
    assert [p.name for p in chain(project)] == ["boxes", "review"]
    job = job_settings(project)
    assert job.input == PreviousJobOutput(
        job_name_prefix="boxes",
        label_attribute_name="boxes",
        labels=("car", "truck"),
        task_type=TaskType.IMAGE_BOUNDING_BOX,
        auto_labeling=False,
    )
    assert job.labels == ("car", "truck")
    assert job.reviewed_label_attribute_name == "boxes"
    assert job.data_setup() is None


def test_a_review_may_give_its_own_labels_and_attribute(root: Path) -> None:
    project = load_project(
        write_project(
            root,
            follower(labels=["correct", "wrong"], reviewed_label_attribute_name="other"),
            name="review",
        )
    )
    job = job_settings(project)
    assert (job.labels, job.reviewed_label_attribute_name) == (("correct", "wrong"), "other")


def test_an_adjustment_of_an_adjustment_of_a_project(root: Path) -> None:
    write_project(root, follower(task_type=ADJUST, label_attribute_name="adjusted"), name="adjustment")
    path = write_project(root, follower("adjustment", task_type=ADJUST, label_attribute_name="again"), name="again")
    project = load_project(path)
    assert [p.name for p in chain(project)] == ["boxes", "adjustment", "again"]
    assert project.effective_labels == ("car", "truck")  # through the first adjustment, which has none of its own
    assert job_settings(project).reviewed_label_attribute_name == "adjusted"


def test_re_labeling_another_project_s_output_needs_labels(root: Path) -> None:
    path = write_project(root, valid_project(data={"previous_project": "boxes"}, labels=None), name="again")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "labels")
    assert problem.message.startswith("missing; required: the label categories workers choose from, each unique")
    assert problem.message.endswith(
        "(a verification or adjustment job that follows a previous job may leave it out: it reviews that job's labels)"
    )
    project = load_project(
        write_project(
            root,
            valid_project(task_type="image-multi-label", labels=["day", "night"], data={"previous_project": "boxes"}),
            name="again",
        )
    )
    assert job_settings(project).labels == ("day", "night")


def test_the_previous_model(root: Path) -> None:
    write_project(root, valid_project(auto_labeling=True), name="boxes")
    path = write_project(
        root,
        valid_project(data={"previous_project": "boxes"}, auto_labeling={"initial_model": "previous"}),
        name="again",
    )
    job = job_settings(load_project(path))
    assert isinstance(job.input, PreviousJobOutput)
    assert job.input.auto_labeling is True
    assert job.auto_labeling == AutoLabeling(initial_model=job.input)


def test_the_previous_model_needs_a_previous_job_that_trained_one(root: Path) -> None:
    path = write_project(
        root,
        valid_project(data={"previous_project": "boxes"}, auto_labeling={"initial_model": "previous"}),
        name="again",
    )
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "initial_model"),
        "auto_labeling.initial_model",
        "got 'boxes-*'; that job used no automated data labeling, so it trained no model to start from",
    )


def test_a_job_outside_the_app(root: Path) -> None:
    path = write_project(
        root,
        follower(
            data={
                "previous_job": {
                    "name": "street-boxes-1a2b3c4d",
                    "output": OUTPUT,
                    "data": DATA,
                    "label_attribute_name": "street-boxes",
                    "task_type": "image-bounding-box",
                    "labels": ["car", "bus"],
                }
            }
        ),
        name="review",
    )
    project = load_project(path)
    assert project.data == PreviousJobData(
        "street-boxes-1a2b3c4d",
        label_attribute_name="street-boxes",
        task_type=TaskType.IMAGE_BOUNDING_BOX,
        labels=("car", "bus"),
        output=OUTPUT,
        data=DATA,
    )
    assert project.previous is None
    assert chain(project) == [project]
    job = job_settings(project)
    assert job.input == PreviousJobOutput(
        job_name="street-boxes-1a2b3c4d",
        label_attribute_name="street-boxes",
        labels=("car", "bus"),
        task_type=TaskType.IMAGE_BOUNDING_BOX,
        read_uris=(OUTPUT, DATA),
    )
    assert (job.labels, job.reviewed_label_attribute_name) == (("car", "bus"), "street-boxes")


def test_a_job_outside_the_app_with_only_its_name_and_locations(root: Path) -> None:
    outside = {"name": "street-boxes-1a2b3c4d", "output": OUTPUT, "data": DATA}
    path = write_project(root, follower(data={"previous_job": outside}), name="review")
    problems = validate_project(path)
    # Nothing is known of that job: the review needs its labels and the reviewed attribute from the file.
    assert sorted(p.field for p in problems) == ["labels", "reviewed_label_attribute_name"]
    assert {p.line for p in problems} == {line_of(path, "task_type"), 1}
    path = write_project(
        root,
        follower(
            labels=["correct", "wrong"],
            reviewed_label_attribute_name="street-boxes",
            data={"previous_job": outside},
        ),
        name="review",
    )
    assert validate_project(path) == []


def test_load_projects_loads_a_followed_project_once(root: Path) -> None:
    review = write_project(root, follower(), name="review")
    boxes = root / "projects" / "boxes.yaml"
    projects = load_projects([review, boxes])
    assert [p.name for p in projects] == ["review", "boxes"]
    assert projects[0].previous is projects[1]


# -- errors -------------------------------------------------------------------------------------------------


def test_an_unknown_previous_project(root: Path) -> None:
    path = write_project(root, follower("boxs"), name="review")
    folder = root / "projects"
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "previous_project"),
        "data.previous_project",
        f"got 'boxs'; there is no {folder / 'boxs.yaml'} (the other projects in {folder}: boxes) "
        "(did you mean 'boxes'?)",
    )


def test_a_previous_project_name_that_is_not_one(root: Path) -> None:
    path = write_project(root, follower("Boxes.yaml"), name="review")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "previous_project"), "data.previous_project")
    assert problem.message == (
        "got 'Boxes.yaml'; must be the name of another project: its file name without .yaml (lowercase letters, "
        "digits and single hyphens)"
    )


def test_a_project_cannot_follow_itself(root: Path) -> None:
    path = write_project(root, follower("review"), name="review")
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "previous_project"),
        "data.previous_project",
        "got 'review'; a project cannot follow itself: the first project of a chain follows none",
    )


def test_a_circle_of_projects(root: Path) -> None:
    one = write_project(root, follower("two"), name="one")
    two = write_project(root, follower("three"), name="two")
    three = write_project(root, follower("one"), name="three")
    with pytest.raises(ProjectError) as raised:
        load_projects([one, two, three])
    problems = raised.value.problems
    assert [(p.file, p.line, p.field) for p in problems] == [
        (str(path), line_of(path, "previous_project"), "data.previous_project") for path in (one, three, two)
    ]
    circle = "one → two → three → one"
    assert problems[0].message == (
        f"got 'two'; the projects follow each other in a circle ({circle}), so none would ever start: the first "
        "project of a chain follows none"
    )
    assert [p.message.split(";")[0] for p in problems] == ["got 'two'", "got 'one'", "got 'three'"]
    # One file alone reports the whole circle as well.
    assert {p.file for p in validate_project(two)} == {str(one), str(two), str(three)}


def test_the_previous_project_s_problems_are_listed_with_it(root: Path) -> None:
    boxes = write_project(root, valid_project(titel="x"), name="boxes")
    path = write_project(root, follower(), name="review")
    problems = validate_project(path)
    assert [(p.file, p.field) for p in problems] == [(str(boxes), "titel"), (str(path), "data.previous_project")]
    assert problems[1].message == f"got 'boxes'; {boxes} has problems (listed with it): fix them"
    with pytest.raises(ProjectError) as raised:
        load_projects([path, boxes])
    assert len(raised.value.problems) == 2  # boxes' problem once


@pytest.mark.parametrize(
    ("changes", "there", "here"),
    [
        (
            {
                "region": "us-east-1",
                "workers": {"vendor": "arn:aws:sagemaker:us-east-1:111122223333:workteam/vendor-crowd/v"},
            },
            "eu-west-1, account of the credentials",
            "us-east-1, account of the credentials",
        ),
        ({"account": "111122223333"}, "eu-west-1, account of the credentials", "eu-west-1, account 111122223333"),
    ],
)
def test_a_previous_project_in_another_region_or_account(
    root: Path, changes: dict[str, object], there: str, here: str
) -> None:
    path = write_project(root, follower(**changes), name="review")
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "previous_project"),
        "data.previous_project",
        f"got 'boxes'; it deploys to {there}, this project to {here}: a project follows only a project of the "
        "same region and account (the job names pass between their stacks)",
    )


def test_region_agnostic_projects_may_follow_each_other(root: Path) -> None:
    write_project(root, mturk_project(), name="photos")
    path = write_project(
        root,
        mturk_project(task_type="image-multi-label", labels=["day", "night"], data={"previous_project": "photos"}),
        name="again",
    )
    assert load_project(path).previous is not None
    path = write_project(root, follower("photos"), name="review")
    problem = only_problem(path)
    assert "it deploys to no region (region-agnostic), account of the credentials, this project to eu-west-1" in (
        problem.message
    )


def test_a_streaming_project_cannot_be_followed(root: Path) -> None:
    write_project(root, valid_project(data=None, streaming={}), name="stream")
    path = write_project(root, follower("stream"), name="review")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "previous_project"), "data.previous_project")
    assert problem.message.startswith("got 'stream'; it is a streaming job, which runs until it is stopped")


def test_a_review_of_the_wrong_task_type(root: Path) -> None:
    write_project(root, valid_project(task_type="image-multi-label"), name="tags")
    path = write_project(root, follower("tags", labels=["ok", "not ok"]), name="review")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "data:"), "data")
    assert problem.message == (
        "got 'the output of a image-multi-label job'; image-bounding-box-verification reviews image-bounding-box jobs"
    )


def test_a_streaming_job_cannot_follow_a_job(root: Path) -> None:
    path = write_project(root, valid_project(data={"previous_project": "boxes"}, streaming={}), name="again")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "data:"), "data")
    assert "a streaming job takes its objects from its input topic" in problem.message


@pytest.mark.parametrize(
    ("previous_job", "field", "message", "line_with"),
    [
        (
            {"output": OUTPUT, "data": DATA},
            "data.previous_job.name",
            "missing; required: the job's name (its LabelingJobName)",
            "previous_job",
        ),
        (
            {"name": "my_job", "output": OUTPUT, "data": DATA},
            "data.previous_job.name",
            "got 'my_job'; must be letters, digits and hyphens",
            "name: my_job",
        ),
        (
            {"name": "job", "output": OUTPUT, "data": DATA, "task_type": "boxes"},
            "data.previous_job.task_type",
            "got 'boxes'; allowed: image-bounding-box,",
            "task_type: boxes",
        ),
        (
            {"name": "job", "output": OUTPUT, "data": DATA, "labels": []},
            "data.previous_job.labels",
            "got 0 items; give at least 1",
            "labels: []",
        ),
        (
            {"name": "job", "output": OUTPUT, "data": DATA, "manifest": "s3://b/m"},
            "data.previous_job.manifest",
            "unknown key; allowed keys: data, kms_key_arn, label_attribute_name, labels, name, output, task_type",
            "manifest",
        ),
    ],
)
def test_previous_job_errors(root: Path, previous_job: object, field: str, message: str, line_with: str) -> None:
    path = write_project(
        root, follower(labels=["ok", "bad"], reviewed_label_attribute_name="x", data={"previous_job": previous_job})
    )
    problem = only_problem(path)
    assert problem.field == field
    assert problem.message.startswith(message), problem.message
    assert problem.line == line_of(path, line_with)


def test_previous_project_and_other_data(root: Path) -> None:
    path = write_project(root, follower(data={"previous_project": "boxes", "prefix": "images/"}), name="review")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "prefix"), "data.prefix")
    assert problem.message == "unknown key; allowed keys: previous_project"
    path = write_project(root, follower(data={"previous_project": "boxes", "manifest": "s3://b/m"}), name="review")
    problem = only_problem(path)
    assert problem.field == "data"
    assert problem.message.startswith("got manifest and previous_project; give exactly one of:")


# -- data.previous_job: where that job read and wrote, and its key ------------------------------------------


def test_a_job_outside_the_app_with_its_key(root: Path) -> None:
    outside = {"name": "street-boxes-1a2b3c4d", "output": OUTPUT, "data": DATA, "kms_key_arn": KEY}
    path = write_project(
        root,
        follower(labels=["ok", "bad"], reviewed_label_attribute_name="boxes", data={"previous_job": outside}),
        name="review",
    )
    project = load_project(path)
    assert project.data == PreviousJobData("street-boxes-1a2b3c4d", output=OUTPUT, data=DATA, kms_key_arn=KEY)
    assert job_settings(project).input == PreviousJobOutput(
        job_name="street-boxes-1a2b3c4d", read_uris=(OUTPUT, DATA), key_arns=(KEY,)
    )


def test_a_job_outside_the_app_that_wrote_beside_its_data_is_read_there_once(root: Path) -> None:
    outside = {"name": "street-boxes-1a2b3c4d", "output": "s3://street-data/", "data": "s3://street-data/"}
    path = write_project(
        root,
        follower(labels=["ok", "bad"], reviewed_label_attribute_name="boxes", data={"previous_job": outside}),
        name="review",
    )
    job_input = job_settings(load_project(path)).input
    assert isinstance(job_input, PreviousJobOutput)
    assert (job_input.read_uris, job_input.key_arns) == (("s3://street-data/",), ())


OUTPUT_MISSING = (
    "missing; required: where that job wrote its labels (its S3OutputPath, or the folder of its output manifest): "
    "this job's role may read there"
)
DATA_MISSING = (
    "missing; required: where that job's data objects are: this job's role may read there, and workers' browsers "
    "load them from there"
)
LOCATION = "must be an S3 location like s3://bucket/ or s3://bucket/prefix/ (ending with '/')"


@pytest.mark.parametrize(
    ("previous_job", "expected"),
    [
        ({"name": "job", "data": DATA}, [("previous_job", "data.previous_job.output", OUTPUT_MISSING)]),
        ({"name": "job", "output": OUTPUT}, [("previous_job", "data.previous_job.data", DATA_MISSING)]),
        (
            {"name": "job"},
            [
                ("previous_job", "data.previous_job.output", OUTPUT_MISSING),
                ("previous_job", "data.previous_job.data", DATA_MISSING),
            ],
        ),
        (
            {"name": "job", "output": "s3://street-labels/boxes", "data": DATA},
            [("output:", "data.previous_job.output", f"got 's3://street-labels/boxes'; {LOCATION}")],
        ),
        (
            {"name": "job", "output": OUTPUT, "data": "s3://street-data/images/a.jpg"},
            [("data: s3", "data.previous_job.data", f"got 's3://street-data/images/a.jpg'; {LOCATION}")],
        ),
        (
            {"name": "job", "output": OUTPUT, "data": "street-data/images/"},
            [("data: street", "data.previous_job.data", f"got 'street-data/images/'; {LOCATION}")],
        ),
        (
            {"name": "job", "output": OUTPUT, "data": DATA, "kms_key_arn": "alias/street"},
            [
                (
                    "kms_key_arn",
                    "data.previous_job.kms_key_arn",
                    "got 'alias/street'; must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>",
                )
            ],
        ),
    ],
    ids=[
        "no-output",
        "no-data",
        "neither",
        "output-without-slash",
        "data-of-an-object",
        "data-without-scheme",
        "key-alias",
    ],
)
def test_previous_job_location_errors(
    root: Path, previous_job: dict[str, object], expected: list[tuple[str, str, str]]
) -> None:
    path = write_project(
        root, follower(labels=["ok", "bad"], reviewed_label_attribute_name="x", data={"previous_job": previous_job})
    )
    problems = validate_project(path)
    assert [(p.line, p.field, p.message) for p in problems] == [
        (line_of(path, needle), field, message) for needle, field, message in expected
    ]
