"""Chained jobs on the construct side: reviews and re-labeling of an earlier job's output, and the chain starter."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest

from groundtruth_cdk import LabelingBuckets, LabelingJob, PreviousJobOutput, TaskType
from tests.builders import (
    ACCOUNT,
    add_job,
    flat,
    job_error,
    job_kwargs,
    job_properties,
    one_of_type,
    outputs_of,
    stack,
    statements,
    synthesized,
)

JOBS = f"arn:<AWS::Partition>:sagemaker:us-east-1:{ACCOUNT}:labeling-job"
FIRST_NAME = "<First8D4707F1.LabelingJobName>"
PENDING_KEY = "groundtruth-cdk/chains/test-review.json"
CORS_GET = {
    "AllowedHeaders": [],
    "AllowedMethods": ["GET"],
    "AllowedOrigins": ["*"],
    "ExposedHeaders": ["Access-Control-Allow-Origin"],
}


def _review(scope: cdk.Stack, task_type: TaskType, input: Any, id: str = "Review", **overrides: Any) -> LabelingJob:
    """A review job of ``input`` with its own buckets; labels and the reviewed name default to the earlier job's."""
    buckets = LabelingBuckets(scope, f"{id}Data", task_type=task_type)
    kwargs = job_kwargs(task_type, input=input, **{"reviewed_label_attribute_name": None, **overrides})
    if "labels" not in overrides:
        kwargs["labels"] = None
    return LabelingJob(scope, id, buckets=buckets, **kwargs)


@pytest.fixture(scope="module")
def review() -> dict[str, Any]:
    """A bounding box job and a verification of its output (given the LabelingJob itself) in one stack."""
    scope = stack()
    data = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
    first = add_job(scope, "First", buckets=data, labels=["car", "bus"], label_attribute_name="vehicles")
    _review(scope, TaskType.IMAGE_BOUNDING_BOX_VERIFICATION, first)
    return synthesized(scope)


@pytest.fixture(scope="module")
def adjustments() -> dict[str, Any]:
    """Video frame and 3D point cloud detection jobs, each followed by its adjustment job."""
    scope = stack()
    video = add_job(
        scope, "Video", task_type=TaskType.VIDEO_FRAME_OBJECT_DETECTION, label_attribute_name="vehicles-ref"
    )
    _review(scope, TaskType.VIDEO_FRAME_OBJECT_DETECTION_ADJUSTMENT, video, "VideoAdjustment")
    cloud = add_job(scope, "Cloud", task_type=TaskType.POINT_CLOUD_OBJECT_DETECTION, label_attribute_name="cars")
    _review(scope, TaskType.POINT_CLOUD_OBJECT_DETECTION_ADJUSTMENT, PreviousJobOutput.of(cloud), "CloudAdjustment")
    return synthesized(scope)


def test_the_review_follows_the_first_jobs_output(review: dict[str, Any]) -> None:
    properties = job_properties(review, "Review")
    assert properties["FollowsJob"] == {
        "LabelingJobName": FIRST_NAME,
        "UseOutputManifest": True,
        "UseFinalModel": False,
    }
    assert properties["PendingRequestS3Uri"] == f"s3://<ReviewDataInputBucket304BF315>/{PENDING_KEY}"
    assert properties["LabelingJobRequest"]["InputConfig"] == {"DataSource": {"S3DataSource": {}}}
    assert not {"ManifestLines", "DataSetup"} & set(properties)
    assert "FollowsJob" not in job_properties(review, "First")


def test_the_verification_reuses_the_first_jobs_labels_and_label_attribute_name(
    review: dict[str, Any],
) -> None:
    properties = job_properties(review, "Review")
    assert json.loads(properties["LabelCategoryConfig"]) == {
        "document-version": "2018-11-28",
        "labels": [{"label": "car"}, {"label": "bus"}],
    }
    assert "task.input.manifestLine['vehicles'].annotations" in properties["UiTemplate"]
    assert "The labels are correct" in properties["UiTemplate"], "reviewers choose among fixed verdicts"
    request = properties["LabelingJobRequest"]
    assert request["LabelAttributeName"] == "image-bounding-box-verification"
    assert request["HumanTaskConfig"]["PreHumanTaskLambdaArn"].endswith(":function:PRE-VerificationBoundingBox")
    acs = request["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"]
    assert acs.endswith(":function:ACS-VerificationBoundingBox")


