"""Automated data setup on the construct side: what is checked at synth, what the deploy is told, IAM."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from groundtruth_cdk import AutoLabeling, DataType, LabelingBuckets, ManifestInput, OnMismatch, S3Data, TaskType
from tests.builders import ACCOUNT, add_job, flat_resolved, stack


def _synth(task_type: TaskType, input: Any, **buckets: Any) -> tuple[cdk.Stack, dict[str, Any]]:
    scope = stack()
    data = LabelingBuckets(scope, "Data", task_type=task_type, **buckets)
    add_job(scope, task_type=task_type, buckets=data, input=input(data) if callable(input) else input)
    return scope, Template.from_stack(scope).to_json()


def _job(template: dict[str, Any]) -> dict[str, Any]:
    (job,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::LabelingJob"]
    return dict(job["Properties"])


def _statements(template: dict[str, Any], logical_prefix: str) -> list[dict[str, Any]]:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith(logical_prefix):
            return list(flat_resolved(resource["Properties"]["PolicyDocument"])["Statement"])
    raise AssertionError(logical_prefix)


def test_s3_data_becomes_the_data_setup_the_deploy_reads() -> None:
    _, template = _synth(
        TaskType.IMAGE_BOUNDING_BOX,
        lambda data: S3Data(
            data.input_bucket,
            "images/",
            data_type=DataType.IMAGE,
            on_mismatch=OnMismatch.SKIP,
            sample_percent=12.5,
            include=["*.jpg"],
            exclude=["tmp/*"],
            key_pattern=r"^cam[0-9]+/",
        ),
        input_prefix="images/",
    )
    job = _job(template)
    setup = json.loads(flat_resolved(job["DataSetup"]))
    assert setup == {
        "Source": "S3Prefix",
        "Bucket": setup["Bucket"],
        "Prefix": "images/",
        "DataType": "image",
        "OnMismatch": "skip",
        "SamplePercent": 12.5,
        "Seed": "groundtruth-cdk",
        "Include": ["*.jpg"],
        "Exclude": ["tmp/*"],
        "KeyPattern": "^cam[0-9]+/",
        "MaxObjects": 100000,
    }
    assert re.fullmatch(r"<DataInputBucket[0-9A-F]{8}>", setup["Bucket"])
    assert job["LabelingJobRequest"]["InputConfig"]["DataSource"] == {"S3DataSource": {}}
    assert "ManifestLines" not in job
    outputs = {k for k in template["Outputs"]}
    assert {o for o in outputs if "ObjectCount" in o or "DataSetupNotes" in o}


def test_semantic_segmentation_allows_twenty_thousand_objects() -> None:
    _, template = _synth(
        TaskType.IMAGE_SEMANTIC_SEGMENTATION, lambda data: S3Data(data.input_bucket, data_type=DataType.IMAGE)
    )
    assert json.loads(flat_resolved(_job(template)["DataSetup"]))["MaxObjects"] == 20000


def test_handler_may_list_the_prefix_read_the_data_and_check_its_region() -> None:
    scope = stack()
    external = s3.Bucket.from_bucket_name(scope, "Lake", "team-data-lake")
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.TEXT_SINGLE_LABEL)
    add_job(
        scope,
        task_type=TaskType.TEXT_SINGLE_LABEL,
        buckets=buckets,
        input=S3Data(external, "reviews/2026/", data_type=DataType.TEXT, text_column="body"),
    )
    template = Template.from_stack(scope).to_json()
    handler = {s.get("Sid"): s for s in _statements(template, "JobProviderHandlerRole")}
    lake = "arn:<AWS::Partition>:s3:::team-data-lake"
    assert handler["ListTheData"] == {
        "Action": "s3:ListBucket",
        "Condition": {"StringLike": {"s3:prefix": "reviews/2026/*"}},
        "Effect": "Allow",
        "Resource": lake,
        "Sid": "ListTheData",
    }
    assert handler["CheckTheDataRegion"]["Resource"] == lake
    assert handler["ReadTheData"]["Resource"] == f"{lake}/reviews/2026/*"
    job_role = _statements(template, "JobRoleDefaultPolicy")
    assert {"Action": "s3:GetObject", "Effect": "Allow", "Resource": f"{lake}/reviews/2026/*"} in job_role


def test_data_inside_the_input_prefix_needs_no_extra_grant() -> None:
    _, template = _synth(
        TaskType.IMAGE_SINGLE_LABEL,
        lambda data: S3Data(data.input_bucket, "images/cats/", data_type=DataType.IMAGE),
        input_prefix="images/",
    )
    reads = [s for s in _statements(template, "JobRoleDefaultPolicy") if s["Action"] == "s3:GetObject"]
    assert len(reads) == 1
    assert reads[0]["Sid"] == "ReadInputData"


def test_a_manifest_query_is_sent_to_the_deploy_and_the_source_is_readable() -> None:
    uri = "s3://team-data-lake/manifests/all.manifest"
    _, template = _synth(
        TaskType.IMAGE_BOUNDING_BOX, ManifestInput(uri, where={"camera": "front*", "meta.night": True})
    )
    setup = json.loads(_job(template)["DataSetup"])
    assert setup == {
        "Source": "ManifestQuery",
        "ManifestS3Uri": uri,
        "Where": {"camera": "front*", "meta.night": True},
        "MaxObjects": 100000,
    }
    handler = {s.get("Sid"): s for s in _statements(template, "JobProviderHandlerRole")}
    assert (
        handler["ReadTheSourceManifest"]["Resource"]
        == "arn:<AWS::Partition>:s3:::team-data-lake/manifests/all.manifest"
    )


def test_a_plain_manifest_is_used_as_it_is() -> None:
    uri = "s3://team-data-lake/manifests/all.manifest"
    _, template = _synth(TaskType.IMAGE_BOUNDING_BOX, ManifestInput(uri))
    job = _job(template)
    assert "DataSetup" not in job
    assert job["LabelingJobRequest"]["InputConfig"]["DataSource"] == {"S3DataSource": {"ManifestS3Uri": uri}}


@pytest.mark.parametrize(
    ("task_type", "data", "expected"),
    [
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.TEXT},
            ["input.data_type", "'TEXT'", "take data types IMAGE"],
        ),
        (TaskType.VIDEO_FRAME_OBJECT_TRACKING, {"data_type": DataType.VIDEO_CLIP}, ["take data types VIDEO_FRAMES"]),
        (
            TaskType.POINT_CLOUD_OBJECT_DETECTION,
            {"data_type": DataType.IMAGE},
            ["a manifest you provide (ManifestInput)"],
        ),
        (TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT, {"data_type": DataType.IMAGE}, ["a manifest you provide"]),
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.IMAGE, "sample_percent": 0},
            ["input.sample_percent", "more than 0"],
        ),
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.IMAGE, "sample_percent": 101},
            ["input.sample_percent", "at most 100"],
        ),
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.IMAGE, "key_pattern": "(unclosed"},
            ["input.key_pattern", "'(unclosed'", "not a valid regular expression"],
        ),
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.IMAGE, "text_column": "body"},
            ["input.text_column", "only TEXT"],
        ),
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.IMAGE, "include": "*.jpg"},
            ["input.include", "a list of globs"],
        ),
        (
            TaskType.IMAGE_BOUNDING_BOX,
            {"data_type": DataType.IMAGE, "prefix": "/images/"},
            ["input.prefix", "'/images/'"],
        ),
    ],
)
def test_fails_at_synth(task_type: TaskType, data: dict[str, Any], expected: list[str]) -> None:
    scope = stack()
    bucket = s3.Bucket.from_bucket_name(scope, "B", "data-bucket")
    prefix = data.pop("prefix", "")
    with pytest.raises(ValueError, match=r"^LabelingJob Test/Job: ") as caught:
        add_job(scope, task_type=task_type, input=S3Data(bucket, prefix, **data))
    for fragment in expected:
        assert fragment in str(caught.value)


def test_fails_for_an_empty_manifest_query() -> None:
    with pytest.raises(ValueError, match=r"input.where: got \{\}; give at least one condition"):
        add_job(stack(), input=ManifestInput(f"s3://b-{ACCOUNT}/m.manifest", where={}))


def test_fails_for_a_condition_that_is_not_a_scalar() -> None:
    with pytest.raises(ValueError, match=r"input.where\['meta'\]: got None; a condition is a string"):
        add_job(stack(), input=ManifestInput("s3://data-bucket/m.manifest", where={"meta": None}))


# -- automated data labeling -----------------------------------------------------------------------------


def test_auto_labeling_names_the_algorithm_counts_objects_at_deploy_and_lets_the_role_pass_itself() -> None:
    scope = stack()
    data = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX)
    add_job(
        scope,
        buckets=data,
        input=S3Data(data.input_bucket, "images/", data_type=DataType.IMAGE),
        auto_labeling=AutoLabeling(),
    )
    template = Template.from_stack(scope).to_json()
    job = _job(template)
    assert flat_resolved(job["LabelingJobRequest"]["LabelingJobAlgorithmsConfig"]) == {
        "LabelingJobAlgorithmSpecificationArn": "arn:<AWS::Partition>:sagemaker:us-east-1:027400017018:"
        "labeling-job-algorithm-specification/object-detection"
    }
    setup = json.loads(flat_resolved(job["DataSetup"]))
    assert (setup["MinObjects"], setup["RecommendedObjects"]) == (1250, 5000)
    passing = [s for s in _statements(template, "JobRoleDefaultPolicy") if s.get("Sid") == "PassItselfToAutoLabeling"]
    assert passing == [
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": passing[0]["Resource"],
            "Sid": "PassItselfToAutoLabeling",
        }
    ]
    assert re.fullmatch(r"<JobRole[0-9A-F]{8}\.Arn>", passing[0]["Resource"])


def test_auto_labeling_starts_from_an_earlier_model() -> None:
    model = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/earlier-job-model"
    scope = stack()
    job = add_job(
        scope,
        task_type=TaskType.TEXT_SINGLE_LABEL,
        input=ManifestInput("s3://data-bucket/all.manifest"),
        auto_labeling=AutoLabeling(initial_model=model),
    )
    algorithms = flat_resolved(scope.resolve(job.request["LabelingJobAlgorithmsConfig"]))
    assert algorithms["InitialActiveLearningModelArn"] == model
    assert algorithms["LabelingJobAlgorithmSpecificationArn"].endswith("/text-classification")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"task_type": TaskType.IMAGE_MULTI_LABEL}, "auto_labeling: got 'Image: classification (multi-label)'; "),
        (
            {"task_type": TaskType.IMAGE_BOUNDING_BOX},
            "auto_labeling: got '2 objects'; automated data labeling needs at least 1250",
        ),
        (
            {"auto_labeling": AutoLabeling(initial_model="my-model")},
            "auto_labeling.initial_model: got 'my-model'; a SageMaker model ARN",
        ),
    ],
)
def test_auto_labeling_fails_at_synth(overrides: dict[str, Any], expected: str) -> None:
    kwargs: dict[str, Any] = {"task_type": TaskType.IMAGE_BOUNDING_BOX, "auto_labeling": AutoLabeling()}
    kwargs.update(overrides)
    with pytest.raises(ValueError, match=re.escape(expected)):
        add_job(stack(), **kwargs)


def test_data_in_another_bucket_gets_the_cors_rule_or_a_warning() -> None:
    scope = stack()
    owned = s3.Bucket(scope, "Lake")
    add_job(scope, input=S3Data(owned, "images/", data_type=DataType.IMAGE))
    lake = Template.from_stack(scope).to_json()["Resources"][scope.get_logical_id(owned.node.default_child)]  # type: ignore[arg-type]
    assert lake["Properties"]["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"] == ["GET"]

    other = stack()
    imported = s3.Bucket.from_bucket_name(other, "Imported", "team-data-lake")
    add_job(other, input=S3Data(imported, "images/", data_type=DataType.IMAGE))
    Annotations.from_stack(other).has_warning(
        "/Test/JobData", Match.string_like_regexp("input.bucket is an imported bucket.*CORS rule allowing GET")
    )
