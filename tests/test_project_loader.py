"""The project-file loader: every error path, with file, line, field and the allowed values. No synthesis."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from groundtruth_cdk import ContentClassifier, DataType, OnMismatch, StoppingConditions, TaskType, WorkforceType
from groundtruth_cdk.project import (
    AutoLabelingOptions,
    AutomatedData,
    ListedData,
    ManifestData,
    Problem,
    Project,
    ProjectError,
    load_project,
    load_projects,
    validate_project,
)
from tests.project_builders import (
    TEAM,
    line_of,
    mturk_project,
    only_problem,
    valid_project,
    write_project,
    write_workforce,
)

# -- valid files ---------------------------------------------------------------------------------------


def test_a_valid_project_loads_with_its_defaults(root: Path) -> None:
    path = write_project(root, valid_project())
    project = load_project(path)
    assert validate_project(path) == []
    assert project.name == "cars"
    assert project.stack_name == "GroundTruth-cars"
    assert project.file == str(path)
    assert project.task_type is TaskType.IMAGE_BOUNDING_BOX
    assert project.labels == ("car", "truck")
    assert project.team == TEAM
    assert project.region == "eu-west-1"
    assert project.account is None
    assert project.data == AutomatedData(DataType.IMAGE, prefix="images/")
    assert project.workers_per_object == 1
    assert project.task_time_seconds == 300
    assert project.availability_seconds == 10 * 86400
    assert project.output_prefix == "labels/"
    assert project.content_classifiers == ()
    assert project.line_of("workers") == line_of(path, "workers:")


def test_every_field_is_read(root: Path) -> None:
    path = write_project(
        root,
        valid_project(
            account="111122223333",
            keywords=["image", "cars"],
            data={
                "bucket": "my-data",
                "prefix": "cams/",
                "data_type": "image",
                "on_mismatch": "skip",
                "sample_percent": 12.5,
                "seed": "s1",
                "include": ["*.jpg"],
                "exclude": ["night/*"],
                "key_pattern": "cam[0-9]",
            },
            workers_per_object=3,
            task_time="2h",
            expiry=3600,
            max_concurrent_tasks=50,
            stopping_conditions={"max_human_labeled_objects": 10, "max_percentage_labeled": 50},
            content_classifiers=["free-of-adult-content"],
            auto_labeling=False,
            output={"prefix": "out/"},
            label_attribute_name="vehicles",
            tags={"team": "vision"},
        ),
    )
    project = load_project(path)
    assert project.account == "111122223333"
    assert project.keywords == ("image", "cars")
    assert project.data == AutomatedData(
        DataType.IMAGE,
        bucket="my-data",
        prefix="cams/",
        on_mismatch=OnMismatch.SKIP,
        sample_percent=12.5,
        seed="s1",
        include=("*.jpg",),
        exclude=("night/*",),
        key_pattern="cam[0-9]",
    )
    assert project.workers_per_object == 3
    assert project.task_time_seconds == 7200
    assert project.availability_seconds == 3600
    assert project.max_concurrent_tasks == 50
    assert project.stopping_conditions == StoppingConditions(max_human_labeled_objects=10, max_percentage_labeled=50)
    assert project.content_classifiers == (ContentClassifier.FREE_OF_ADULT_CONTENT,)
    assert project.output_prefix == "out/"
    assert project.label_attribute_name == "vehicles"
    assert project.tags == {"team": "vision"}


@pytest.mark.parametrize(("written", "seconds"), [(300, 300), ("90s", 90), ("5m", 300), ("8h", 28800), ("2d", 172800)])
def test_durations_are_seconds_or_a_number_with_a_unit(root: Path, written: int | str, seconds: int) -> None:
    project = load_project(write_project(root, valid_project(task_time="1m", expiry=written)))
    assert project.availability_seconds == seconds


def test_mechanical_turk_expires_after_6_hours_by_default(root: Path) -> None:
    project = load_project(write_project(root, mturk_project()))
    assert project.workforce.type is WorkforceType.PUBLIC
    assert str(project.workforce.price_usd) == "0.036"
    assert project.region is None
    assert project.environment is None
    assert project.availability_seconds == 6 * 3600


def test_manifest_and_listed_data(root: Path) -> None:
    manifest = load_project(
        write_project(root, valid_project(data={"manifest": "s3://lidar/drive/frames.manifest", "where": {"a.b": 1}}))
    )
    assert manifest.data == ManifestData("s3://lidar/drive/frames.manifest", where={"a.b": 1})
    assert manifest.data.bucket_name == "lidar"
    listed = load_project(write_project(root, valid_project(data={"objects": ["a.jpg", {"source-ref": "s3://b/c"}]})))
    assert listed.data == ListedData(("a.jpg", {"source-ref": "s3://b/c"}))
    assert listed.data.bucket_name is None


def test_vendor_workers(root: Path) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:111122223333:workteam/vendor-crowd/acme"
    project = load_project(write_project(root, valid_project(workers={"vendor": arn})))
    assert project.workforce.type is WorkforceType.VENDOR
    assert project.workforce.workteam_arn == arn


def test_auto_labeling_is_for_the_task_types_that_have_it(root: Path) -> None:
    assert validate_project(write_project(root, valid_project(auto_labeling=False))) == []
    project = load_project(write_project(root, valid_project(auto_labeling=True)))
    assert project.auto_labeling == AutoLabelingOptions()
    path = write_project(root, valid_project(task_type="image-multi-label", auto_labeling=True))
    problem = only_problem(path)
    assert problem.line == line_of(path, "auto_labeling")
    assert problem.field == "auto_labeling"
    assert "automated data labeling is available for image-bounding-box, image-single-label" in problem.message


# -- schema errors -------------------------------------------------------------------------------------


def test_unknown_key_names_the_allowed_keys_and_the_closest(root: Path) -> None:
    path = write_project(root, valid_project(titel="Cars"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "titel:"), "titel")
    assert problem.message.startswith("unknown key; allowed keys: account, auto_labeling, content_classifiers,")
    assert problem.message.endswith("(did you mean 'title'?)")


def test_unknown_nested_key(root: Path) -> None:
    path = write_project(root, valid_project(data={"data_type": "image", "prefixx": "a/"}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "prefixx"), "data.prefixx")
    assert "allowed keys: bucket, data_type, exclude, include, key_pattern, on_mismatch, prefix," in problem.message


def test_wrong_type(root: Path) -> None:
    path = write_project(root, valid_project(labels="car"))
    assert only_problem(path) == Problem(str(path), line_of(path, "labels:"), "labels", "got 'car'; must be a list")


def test_wrong_type_of_a_list_item(root: Path) -> None:
    path = write_project(root, "labels:\n  - car\n  - 7\n" + _without(valid_project(), "labels"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (3, "labels[1]")
    assert problem.message == "got 7 (an integer); must be a string: write it in quotes, '7'"


def test_missing_required_key_at_the_top_and_nested(root: Path) -> None:
    path = write_project(root, valid_project(title=None, instructions={"short": "<p>x</p>"}))
    problems = validate_project(path)
    assert problems == [
        Problem(str(path), 1, "title", "missing; required: the task title workers see in their task list"),
        Problem(
            str(path),
            line_of(path, "instructions:"),
            "instructions.full",
            "missing; required: the full instructions behind the task's instructions link (HTML)",
        ),
    ]


def test_bad_enum_value_lists_the_allowed_values(root: Path) -> None:
    path = write_project(root, valid_project(task_type="image-bounding-bx"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "task_type"), "task_type")
    allowed = ", ".join(t.value for t in TaskType if t is not TaskType.CUSTOM)
    assert problem.message == f"got 'image-bounding-bx'; allowed: {allowed} (did you mean 'image-bounding-box'?)"


def test_bad_nested_enum_value(root: Path) -> None:
    path = write_project(root, valid_project(data={"data_type": "image", "on_mismatch": "ignore"}))
    assert only_problem(path) == Problem(
        str(path), line_of(path, "on_mismatch"), "data.on_mismatch", "got 'ignore'; allowed: fail, skip"
    )


def test_a_float_price_is_rejected_with_advice(root: Path) -> None:
    path = write_project(root, mturk_project(workers={"mechanical_turk": {"price_usd": 0.036}}))
    assert "price_usd: 0.036\n" in path.read_text()
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "price_usd"), "workers.mechanical_turk.price_usd")
    assert problem.message == (
        "got 0.036 (a number); must be a string: write it in quotes, '0.036' (unquoted, YAML reads 0.036 as a "
        "floating-point number, which cannot represent a decimal amount such as a price exactly)"
    )


def test_two_kinds_of_workers(root: Path) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:111122223333:workteam/vendor-crowd/acme"
    path = write_project(root, valid_project(workers={"team": TEAM, "vendor": arn}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "workers:"),
        "workers",
        "got team and vendor; give exactly one of: team (a private team), mechanical_turk (Amazon Mechanical "
        "Turk), vendor (a vendor)",
    )


def test_no_kind_of_workers(root: Path) -> None:
    path = write_project(root, valid_project(workers={"crowd": "me"}))
    problem = only_problem(path)
    assert problem.field == "workers"
    assert problem.message.startswith("got none of team, mechanical_turk, vendor; give exactly one of:")


def test_two_kinds_of_data(root: Path) -> None:
    path = write_project(root, valid_project(data={"data_type": "image", "manifest": "s3://bucket/m.manifest"}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "data:"), "data")
    assert problem.message.startswith("got data_type and manifest; give exactly one of: data_type (automated data")


def test_an_option_of_another_kind_of_data(root: Path) -> None:
    path = write_project(root, valid_project(data={"manifest": "s3://bucket/m.manifest", "sample_percent": 10}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "sample_percent"), "data.sample_percent")
    assert problem.message.startswith("unknown key; allowed keys: bucket, manifest, prefix, where")


@pytest.mark.parametrize(
    ("changes", "field", "message", "line_with"),
    [
        ({"region": "Europe"}, "region", "got 'Europe'; must be an AWS region name like eu-west-1", "region:"),
        ({"account": 111122223333}, "account", "got 111122223333 (an integer); must be a string", "account:"),
        ({"workers_per_object": 12}, "workers_per_object", "got 12; must be 1..9", "workers_per_object:"),
        ({"workers_per_object": 2.5}, "workers_per_object", "got 2.5 (a number); must be an integer", "workers_per"),
        ({"task_time": "5 minutes"}, "task_time", "got '5 minutes'; must be a duration: seconds (300) or", "task_time"),
        ({"task_time": 0}, "task_time", "got 0; must be at least 1", "task_time:"),
        ({"title": ""}, "title", "got ''; must be 1-128 characters long (is 0)", "title:"),
        ({"keywords": ["a", "b", "c", "d", "e", "f"]}, "keywords", "got 6 items; give at most 5", "keywords:"),
        ({"keywords": ["two  spaces"]}, "keywords[0]", "got 'two  spaces'; must be letters and digits", "two  spaces"),
        (
            {"output": {"prefix": "/labels"}},
            "output.prefix",
            "got '/labels'; must be a key prefix that ends",
            "/labels",
        ),
        ({"data": {"manifest": "https://x/y"}}, "data.manifest", "got 'https://x/y'; must be an S3 URI like", "https:"),
        ({"data": {"objects": []}}, "data.objects", "got 0 items; give 1..1000", "objects:"),
        (
            {"data": {"data_type": "image", "sample_percent": 0}},
            "data.sample_percent",
            "got 0; must be more than 0",
            "sample_",
        ),
        (
            {"data": {"data_type": "image", "bucket": "My_Bucket"}},
            "data.bucket",
            "got 'My_Bucket'; must be an S3",
            "My_",
        ),
        ({"content_classifiers": ["no-pii"]}, "content_classifiers[0]", "got 'no-pii'; allowed: free-of-", "no-pii"),
        (
            {"stopping_conditions": {"max_percentage_labeled": 101}},
            "stopping_conditions.max_percentage_labeled",
            "got 101; must be 1..100",
            "max_percentage_labeled",
        ),
        (
            {"tags": {"team": True}},
            "tags.team",
            "got true (a boolean); must be a string: write it in quotes",
            "team: t",
        ),
        ({"auto_labeling": "no"}, "auto_labeling", "got 'no'; must be true or false", "auto_labeling:"),
    ],
)
def test_schema_rules(root: Path, changes: dict[str, object], field: str, message: str, line_with: str) -> None:
    path = write_project(root, valid_project(**changes))
    problem = only_problem(path)
    assert problem.field == field
    assert problem.message.startswith(message), problem.message
    assert problem.line == line_of(path, line_with)


def test_an_empty_file(root: Path) -> None:
    path = write_project(root, "# nothing yet\n")
    assert only_problem(path) == Problem(
        str(path), 1, "(document)", "got nothing (an empty value); must be a mapping (key: value lines)"
    )


def test_yaml_syntax_error_with_its_line(root: Path) -> None:
    path = write_project(root, "region: eu-west-1\nlabels: [car, truck\ntitle: Cars\n")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (3, "YAML syntax")
    assert problem.message == ("expected ',' or ']', but got ':' (column 6), while parsing a flow sequence on line 2")


def test_tabs_are_a_syntax_error(root: Path) -> None:
    path = write_project(root, "region: eu-west-1\ndata:\n\tdata_type: image\n")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (3, "YAML syntax")


def test_duplicate_keys_are_errors(root: Path) -> None:
    path = write_project(root, "title: One\n" + _without(valid_project(), "title") + "title: Two\n")
    problem = only_problem(path)
    last = len(path.read_text().splitlines())
    assert problem == Problem(str(path), last, "title", "duplicate key; it is already given on line 1")


def test_keys_are_text(root: Path) -> None:
    path = write_project(root, _without(valid_project(), "tags") + "tags:\n  on: yes\n")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "on: yes"), "tags")
    assert problem.message == "a key got True; keys are text (quote it)"


def test_the_file_name_is_the_project_name(root: Path) -> None:
    path = write_project(root, valid_project(), name="My_Cars")
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "(file name)")
    assert problem.message.startswith("got 'My_Cars'; a project name (the file name without .yaml) is 1-54 lowercase")


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "projects" / "missing.yaml"
    (problem,) = validate_project(path)
    assert (problem.file, problem.line, problem.field) == (str(path), 1, "(file)")
    assert problem.message.startswith("cannot be read:")


# -- the team --------------------------------------------------------------------------------------------


def test_unknown_team_lists_the_region_s_teams(root: Path) -> None:
    path = write_project(root, valid_project(workers={"team": "labeler"}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "team:"),
        "workers.team",
        f"got 'labeler'; the teams of eu-west-1 in {root / 'workforce.yaml'} are: labelers, reviewers "
        "(did you mean 'labelers'?)",
    )


def test_a_team_of_a_region_without_a_workforce(root: Path) -> None:
    path = write_project(root, valid_project(region="us-east-1"))
    problem = only_problem(path)
    assert problem.field == "workers.team"
    assert (
        problem.message
        == f"got 'labelers'; {root / 'workforce.yaml'} has no workforce for us-east-1 (its regions: eu-west-1)"
    )


def test_a_team_needs_a_region(root: Path) -> None:
    path = write_project(root, valid_project(region=None))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "team:"), "workers.team")
    assert "a private team belongs to the workforce of one region: set region" in problem.message


def test_a_team_needs_a_workforce_file(tmp_path: Path) -> None:
    path = write_project(tmp_path, valid_project())
    problem = only_problem(path)
    assert problem.field == "workers.team"
    assert problem.message.startswith("got 'labelers'; no workforce file found (workforce.yaml in ")


def test_an_explicit_workforce_file(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = write_workforce(tmp_path_factory.mktemp("other"), {"eu-west-1": {"teams": []}})
    path = write_project(root, valid_project())
    problems = validate_project(path, workforce_file=elsewhere)
    assert [p.message for p in problems] == [f"got 'labelers'; the teams of eu-west-1 in {elsewhere} are: none"]


def test_workforce_file_problems_are_reported_once(root: Path) -> None:
    workforce = write_workforce(root, {"eu-west-1": {"teams": [{"name": TEAM}]}})
    paths = [write_project(root, valid_project(), name=name) for name in ("one", "two")]
    with pytest.raises(ProjectError) as raised:
        load_projects(paths)
    assert raised.value.problems == [
        Problem(
            str(workforce),
            line_of(workforce, "- name"),
            "eu-west-1.teams[0].description",
            raised.value.problems[0].message,
        )
    ]
    assert raised.value.problems[0].message.startswith("missing; required: what the team does")


def test_a_project_without_a_team_never_reads_the_workforce_file(root: Path) -> None:
    write_workforce(root, "not: [valid")
    assert validate_project(write_project(root, mturk_project())) == []


# -- the library's synth rules, at the lines of their fields ------------------------------------------------


def test_price_points_of_the_task_type(root: Path) -> None:
    path = write_project(root, mturk_project(workers={"mechanical_turk": {"price_usd": "0.037"}}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "price_usd"),
        "workers.mechanical_turk.price_usd",
        "got '0.037'; Mechanical Turk price points for Image: bounding box are (USD) 0.036, 0.048, 0.060, 0.072, "
        "0.120, 0.240, 0.360, 0.480, 0.600, 0.720, 0.840, 0.960, 1.080, 1.200",
    )


def test_mechanical_turk_needs_the_pii_declaration_at_the_workers_line(root: Path) -> None:
    path = write_project(root, mturk_project(content_classifiers=None))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "workers:"),
        "content_classifiers",
        "got none; Mechanical Turk jobs must declare free-of-personally-identifiable-information",
    )


def test_a_duplicate_label_points_at_the_second(root: Path) -> None:
    path = write_project(root, "labels:\n- car\n- truck\n- car\n" + _without(valid_project(), "labels"))
    assert only_problem(path) == Problem(str(path), 4, "labels[2]", "got 'car'; labels must be unique")


def test_label_count_of_the_task_type(root: Path) -> None:
    path = write_project(root, valid_project(task_type="image-single-label", labels=["cat"]))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "labels:"),
        "labels",
        "got '1 labels'; Image: classification (single label) jobs take 2..30 labels",
    )


def test_task_time_of_the_task_type_shows_what_was_written(root: Path) -> None:
    path = write_project(root, valid_project(task_time="9h"))
    assert only_problem(path) == Problem(
        str(path), line_of(path, "task_time"), "task_time", "got '9h' (32400 seconds); must be 30..28800 seconds"
    )


def test_expiry_of_mechanical_turk(root: Path) -> None:
    path = write_project(root, mturk_project(expiry="1d"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "expiry"), "expiry")
    assert problem.message == "got '1d' (86400 seconds); must be 60..43200 seconds for a public workforce"


def test_data_type_of_the_task_type(root: Path) -> None:
    path = write_project(root, valid_project(data={"data_type": "text", "prefix": "texts/"}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "data_type"),
        "data.data_type",
        "got 'text'; Image: bounding box jobs take data types image",
    )


def test_point_clouds_need_a_manifest(root: Path) -> None:
    path = write_project(root, valid_project(task_type="point-cloud-object-detection"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "data_type"), "data.data_type")
    assert problem.message == (
        "got 'image'; 3D point cloud: object detection jobs take a manifest you provide "
        "(data: {manifest: s3://...}): automated data setup cannot build its input"
    )


def test_mechanical_turk_cannot_take_video_frames(root: Path) -> None:
    path = write_project(
        root,
        mturk_project(
            task_type="video-frame-object-tracking",
            label_attribute_name="tracks-ref",
            data={"data_type": "video-frames"},
        ),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "workers:"), "workers")
    assert problem.message == (
        "got 'Mechanical Turk'; Video frames: object tracking jobs need a private or vendor workforce "
        "(Mechanical Turk cannot take them)"
    )


def test_a_missing_label_attribute_rule_points_at_the_task_type(root: Path) -> None:
    path = write_project(root, valid_project(task_type="image-semantic-segmentation", label_attribute_name="masks"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "label_attribute_name"), "label_attribute_name")
    assert problem.message == "got 'masks'; Image: semantic segmentation jobs need a name that ends with '-ref'"


def test_review_jobs_need_the_reviewed_attribute(root: Path) -> None:
    path = write_project(
        root, valid_project(task_type="image-bounding-box-verification", data={"manifest": "s3://bucket/m.manifest"})
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "task_type"), "reviewed_label_attribute_name")
    assert problem.message.startswith("got nothing; Image: bounding box verification jobs need the label attribute")


def test_an_unsupported_region(root: Path) -> None:
    path = write_project(root, mturk_project(region="sa-east-1"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "region"), "region")
    assert problem.message.startswith("got 'sa-east-1'; Ground Truth's built-in task types (PRE/ACS Lambdas) exist")


def test_a_tag_value(root: Path) -> None:
    path = write_project(root, valid_project(tags={"team": "vision", "note": "a;b"}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "note:"),
        "tags.note",
        "got 'a;b'; a tag value is 0-256 letters, numbers, spaces and _.:/=+-@",
    )


def test_listed_objects_need_the_task_type_s_data_key(root: Path) -> None:
    path = write_project(root, valid_project(data={"objects": ["a.jpg", {"source": "text"}]}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "source: text"), "data.objects[1]")
    assert problem.message == "got \"{'source': 'text'}\"; each line needs the key 'source-ref' for this task type"


def test_a_manifest_query_needs_plain_values(root: Path) -> None:
    path = write_project(root, valid_project(data={"manifest": "s3://bucket/m.manifest", "where": {"camera": None}}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "camera:"), "data.where.camera")
    assert problem.message == "got nothing (an empty value); must be a string or a number or true or false"


def test_a_bad_key_pattern(root: Path) -> None:
    path = write_project(root, valid_project(data={"data_type": "image", "key_pattern": "cam["}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "key_pattern"), "data.key_pattern")
    assert problem.message.startswith("got 'cam['; is not a valid regular expression")


# -- all at once --------------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_line_order(root: Path) -> None:
    path = write_project(
        root,
        valid_project(
            task_type="image-bounding-bx",
            colour="red",
            workers={"mechanical_turk": {"price_usd": 0.036}},
            task_time="soon",
        ),
    )
    with pytest.raises(ProjectError) as raised:
        load_project(path)
    error = raised.value
    assert isinstance(error, ValueError)
    assert [p.field for p in error.problems] == [
        "task_type",
        "workers.mechanical_turk.price_usd",
        "colour",
        "task_time",
    ]
    assert [p.line for p in error.problems] == sorted(p.line for p in error.problems)
    assert str(error).splitlines() == [str(p) for p in error.problems]
    assert str(error.problems[0]) == f"{path}:2: task_type: {error.problems[0].message}"


def test_synth_rule_problems_are_reported_together(root: Path) -> None:
    path = write_project(
        root,
        mturk_project(
            labels=["car", "car"], workers={"mechanical_turk": {"price_usd": "0.5"}}, content_classifiers=None
        ),
    )
    fields = [p.field for p in validate_project(path)]
    assert fields == ["labels[1]", "content_classifiers", "workers.mechanical_turk.price_usd"]


def test_load_projects_collects_the_problems_of_every_file(root: Path) -> None:
    good = write_project(root, valid_project(), name="good")
    bad = write_project(root, valid_project(titel="x"), name="bad")
    worse = write_project(root, "a: [", name="worse")
    with pytest.raises(ProjectError) as raised:
        load_projects([good, bad, worse])
    assert [p.file for p in raised.value.problems] == [str(bad), str(worse)]
    assert [p.name for p in load_projects([good])] == ["good"]


def _without(project: dict[str, object], key: str) -> str:
    return yaml.safe_dump({k: v for k, v in project.items() if k != key}, sort_keys=False)


def test_the_model_is_plain_data(root: Path) -> None:
    project = load_project(write_project(root, valid_project()))
    assert isinstance(project, Project)
    assert project == load_project(write_project(root, valid_project()))