def test_the_chain_rule_fires_only_when_the_first_job_completes(review: dict[str, Any]) -> None:
    function_id, _ = one_of_type(review, "AWS::Lambda::Function", "ReviewChainFunction")
    queue_id, _ = one_of_type(review, "AWS::SQS::Queue", "ReviewChainFailed")
    _, rule = one_of_type(review, "AWS::Events::Rule", "ReviewChainRule")
    assert rule["Properties"]["EventPattern"] == {
        "detail": {"LabelingJobStatus": ["Completed"]},
        "detail-type": ["SageMaker Ground Truth Labeling Job State Change"],
        "resources": [f"{JOBS}/{FIRST_NAME}"],
        "source": ["aws.sagemaker"],
    }
    assert rule["Properties"]["Targets"] == [
        {
            "Arn": f"<{function_id}.Arn>",
            "DeadLetterConfig": {"Arn": f"<{queue_id}.Arn>"},
            "Id": "Target0",
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
        }
    ]


def test_the_chain_function_reads_the_pending_request(review: dict[str, Any]) -> None:
    queue_id, queue = one_of_type(review, "AWS::SQS::Queue", "ReviewChainFailed")
    _, function = one_of_type(review, "AWS::Lambda::Function", "ReviewChainFunction")
    properties = function["Properties"]
    assert properties["Handler"] == "chain.on_previous_job_completed"
    assert properties["Environment"] == {
        "Variables": {"PENDING_REQUEST_URI": job_properties(review, "Review")["PendingRequestS3Uri"]}
    }
    assert properties["DeadLetterConfig"] == {"TargetArn": f"<{queue_id}.Arn>"}
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_the_chain_function_has_least_privilege(review: dict[str, Any]) -> None:
    role_id, _ = one_of_type(review, "AWS::IAM::Role", "ReviewRole")
    by_sid = {s.get("Sid"): s for s in statements(review, "ReviewChainRoleDefaultPolicy")}
    assert {sid: by_sid[sid] for sid in by_sid if sid} == {
        "ReadThePendingRequest": {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Resource": f"<ReviewDataInputBucket304BF315.Arn>/{PENDING_KEY}",
            "Sid": "ReadThePendingRequest",
        },
        "FindThePendingRequest": {
            "Action": "s3:ListBucket",
            "Condition": {"StringEquals": {"s3:prefix": PENDING_KEY}},
            "Effect": "Allow",
            "Resource": "<ReviewDataInputBucket304BF315.Arn>",
            "Sid": "FindThePendingRequest",
        },
        "DescribeTheEarlierJob": {
            "Action": "sagemaker:DescribeLabelingJob",
            "Effect": "Allow",
            "Resource": f"{JOBS}/{FIRST_NAME}",
            "Sid": "DescribeTheEarlierJob",
        },
        "StartThisLabelingJob": {
            "Action": ["sagemaker:AddTags", "sagemaker:CreateLabelingJob", "sagemaker:DescribeLabelingJob"],
            "Effect": "Allow",
            "Resource": f"{JOBS}/test-review-*",
            "Sid": "StartThisLabelingJob",
        },
        "PassTheJobRoleToSageMaker": {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": f"<{role_id}.Arn>",
            "Sid": "PassTheJobRoleToSageMaker",
        },
    }
    unnamed = [s for s in statements(review, "ReviewChainRoleDefaultPolicy") if "Sid" not in s]
    assert sorted(json.dumps(s["Action"]) for s in unnamed) == [
        '"sqs:SendMessage"',
        '["logs:CreateLogStream", "logs:PutLogEvents"]',
    ]


