"""Chained jobs on the construct side: reviews and re-labeling of an earlier job's output, and the chain starter."""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from groundtruth_cdk import LabelingBuckets, LabelingJob, PreviousJobOutput, S3Data, TaskType
from groundtruth_cdk.inputs import DataType
from tests.builders import (
    ACCOUNT,
    CDK_CONTEXT,
    add_job,
    flat,
    job_error,
    job_kwargs,
    job_properties,
    one_of_type,
    outputs_of,
    stack,
    statements,
    synth_under_cdk_nag,
    synthesized,
)

JOBS = f"arn:<AWS::Partition>:sagemaker:us-east-1:{ACCOUNT}:labeling-job"
#: The review follows the first job's name prefix: the job that is current at deploy, not an exported name.
FIRST_PREFIX = "test-first"
#: ``<artifacts prefix>chains/<job name prefix>-<first 8 characters of the construct's node.addr>.json``.
PENDING_KEY = "groundtruth-cdk/chains/test-review-c8622e57.json"
LABELS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
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


def _adjustment_of_existing(scope: cdk.Stack, previous: PreviousJobOutput) -> LabelingJob:
    """An adjustment (id ``Review``) of a job outside the app: its labels and label attribute name are given."""
    return _review(
        scope,
        TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT,
        previous,
        reviewed_label_attribute_name="vehicles",
        labels=["car", "bus"],
    )


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
        "LabelingJobNamePrefix": FIRST_PREFIX,
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
        "resources": [{"prefix": f"{JOBS}/{FIRST_PREFIX}-"}],
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
        "DescribeTheEarlierJobs": {
            "Action": "sagemaker:DescribeLabelingJob",
            "Effect": "Allow",
            "Resource": f"{JOBS}/{FIRST_PREFIX}-????????",
            "Sid": "DescribeTheEarlierJobs",
        },
        # No sagemaker:ListLabelingJobs: the function takes the earlier job from its completion event.
        "StartThisLabelingJob": {
            "Action": [
                "sagemaker:AddTags",
                "sagemaker:CreateLabelingJob",
                "sagemaker:DescribeLabelingJob",
                "sagemaker:StopLabelingJob",
            ],
            "Effect": "Allow",
            "Resource": f"{JOBS}/test-review-????????",
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
    assert by_sid["DescribeTheEarlierJobs"] == {
        "Action": "sagemaker:DescribeLabelingJob",
        "Effect": "Allow",
        "Resource": f"{JOBS}/{FIRST_PREFIX}-????????",
        "Sid": "DescribeTheEarlierJobs",
    }
    assert by_sid["FindTheEarlierJob"] == {
        "Action": "sagemaker:ListLabelingJobs",
        "Effect": "Allow",
        "Resource": "*",
        "Sid": "FindTheEarlierJob",
    }
    assert "DescribeTheEarlierJob" not in by_sid
    assert by_sid["KeepThePendingRequest"] == {
        "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        "Effect": "Allow",
        "Resource": f"<ReviewDataInputBucket304BF315.Arn>/{PENDING_KEY}",
        "Sid": "KeepThePendingRequest",
    }
    assert by_sid["FindThePendingRequest"]["Condition"] == {"StringEquals": {"s3:prefix": PENDING_KEY}}
    first = {s.get("Sid") for s in statements(review, "FirstProviderHandlerRoleDefaultPolicy")}
    assert (
        not {
            "DescribeTheEarlierJob",
            "DescribeTheEarlierJobs",
            "FindTheEarlierJob",
            "KeepThePendingRequest",
            "FindThePendingRequest",
        }
        & first
    )


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
    _adjustment_of_existing(scope, previous)
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


def test_a_review_in_another_stack_follows_the_first_jobs_name_prefix_without_an_export(
    cross_stack: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    first, second = cross_stack
    assert job_properties(second, "Review")["FollowsJob"] == {
        "LabelingJobNamePrefix": "first-first",
        "UseOutputManifest": True,
        "UseFinalModel": False,
    }
    _, rule = one_of_type(second, "AWS::Events::Rule", "ReviewChainRule")
    assert rule["Properties"]["EventPattern"]["resources"] == [{"prefix": f"{JOBS}/first-first-"}]
    describe = {s.get("Sid"): s for s in statements(second, "ReviewChainRoleDefaultPolicy")}["DescribeTheEarlierJobs"]
    assert describe["Resource"] == f"{JOBS}/first-first-????????"
    # Only the first stack's buckets are imported: no export of the first job's name ties the stacks.
    imports = re.findall(r"Fn::ImportValue\W+([\w:-]+)", json.dumps(second))
    assert sorted(set(imports)) == [
        "First:ExportsOutputFnGetAttDataInputBucketA6A14AF4Arn2402ADE9",
        "First:ExportsOutputFnGetAttDataOutputBucket90385B5AArn74023771",
    ]
    assert not [output for output in first["Outputs"] if "LabelingJobName" in output]


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
    assert message == (
        "LabelingJob Test/Job: 1 invalid value:\n"
        f"  - input.job_name: got {shown}; 1-63 letters, digits and hyphens, starting and ending with a letter or digit"
    )


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


# -- following a LabelingJob by its name prefix, an existing job by its name -----------------------------------


def test_the_output_of_a_labeling_job_is_its_name_prefix_and_what_it_knows() -> None:
    scope = stack()
    first = add_job(scope, "First", labels=["car", "bus"], label_attribute_name="vehicles")
    previous = PreviousJobOutput.of(first)
    assert previous == PreviousJobOutput(
        job_name_prefix="test-first",
        label_attribute_name="vehicles",
        labels=("car", "bus"),
        task_type=TaskType.IMAGE_BOUNDING_BOX,
        auto_labeling=False,
        buckets=first.buckets,
    )
    assert previous.reference == "test-first-*"


def test_an_existing_job_with_capitals_is_matched_by_its_lower_case_arn() -> None:
    scope = stack()
    _adjustment_of_existing(scope, PreviousJobOutput(job_name="Street-Boxes-1"))
    template = synthesized(scope)
    # SageMaker takes the name as given; its ARNs (events, IAM) write it in lower case.
    assert job_properties(template, "Review")["FollowsJob"] == {
        "LabelingJobName": "Street-Boxes-1",
        "UseOutputManifest": True,
        "UseFinalModel": False,
    }
    _, rule = one_of_type(template, "AWS::Events::Rule", "ReviewChainRule")
    assert rule["Properties"]["EventPattern"]["resources"] == [f"{JOBS}/street-boxes-1"]
    for policy in ("ReviewChainRoleDefaultPolicy", "ReviewProviderHandlerRoleDefaultPolicy"):
        by_sid = {s.get("Sid"): s for s in statements(template, policy)}
        assert by_sid["DescribeTheEarlierJob"] == {
            "Action": "sagemaker:DescribeLabelingJob",
            "Effect": "Allow",
            "Resource": f"{JOBS}/street-boxes-1",
            "Sid": "DescribeTheEarlierJob",
        }, policy
        assert not {"DescribeTheEarlierJobs", "FindTheEarlierJob"} & set(by_sid), policy


def test_two_chained_jobs_with_one_prefix_and_the_same_buckets_keep_their_pending_requests_apart() -> None:
    scope = stack()
    first = add_job(scope, "First")
    shared = LabelingBuckets(scope, "Shared", task_type=TaskType.IMAGE_BOUNDING_BOX)
    one = add_job(scope, "One", buckets=shared, input=first, job_name_prefix="again")
    two = add_job(scope, "Two", buckets=shared, input=first, job_name_prefix="again")
    template = synthesized(scope)
    keys = [f"groundtruth-cdk/chains/again-{job.node.addr[:8]}.json" for job in (one, two)]
    assert keys[0] != keys[1]
    assert [job_properties(template, id)["PendingRequestS3Uri"] for id in ("One", "Two")] == [
        f"s3://<SharedInputBucket6F69B92B>/{key}" for key in keys
    ]
    for id, key in zip(("One", "Two"), keys, strict=True):
        chain = {s.get("Sid"): s for s in statements(template, f"{id}ChainRoleDefaultPolicy")}
        assert chain["ReadThePendingRequest"]["Resource"] == f"<SharedInputBucket6F69B92B.Arn>/{key}"
        handler = {s.get("Sid"): s for s in statements(template, f"{id}ProviderHandlerRoleDefaultPolicy")}
        assert handler["KeepThePendingRequest"]["Resource"] == f"<SharedInputBucket6F69B92B.Arn>/{key}"


def test_a_later_job_may_read_where_the_earlier_job_read_and_decrypt_with_its_keys() -> None:
    scope = stack()
    photos = s3.Bucket.from_bucket_name(scope, "Photos", "street-photos")
    key = kms.Key(scope, "Key", enable_key_rotation=True)
    buckets = LabelingBuckets(
        scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/", encryption_key=key
    )
    first = add_job(
        scope,
        "First",
        buckets=buckets,
        input=S3Data(photos, "cams/", data_type=DataType.IMAGE),
        output_kms_key_arn=LABELS_KEY,
        labels=["car"],
    )
    previous = PreviousJobOutput.of(first)
    assert previous.read_uris == ("s3://street-photos/cams/",)
    assert flat(scope, list(previous.key_arns)) == ["<Key961B73FD.Arn>", LABELS_KEY]
    _review(scope, TaskType.IMAGE_BOUNDING_BOX_VERIFICATION, previous)
    role = statements(synthesized(scope), "ReviewRoleDefaultPolicy")
    assert [s for s in role if "Sid" not in s] == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "<DataInputBucketA6A14AF4.Arn>/images/*"},
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": "<Key961B73FD.Arn>"},
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "<DataOutputBucket90385B5A.Arn>/labels/*"},
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:<AWS::Partition>:s3:::street-photos/cams/*"},
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": LABELS_KEY},
    ]


def test_an_existing_job_s_locations_and_key_are_granted_to_the_later_job() -> None:
    scope = stack()
    previous = PreviousJobOutput(
        job_name="existing-job-1",
        read_uris=("s3://old-labels/boxes/", "s3://old-data/"),
        key_arns=(LABELS_KEY,),
    )
    _adjustment_of_existing(scope, previous)
    role = statements(synthesized(scope), "ReviewRoleDefaultPolicy")
    assert [s for s in role if "Sid" not in s] == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:<AWS::Partition>:s3:::old-labels/boxes/*"},
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:<AWS::Partition>:s3:::old-data/*"},
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": LABELS_KEY},
    ]


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        (
            PreviousJobOutput(),
            "input.job_name: got [None, None]; give exactly one of job_name (one job) and job_name_prefix (the "
            "newest job of a LabelingJob)",
        ),
        (
            PreviousJobOutput(job_name="boxes-1a2b3c4d", job_name_prefix="boxes"),
            "input.job_name: got ['boxes-1a2b3c4d', 'boxes']; give exactly one of job_name (one job) and "
            "job_name_prefix (the newest job of a LabelingJob)",
        ),
        (
            PreviousJobOutput(job_name_prefix="bad_prefix"),
            "input.job_name_prefix: got 'bad_prefix'; 1-54 letters, digits and hyphens, starting and ending with a "
            "letter or digit",
        ),
        (
            PreviousJobOutput(job_name_prefix="x" * 55),
            f"input.job_name_prefix: got '{'x' * 55}'; 1-54 letters, digits and hyphens, starting and ending with a "
            "letter or digit",
        ),
        (
            PreviousJobOutput(job_name="existing-job-1", read_uris=("s3://old-data/a.jpg",)),
            "input.read_uris: got 's3://old-data/a.jpg'; an S3 location like s3://bucket/ or s3://bucket/prefix/",
        ),
        (
            PreviousJobOutput(job_name="existing-job-1", read_uris=("s3://old-data/images",)),
            "input.read_uris: got 's3://old-data/images'; an S3 location like s3://bucket/ or s3://bucket/prefix/",
        ),
        (
            PreviousJobOutput(job_name_prefix="Boxes"),
            "input.job_name_prefix: got 'Boxes'; must be lowercase (a LabelingJob's job name prefix is)",
        ),
        (
            PreviousJobOutput(job_name="existing-job-1", key_arns=("alias/labels",)),
            "input.key_arns: got 'alias/labels'; a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>",
        ),
    ],
    ids=[
        "neither",
        "both",
        "prefix-underscore",
        "prefix-too-long",
        "read-uri-of-an-object",
        "read-uri-without-slash",
        "prefix-uppercase",
        "key-alias",
    ],
)
def test_an_invalid_earlier_job_is_a_synth_error(previous: PreviousJobOutput, message: str) -> None:
    assert job_error(input=previous, labels=["car", "bus"]) == f"LabelingJob Test/Job: 1 invalid value:\n  - {message}"


def test_a_prefix_of_54_characters_is_followed() -> None:
    job = add_job(stack(), input=PreviousJobOutput(job_name_prefix="x" * 54), labels=["car", "bus"])
    assert job.chain is not None


# -- review findings: prefixes of their own, cross-stack reads under cdk-nag ------------------------------------


def test_a_job_may_not_follow_a_job_of_its_own_name_prefix() -> None:
    scope = stack()
    first = add_job(scope, "First", job_name_prefix="same")
    message = job_error(scope=scope, input=first, job_name_prefix="same", labels=["car", "bus"])
    assert message == (
        "LabelingJob Test/Job: 1 invalid value:\n"
        "  - job_name_prefix: got 'same'; a job that follows another needs a name prefix of its own: with the "
        "earlier job's, it would find its own jobs as the earlier one's"
    )


def test_long_default_prefixes_that_differ_past_the_cut_stay_different() -> None:
    scope = cdk.Stack(cdk.App(), "S" * 60, env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    first, second = add_job(scope, "JobA"), add_job(scope, "JobB")
    assert first.job_name_prefix != second.job_name_prefix
    assert all(len(job.job_name_prefix) <= 54 for job in (first, second))
    assert re.fullmatch(r"s{47}-[0-9a-f]{6}", first.job_name_prefix)


def test_reading_the_earlier_jobs_data_in_another_stack_passes_cdk_nag(tmp_path: Any) -> None:
    app = cdk.App(outdir=str(tmp_path), context=CDK_CONTEXT)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    first_stack, second_stack = cdk.Stack(app, "First", env=env), cdk.Stack(app, "Second", env=env)
    photos = LabelingBuckets(first_stack, "Photos", task_type=TaskType.IMAGE_BOUNDING_BOX)
    first = add_job(
        first_stack, "First", input=S3Data(photos.input_bucket, "pics/", data_type=DataType.IMAGE), labels=["a", "b"]
    )
    review = add_job(
        second_stack,
        "Review",
        TaskType.IMAGE_BOUNDING_BOX_VERIFICATION,
        input=first,
        labels=None,
        reviewed_label_attribute_name=None,
        label_attribute_name="checked",
    )
    assert review.chain is not None
    synth_under_cdk_nag(app, tmp_path)
