"""Fail at synth: one negative test per rule, each naming the field, the value and what is allowed."""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest

from groundtruth_cdk import (
    ContentClassifier,
    InlineManifest,
    LabelingBuckets,
    ManifestInput,
    StoppingConditions,
    TaskType,
    Workforce,
)
from tests.builders import ACCOUNT, add_job, mturk, stack

T = TaskType
HOURS = cdk.Duration.hours
DAYS = cdk.Duration.days


def _fails(task_type: TaskType, expected: list[str], region: str = "us-east-1", **overrides: Any) -> str:
    with pytest.raises(ValueError, match=r"^LabelingJob Test/Job: \d+ invalid value") as caught:
        add_job(stack(region), task_type=task_type, **overrides)
    message = str(caught.value)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    return message


RULES: list[tuple[str, TaskType, dict[str, Any], list[str]]] = [
    (
        "job name pattern",
        T.IMAGE_BOUNDING_BOX,
        {"job_name_prefix": "bad_name!"},
        ["job_name_prefix", "'bad_name!'", "letters, digits and hyphens"],
    ),
    ("job name trailing hyphen", T.IMAGE_BOUNDING_BOX, {"job_name_prefix": "name-"}, ["job_name_prefix", "'name-'"]),
    (
        "job name lowercase",
        T.IMAGE_BOUNDING_BOX,
        {"job_name_prefix": "MyJob"},
        ["job_name_prefix", "'MyJob'", "lowercase"],
    ),
    ("job name length", T.IMAGE_BOUNDING_BOX, {"job_name_prefix": "a" * 55}, ["job_name_prefix", "1-54"]),
    (
        "label attribute pattern",
        T.IMAGE_BOUNDING_BOX,
        {"label_attribute_name": "my labels"},
        ["label_attribute_name", "'my labels'"],
    ),
    (
        "label attribute length",
        T.IMAGE_BOUNDING_BOX,
        {"label_attribute_name": "a" * 128},
        ["label_attribute_name", "1-127"],
    ),
    (
        "-ref required",
        T.IMAGE_SEMANTIC_SEGMENTATION,
        {"label_attribute_name": "masks"},
        ["label_attribute_name", "'masks'", "ends with '-ref'"],
    ),
    (
        "-ref required (video)",
        T.VIDEO_FRAME_OBJECT_TRACKING,
        {"label_attribute_name": "tracks"},
        ["'tracks'", "'-ref'"],
    ),
    (
        "-ref required (3D tracking)",
        T.POINT_CLOUD_OBJECT_TRACKING,
        {"label_attribute_name": "tracks"},
        ["'tracks'", "'-ref'"],
    ),
    (
        "-ref forbidden",
        T.IMAGE_BOUNDING_BOX,
        {"label_attribute_name": "boxes-ref"},
        ["'boxes-ref'", "does not end with '-ref'"],
    ),
    (
        "-ref forbidden (seg verification)",
        T.IMAGE_SEMANTIC_SEGMENTATION_VERIFICATION,
        {"label_attribute_name": "check-ref"},
        ["'check-ref'", "does not end with '-ref'"],
    ),
    ("-metadata", T.IMAGE_BOUNDING_BOX, {"label_attribute_name": "boxes-metadata"}, ["'boxes-metadata'", "-metadata"]),
    ("reserved source", T.TEXT_SINGLE_LABEL, {"label_attribute_name": "source"}, ["'source'", "reserved"]),
    (
        "reserved source-ref",
        T.IMAGE_SEMANTIC_SEGMENTATION,
        {"label_attribute_name": "source-ref"},
        ["'source-ref'", "reserved"],
    ),
    (
        "review needs another name",
        T.IMAGE_BOUNDING_BOX_ADJUSTMENT,
        {"label_attribute_name": "boxes", "reviewed_label_attribute_name": "boxes"},
        ["label_attribute_name", "different name"],
    ),
    ("too few labels", T.IMAGE_SINGLE_LABEL, {"labels": ["cat"]}, ["labels", "1 labels", "2..30"]),
    ("too few labels (text)", T.TEXT_SINGLE_LABEL, {"labels": ["positive"]}, ["labels", "2..30"]),
    (
        "too many labels",
        T.IMAGE_BOUNDING_BOX,
        {"labels": [f"l{n}" for n in range(51)]},
        ["labels", "51 labels", "1..50"],
    ),
    (
        "too many labels (segmentation)",
        T.IMAGE_SEMANTIC_SEGMENTATION,
        {"labels": [f"l{n}" for n in range(21)]},
        ["21 labels", "1..20"],
    ),
    (
        "too many labels (3D)",
        T.POINT_CLOUD_OBJECT_DETECTION,
        {"labels": [f"l{n}" for n in range(31)]},
        ["31 labels", "1..30"],
    ),
    ("duplicate labels", T.IMAGE_BOUNDING_BOX, {"labels": ["car", "bus", "car"]}, ["labels", "'car'", "unique"]),
    ("label length", T.IMAGE_BOUNDING_BOX, {"labels": ["x" * 257]}, ["labels", "1-256"]),
    ("workers too few", T.IMAGE_BOUNDING_BOX, {"workers_per_object": 0}, ["workers_per_object", "got 0", "1..9"]),
    ("workers too many", T.IMAGE_BOUNDING_BOX, {"workers_per_object": 10}, ["workers_per_object", "got 10", "1..9"]),
    (
        "task time too short",
        T.IMAGE_BOUNDING_BOX,
        {"task_time_limit": cdk.Duration.seconds(29)},
        ["task_time_limit", "got 29", "30..28800"],
    ),
    (
        "task time image max",
        T.IMAGE_BOUNDING_BOX,
        {"task_time_limit": HOURS(9)},
        ["task_time_limit", "got 32400", "30..28800"],
    ),
    (
        "task time text max",
        T.TEXT_NAMED_ENTITY_RECOGNITION,
        {"task_time_limit": HOURS(9)},
        ["task_time_limit", "30..28800"],
    ),
    (
        "task time video max",
        T.VIDEO_FRAME_OBJECT_DETECTION,
        {"task_time_limit": DAYS(31)},
        ["task_time_limit", "30..2592000"],
    ),
    (
        "availability too short",
        T.IMAGE_BOUNDING_BOX,
        {"task_availability_lifetime": cdk.Duration.seconds(59)},
        ["task_availability_lifetime", "got 59", "60..2592000"],
    ),
    (
        "availability public max",
        T.IMAGE_BOUNDING_BOX,
        {**mturk(), "task_availability_lifetime": HOURS(13)},
        ["task_availability_lifetime", "got 46800", "60..43200", "public"],
    ),
    (
        "availability private max",
        T.IMAGE_BOUNDING_BOX,
        {"task_availability_lifetime": DAYS(31)},
        ["task_availability_lifetime", "60..2592000", "private"],
    ),
    (
        "too many keywords",
        T.IMAGE_BOUNDING_BOX,
        {"task_keywords": ["a", "b", "c", "d", "e", "f"]},
        ["task_keywords", "at most 5"],
    ),
    ("keyword length", T.IMAGE_BOUNDING_BOX, {"task_keywords": ["k" * 31]}, ["task_keywords", "1-30"]),
    ("keyword pattern", T.IMAGE_BOUNDING_BOX, {"task_keywords": ["two  spaces"]}, ["task_keywords", "'two  spaces'"]),
    ("title empty", T.IMAGE_BOUNDING_BOX, {"task_title": ""}, ["task_title", "1-128"]),
    ("title length", T.IMAGE_BOUNDING_BOX, {"task_title": "t" * 129}, ["task_title", "1-128", "is 129"]),
    ("title control character", T.IMAGE_BOUNDING_BOX, {"task_title": "tab\x08"}, ["task_title", "control characters"]),
    ("title beyond the BMP", T.IMAGE_BOUNDING_BOX, {"task_title": "cars \U0001f697"}, ["task_title", "beyond U+FFFD"]),
    (
        "description one line",
        T.IMAGE_BOUNDING_BOX,
        {"task_description": "two\nlines"},
        ["task_description", "single line"],
    ),
    ("tag key characters", T.IMAGE_BOUNDING_BOX, {"tags": {"team#1": "a"}}, ["tags", "'team#1'", "tag key"]),
    (
        "tag key aws prefix",
        T.IMAGE_BOUNDING_BOX,
        {"tags": {"aws:owner": "a"}},
        ["tags", "'aws:owner'", "not starting with 'aws:'"],
    ),
    ("tag value", T.IMAGE_BOUNDING_BOX, {"tags": {"team": "a" * 257}}, ["tags['team']", "0-256"]),
    ("description length", T.IMAGE_BOUNDING_BOX, {"task_description": "d" * 256}, ["task_description", "1-255"]),
    (
        "wait timeout",
        T.IMAGE_BOUNDING_BOX,
        {"wait_timeout": cdk.Duration.minutes(44)},
        ["wait_timeout", "got 2640", "60..2580 seconds"],
    ),
    (
        "concurrent tasks",
        T.IMAGE_BOUNDING_BOX,
        {"max_concurrent_task_count": 5001},
        ["max_concurrent_task_count", "1..5000"],
    ),
    (
        "stop at objects",
        T.IMAGE_BOUNDING_BOX,
        {"stopping_conditions": StoppingConditions(max_human_labeled_objects=0)},
        ["stopping_conditions.max_human_labeled_objects", ">= 1"],
    ),
    (
        "stop at percent",
        T.IMAGE_BOUNDING_BOX,
        {"stopping_conditions": StoppingConditions(max_percentage_labeled=101)},
        ["stopping_conditions.max_percentage_labeled", "1..100"],
    ),
    (
        "too many tags",
        T.IMAGE_BOUNDING_BOX,
        {"tags": {f"k{n}": "v" for n in range(49)}},
        ["tags", "49 tags", "at most 48"],
    ),
    ("price point", T.IMAGE_BOUNDING_BOX, mturk("0.037"), ["workforce.price_usd", "'0.037'", "0.036, 0.048"]),
    ("price point (segmentation)", T.IMAGE_SEMANTIC_SEGMENTATION, mturk("0.036"), ["workforce.price_usd", "0.840"]),
    ("price point (classification)", T.IMAGE_SINGLE_LABEL, mturk("0.013"), ["workforce.price_usd", "0.012, 0.024"]),
    (
        "MTurk needs PII declaration",
        T.IMAGE_BOUNDING_BOX,
        {
            "workforce": Workforce.mechanical_turk("0.036"),
            "content_classifiers": [ContentClassifier.FREE_OF_ADULT_CONTENT],
        },
        ["content_classifiers", "FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION"],
    ),
    (
        "MTurk not for video frames",
        T.VIDEO_FRAME_OBJECT_DETECTION,
        mturk(),
        ["workforce", "Mechanical Turk cannot take them"],
    ),
    (
        "MTurk not for 3D",
        T.POINT_CLOUD_SEMANTIC_SEGMENTATION,
        mturk(),
        ["workforce", "Mechanical Turk cannot take them"],
    ),
    (
        "workteam ARN",
        T.IMAGE_BOUNDING_BOX,
        {"workforce": Workforce.private_team("my-team")},
        ["workforce.workteam_arn", "'my-team'", "private-crowd"],
    ),
    (
        "vendor ARN kind",
        T.IMAGE_BOUNDING_BOX,
        {"workforce": Workforce.vendor(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/x")},
        ["workforce.workteam_arn", "vendor-crowd"],
    ),
    (
        "review needs reviewed name",
        T.IMAGE_BOUNDING_BOX_VERIFICATION,
        {"reviewed_label_attribute_name": None},
        ["reviewed_label_attribute_name", "got None"],
    ),
    (
        "only reviews take reviewed name",
        T.IMAGE_BOUNDING_BOX,
        {"reviewed_label_attribute_name": "boxes"},
        ["reviewed_label_attribute_name", "only verification"],
    ),
    (
        "custom needs lambdas",
        T.CUSTOM,
        {"pre_annotation_lambda_arn": None, "annotation_consolidation_lambda_arn": None},
        ["pre_annotation_lambda_arn", "annotation_consolidation_lambda_arn", "your Lambda"],
    ),
    ("custom needs template", T.CUSTOM, {"ui_template": None}, ["ui_template", "Liquid"]),
    (
        "built-in takes no lambdas",
        T.IMAGE_BOUNDING_BOX,
        {"pre_annotation_lambda_arn": "arn:aws:lambda:us-east-1:1:function:x"},
        ["pre_annotation_lambda_arn", "built-in Lambdas"],
    ),
    (
        "hosted UI takes no template",
        T.POINT_CLOUD_OBJECT_DETECTION,
        {"ui_template": "<p/>"},
        ["ui_template", "AWS-hosted"],
    ),
    (
        "inline manifest key",
        T.TEXT_SINGLE_LABEL,
        {"input": InlineManifest(({"source-ref": "s3://b/k"},))},
        ["input.objects[0]", "'source'"],
    ),
    (
        "inline manifest empty",
        T.IMAGE_BOUNDING_BOX,
        {"input": InlineManifest(())},
        ["input.objects", "0 objects", "1..1000"],
    ),
    (
        "inline manifest size",
        T.IMAGE_BOUNDING_BOX,
        {"input": InlineManifest(tuple({"source-ref": f"s3://data/{n}.jpg"} for n in range(1001)))},
        ["1001 objects"],
    ),
    (
        "inline attribute size",
        T.TEXT_SINGLE_LABEL,
        {"input": InlineManifest.from_texts(["x" * 20_001])},
        ["input.objects[0]", "at most 20000"],
    ),
    (
        "inline line size",
        T.TEXT_SINGLE_LABEL,
        {"input": InlineManifest(({"source": "a", **{f"k{n}": "y" * 19_000 for n in range(6)}},))},
        ["input.objects[0]", "a manifest line holds at most 100000"],
    ),
    (
        "inline total size",
        T.TEXT_SINGLE_LABEL,
        {"input": InlineManifest.from_texts(["y" * 15_000] * 7)},
        ["input.objects", "105105 bytes of JSON", "at most 60000 bytes of JSON in all"],
    ),
    (
        "inline key with $",
        T.TEXT_SINGLE_LABEL,
        {"input": InlineManifest(({"source": "a", "$x": 1},))},
        ["input.objects[0]", "'$'"],
    ),
    (
        "manifest URI",
        T.IMAGE_BOUNDING_BOX,
        {"input": ManifestInput("bucket/key.manifest")},
        ["input.s3_uri", "'bucket/key.manifest'", "s3://"],
    ),
]


@pytest.mark.parametrize(("task_type", "overrides", "expected"), [pytest.param(t, o, e, id=i) for i, t, o, e in RULES])
def test_fails_at_synth(task_type: TaskType, overrides: dict[str, Any], expected: list[str]) -> None:
    _fails(task_type, expected, **overrides)


def test_fails_for_an_unsupported_region() -> None:
    _fails(T.IMAGE_BOUNDING_BOX, ["region", "'sa-east-1'", "us-east-1", "ap-southeast-2"], region="sa-east-1")


def test_custom_task_type_works_in_any_region() -> None:
    add_job(stack("sa-east-1"), task_type=T.CUSTOM)


def test_reports_every_problem_in_one_error() -> None:
    message = _fails(
        T.IMAGE_BOUNDING_BOX,
        ["5 invalid values", "workers_per_object", "task_title", "labels", "task_keywords", "job_name_prefix"],
        workers_per_object=12,
        task_title="",
        labels=[],
        task_keywords=["no!"],
        job_name_prefix="Bad",
    )
    assert message.startswith("LabelingJob Test/Job: ")


def test_mechanical_turk_price_must_not_be_a_float() -> None:
    with pytest.raises(
        ValueError, match=re.escape("workforce.price_usd: got 0.036; give the price as a decimal string")
    ):
        Workforce.mechanical_turk(0.036)  # type: ignore[arg-type]


def test_mechanical_turk_price_must_be_a_number() -> None:
    with pytest.raises(ValueError, match=re.escape("workforce.price_usd: got 'cheap'")):
        Workforce.mechanical_turk("cheap")


def test_unresolved_tokens_are_not_rejected() -> None:
    scope = stack()
    name = cdk.CfnParameter(scope, "Name").value_as_string
    team = cdk.CfnParameter(scope, "Team").value_as_string
    job = add_job(
        scope,
        task_type=T.IMAGE_SEMANTIC_SEGMENTATION,
        label_attribute_name=name,
        job_name_prefix=name,
        workforce=Workforce.private_team(team),
        input=ManifestInput(cdk.CfnParameter(scope, "Manifest").value_as_string),
    )
    assert scope.resolve(job.request["LabelAttributeName"]) == {"Ref": "Name"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"input_prefix": "/data/"}, ["input_prefix", "'/data/'", "end with '/'"]),
        ({"output_prefix": "labels"}, ["output_prefix", "'labels'"]),
        ({"artifacts_prefix": ""}, ["artifacts_prefix", "must not be empty"]),
    ],
)
def test_buckets_fail_at_synth(overrides: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(ValueError, match=r"^LabelingBuckets Test/Data: 1 invalid value") as caught:
        LabelingBuckets(stack(), "Data", task_type=T.IMAGE_BOUNDING_BOX, **overrides)
    for fragment in expected:
        assert fragment in str(caught.value)


def test_buckets_fail_when_input_and_output_overlap_in_one_bucket() -> None:
    scope = stack()
    bucket = cdk.aws_s3.Bucket(scope, "Shared")
    with pytest.raises(ValueError, match="output_prefix: got 'data/labels/'; must not overlap input_prefix 'data/'"):
        LabelingBuckets(
            scope,
            "Data",
            task_type=T.IMAGE_BOUNDING_BOX,
            input_bucket=bucket,
            output_bucket=bucket,
            input_prefix="data/",
            output_prefix="data/labels/",
        )