def test_the_handler_may_describe_the_earlier_job_and_keep_the_pending_request(review: dict[str, Any]) -> None:
    by_sid = {s.get("Sid"): s for s in statements(review, "ReviewProviderHandlerRoleDefaultPolicy")}
    assert by_sid["DescribeTheEarlierJob"] == {
        "Action": "sagemaker:DescribeLabelingJob",
        "Effect": "Allow",
        "Resource": f"{JOBS}/{FIRST_NAME}",
        "Sid": "DescribeTheEarlierJob",
    }
    assert by_sid["KeepThePendingRequest"] == {
        "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        "Effect": "Allow",
        "Resource": f"<ReviewDataInputBucket304BF315.Arn>/{PENDING_KEY}",
        "Sid": "KeepThePendingRequest",
    }
    assert by_sid["FindThePendingRequest"]["Condition"] == {"StringEquals": {"s3:prefix": PENDING_KEY}}
    first = {s.get("Sid") for s in statements(review, "FirstProviderHandlerRoleDefaultPolicy")}
    assert not {"DescribeTheEarlierJob", "KeepThePendingRequest", "FindThePendingRequest"} & first


def test_the_job_is_deployed_after_the_chain_rule(review: dict[str, Any]) -> None:
    rule_id, _ = one_of_type(review, "AWS::Events::Rule", "ReviewChainRule")
    function_id, _ = one_of_type(review, "AWS::Lambda::Function", "ReviewChainFunction")
    _, job = one_of_type(review, "Custom::LabelingJob", "Review")
    assert {rule_id, function_id} <= set(job["DependsOn"])


def test_outputs_name_the_earlier_job_and_the_chain_status(review: dict[str, Any]) -> None:
    outputs = outputs_of(review, "Review")
    assert outputs["FollowsJob"] == "<ReviewDAFB1C41.FollowsJob>"
    assert outputs["ChainStatus"] == "<ReviewDAFB1C41.ChainStatus>"
    assert not {"FollowsJob", "ChainStatus"} & set(outputs_of(review, "First"))


def test_the_review_role_reads_the_first_jobs_data_and_labels(review: dict[str, Any]) -> None:
    role = statements(review, "ReviewRoleDefaultPolicy")
    assert role[-2:] == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "<DataInputBucketA6A14AF4.Arn>/images/*"},
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "<DataOutputBucket90385B5A.Arn>/labels/*"},
    ]


@pytest.mark.parametrize(
    ("logical_prefix", "document"),
    [
        ("VideoAdjustment", {"auditLabelAttributeName": "vehicles-ref", "editsAllowed": "any"}),
        ("CloudAdjustment", {"auditLabelAttributeName": "cars", "editsAllowed": "any"}),
    ],
)
def test_video_and_3d_adjustments_name_the_audited_labels(
    adjustments: dict[str, Any], logical_prefix: str, document: dict[str, str]
) -> None:
    properties = job_properties(adjustments, logical_prefix)
    config = json.loads(properties["LabelCategoryConfig"])
    assert {key: config[key] for key in document} == document
    assert config["documentVersion"] == "2020-03-01"
    assert config["labels"] == [{"label": "label0"}, {"label": "label1"}]
    assert properties["FollowsJob"]["UseOutputManifest"] is True


def test_relabeling_with_another_task_type_is_allowed() -> None:
    scope = stack()
    first = add_job(scope, "First", labels=["car", "bus"])
    second = add_job(scope, "Second", task_type=TaskType.IMAGE_SINGLE_LABEL, input=first, labels=["day", "night"])
    request = flat(scope, second.request)
    assert request["InputConfig"] == {"DataSource": {"S3DataSource": {}}}
    assert second.chain is not None
    assert second.labels == ("day", "night")


def test_an_adjustment_labels_with_the_first_jobs_labels_by_default() -> None:
    scope = stack()
    first = add_job(scope, "First", labels=["car", "bus"])
    second = _review(scope, TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT, first, "Second")
    assert second.labels == ("car", "bus")


@pytest.mark.parametrize(
    ("task_type", "message"),
    [
        (TaskType.IMAGE_BOUNDING_BOX, "labels: got '0 labels'; Image: bounding box jobs take 1..50 labels"),
        (
            TaskType.IMAGE_SINGLE_LABEL,
            "labels: got '0 labels'; Image: classification (single label) jobs take 2..30 labels",
        ),
    ],
)
def test_relabeling_never_reuses_the_first_jobs_labels(task_type: TaskType, message: str) -> None:
    scope = stack()
    first = add_job(scope, "First", labels=["car", "bus"])
    error = job_error(task_type, scope=scope, input=first, labels=None)
    assert error == f"LabelingJob Test/Job: 1 invalid value:\n  - {message}"


def test_a_verification_labels_with_the_first_jobs_labels_by_default() -> None:
    scope = stack()
    first = add_job(scope, "First", labels=["car", "bus"])
    second = _review(scope, TaskType.IMAGE_BOUNDING_BOX_VERIFICATION, first)
    assert second.labels == ("car", "bus")


def test_an_existing_job_is_followed_by_name() -> None:
    scope = stack()
    previous = PreviousJobOutput(job_name="existing-job-1")
    _review(
        scope,
        TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT,
        previous,
        reviewed_label_attribute_name="vehicles",
        labels=["car", "bus"],
    )
    template = synthesized(scope)
    properties = job_properties(template, "Review")
    assert properties["FollowsJob"]["LabelingJobName"] == "existing-job-1"
    _, rule = one_of_type(template, "AWS::Events::Rule", "ReviewChainRule")
    assert rule["Properties"]["EventPattern"]["resources"] == [f"{JOBS}/existing-job-1"]
    assert outputs_of(template, "Review")["FollowsJob"] == "<ReviewDAFB1C41.FollowsJob>"
    assert json.loads(properties["LabelCategoryConfig"])["labels"] == [{"label": "car"}, {"label": "bus"}]
    role = statements(template, "ReviewRoleDefaultPolicy")
    assert role[-1]["Sid"] == "WriteJobLogs", "no grant on buckets that are not known"


@pytest.fixture(scope="module")
def cross_stack() -> tuple[dict[str, Any], dict[str, Any]]:
    """The first job in one stack, its adjustment in another."""
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    first_stack, review_stack = cdk.Stack(app, "First", env=env), cdk.Stack(app, "Second", env=env)
    data = LabelingBuckets(first_stack, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
    first = add_job(first_stack, "First", buckets=data, labels=["car", "bus"])
    _review(review_stack, TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT, PreviousJobOutput.of(first))
    return synthesized(first_stack), synthesized(review_stack)


def test_an_adjustment_in_another_stack_reuses_the_first_jobs_labels(
    cross_stack: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, second = cross_stack
    config = json.loads(job_properties(second, "Review")["LabelCategoryConfig"])
    assert config["labels"] == [{"label": "car"}, {"label": "bus"}]


def test_a_review_in_another_stack_may_read_the_first_jobs_prefixes(
    cross_stack: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, second = cross_stack
    reads = [str(s["Resource"]) for s in statements(second, "ReviewRoleDefaultPolicy") if "Sid" not in s]
    assert len(reads) == 2
    assert "'Fn::ImportValue': 'First:ExportsOutputFnGetAttDataInputBucket" in reads[0]
    assert reads[0].endswith("/images/*")
    assert "'Fn::ImportValue': 'First:ExportsOutputFnGetAttDataOutputBucket" in reads[1]
    assert reads[1].endswith("/labels/*")
    follows = job_properties(second, "Review")["FollowsJob"]["LabelingJobName"]
    assert follows == {"Fn::ImportValue": "First:ExportsOutputFnGetAttFirst8D4707F1LabelingJobNameF267D858"}


def test_a_review_in_another_stack_gets_cors_on_the_first_jobs_output_bucket(
    cross_stack: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    first, _ = cross_stack
    _, output = one_of_type(first, "AWS::S3::Bucket", "DataOutputBucket")
    assert output["Properties"]["CorsConfiguration"] == {"CorsRules": [CORS_GET]}
    _, data = one_of_type(first, "AWS::S3::Bucket", "DataInputBucket")
    assert CORS_GET in data["Properties"]["CorsConfiguration"]["CorsRules"]


def test_the_first_jobs_input_bucket_keeps_one_cors_rule(cross_stack: tuple[dict[str, Any], dict[str, Any]]) -> None:
    first, _ = cross_stack
    _, data = one_of_type(first, "AWS::S3::Bucket", "DataInputBucket")
    assert data["Properties"]["CorsConfiguration"] == {"CorsRules": [CORS_GET]}


# -- synth errors ----------------------------------------------------------------------------------------


def test_a_review_needs_a_label_attribute_name_other_than_the_first_jobs() -> None:
    scope = stack()
    first = add_job(scope, "First")
    with pytest.raises(ValueError, match="LabelingJob Test/Review: 1 invalid value") as error:
        _review(
            scope,
            TaskType.IMAGE_BOUNDING_BOX_VERIFICATION,
            first,
            label_attribute_name=first.label_attribute_name,
        )
    assert (
        "label_attribute_name: got 'image-bounding-box'; a verification or adjustment job needs a different name "
        "than the job it reviews (reviewed_label_attribute_name)"
    ) in str(error.value)


@pytest.mark.parametrize(
    ("first_type", "review_type", "message"),
    [
        (
            TaskType.IMAGE_SINGLE_LABEL,
            TaskType.IMAGE_BOUNDING_BOX_VERIFICATION,
            "input: got 'the output of a image-single-label job'; image-bounding-box-verification reviews "
            "image-bounding-box jobs\n",
        ),
        (
            TaskType.IMAGE_SEMANTIC_SEGMENTATION,
            TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT,
            "input: got 'the output of a image-semantic-segmentation job'; image-bounding-box-adjustment reviews "
            "image-bounding-box jobs; image-semantic-segmentation jobs are reviewed by "
            "image-semantic-segmentation-verification, image-semantic-segmentation-adjustment",
        ),
        (
            TaskType.VIDEO_FRAME_OBJECT_TRACKING,
            TaskType.VIDEO_FRAME_OBJECT_DETECTION_ADJUSTMENT,
            "video-frame-object-detection-adjustment reviews video-frame-object-detection jobs; "
            "video-frame-object-tracking jobs are reviewed by video-frame-object-tracking-adjustment",
        ),
    ],
)
def test_a_review_of_the_wrong_task_type_is_a_synth_error(
    first_type: TaskType, review_type: TaskType, message: str
) -> None:
    previous = PreviousJobOutput("first-job-1", label_attribute_name="earlier", labels=("a", "b"), task_type=first_type)
    assert message in job_error(review_type, input=previous, reviewed_label_attribute_name=None, labels=None) + "\n"


@pytest.mark.parametrize(
    ("task_type", "labels", "expected"),
    [
        (TaskType.IMAGE_BOUNDING_BOX_VERIFICATION, None, ("a",)),
        (TaskType.IMAGE_BOUNDING_BOX_VERIFICATION, ["c", "d"], ("c", "d")),
        (TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT, None, ("a",)),
    ],
)
def test_a_review_of_a_review_of_the_same_kind_is_allowed(
    task_type: TaskType, labels: list[str] | None, expected: tuple[str, ...]
) -> None:
    previous = PreviousJobOutput("check-1", label_attribute_name="checked", labels=("a",), task_type=task_type)
    job = add_job(stack(), task_type=task_type, input=previous, reviewed_label_attribute_name=None, labels=labels)
    assert job.labels == expected


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("bad_name!", "'bad_name!'"),
        ("-starts-with-a-hyphen", "'-starts-with-a-hyphen'"),
        ("x" * 64, f"'{'x' * 57}...'"),
        ("", "''"),
    ],
)
def test_an_invalid_earlier_job_name_is_a_synth_error(name: str, shown: str) -> None:
    message = job_error(input=PreviousJobOutput(job_name=name), labels=["car", "bus"])
    assert (
        f"input.job_name: got {shown}; a labeling job name: 1-63 letters, digits and hyphens, starting and ending "
        "with a letter or digit"
    ) in message


def test_a_review_of_an_unknown_job_needs_the_reviewed_label_attribute_name() -> None:
    message = job_error(
        TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT,
        input=PreviousJobOutput("existing-job-1"),
        reviewed_label_attribute_name=None,
    )
    assert (
        "reviewed_label_attribute_name: got None; Image: bounding box adjustment jobs need the label attribute name "
        "of the job whose labels they review"
    ) in message
