"""Every task type, synthesized in three regions and a region-agnostic stack.

One shared synthesis per (region, half of the catalogue): a stack holds at most 500 resources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from groundtruth_cdk import LabelingJob, TaskType
from groundtruth_cdk.regions import BUILT_IN_LAMBDA_ACCOUNTS, HUMAN_TASK_UI_ACCOUNT
from groundtruth_cdk.task_types import Cors, RefSuffix, UiKind
from tests.builders import PRIVATE_TEAM, add_job, flat_resolved, stack

REGIONS = ["us-east-1", "eu-central-1", "ap-southeast-2", None]
ALL = list(TaskType)
HALVES = (ALL[: len(ALL) // 2], ALL[len(ALL) // 2 :])


@dataclass
class Synthesized:
    """One job's view of a shared synthesis: plain JSON and logical ids, no jsii calls in the tests."""

    resources: dict[str, Any]
    mappings: dict[str, Any]
    ids: dict[str, str]
    job_id: str

    def properties(self, what: str) -> dict[str, Any]:
        return dict(self.resources[self.ids[what]]["Properties"])


def _logical_ids(scope: cdk.Stack, job: LabelingJob) -> dict[str, str]:
    buckets = job.node.scope.node.find_child(f"{job.node.id}Data")  # type: ignore[union-attr]
    provider = job.node.find_child("Provider")
    parts = {
        "job": job.resource.node.default_child,
        "role-policy": job.role.node.find_child("DefaultPolicy").node.default_child,
        "status-policy": provider.node.find_child("StatusRole").node.find_child("DefaultPolicy").node.default_child,
        **{which: buckets.node.find_child(which).node.default_child for which in BUCKETS},
    }
    return {what: scope.get_logical_id(construct) for what, construct in parts.items()}  # type: ignore[arg-type]


BUCKETS = ("InputBucket", "OutputBucket", "AccessLogsBucket")


@pytest.fixture(scope="module")
def synthesized() -> dict[tuple[str | None, TaskType], Synthesized]:
    result: dict[tuple[str | None, TaskType], Synthesized] = {}
    for region in REGIONS:
        for half, task_types in enumerate(HALVES):
            scope = stack(region, account=None if region is None else "123456789012", id=f"Half{half}")
            jobs = {task_type: add_job(scope, task_type.name.replace("_", ""), task_type) for task_type in task_types}
            template = Template.from_stack(scope).to_json()
            for task_type, job in jobs.items():
                result[(region, task_type)] = Synthesized(
                    template["Resources"], template.get("Mappings", {}), _logical_ids(scope, job), job.node.id
                )
    return result


CASES = [
    pytest.param(region, task_type, id=f"{region or 'agnostic'}-{task_type.value}")
    for region in REGIONS
    for task_type in ALL
]


@pytest.mark.parametrize(("region", "task_type"), CASES)
def test_request_names_the_regions_ground_truth_resources(
    synthesized: dict[tuple[str | None, TaskType], Synthesized], region: str | None, task_type: TaskType
) -> None:
    result = synthesized[(region, task_type)]
    spec = task_type.spec
    request = flat_resolved(result.properties("job")["LabelingJobRequest"])
    human = request["HumanTaskConfig"]
    region_text = region or "<AWS::Region>"
    if spec.lambda_suffix is None:
        assert human["PreHumanTaskLambdaArn"].endswith(":function:my-pre")
        assert human["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"].endswith(":function:my-acs")
    else:
        account = (
            BUILT_IN_LAMBDA_ACCOUNTS[region]
            if region
            else "<FindInMap GroundTruthBuiltInLambdaAccounts <AWS::Region> account>"
        )
        prefix = f"arn:<AWS::Partition>:lambda:{region_text}:{account}:function:"
        assert human["PreHumanTaskLambdaArn"] == f"{prefix}PRE-{spec.lambda_suffix}"
        assert (
            human["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"]
            == f"{prefix}ACS-{spec.lambda_suffix}"
        )
    if spec.ui is UiKind.HUMAN_TASK_UI:
        assert human["UiConfig"] == {
            "HumanTaskUiArn": f"arn:<AWS::Partition>:sagemaker:{region_text}:{HUMAN_TASK_UI_ACCOUNT}:"
            f"human-task-ui/{spec.human_task_ui}"
        }
    else:
        assert human["UiConfig"] == {}, "the handler fills UiTemplateS3Uri at deploy"
    assert human["WorkteamArn"] == PRIVATE_TEAM
    assert human["NumberOfHumanWorkersPerDataObject"] == 1
    assert human["TaskTimeLimitInSeconds"] == 300
    assert human["TaskAvailabilityLifetimeInSeconds"] == 864000
    attribute = request["LabelAttributeName"]
    assert attribute.endswith("-ref") == (spec.label_attribute_ref is RefSuffix.REQUIRED)
    assert request["OutputConfig"]["S3OutputPath"].endswith("/labels/")
    assert request["InputConfig"] == {"DataSource": {"S3DataSource": {}}}


@pytest.mark.parametrize(("region", "task_type"), CASES)
def test_resource_carries_template_label_config_and_manifest(
    synthesized: dict[tuple[str | None, TaskType], Synthesized], region: str | None, task_type: TaskType
) -> None:
    result = synthesized[(region, task_type)]
    spec = task_type.spec
    properties = result.properties("job")
    assert "LabelingJobRequest" in properties
    if spec.ui is UiKind.TEMPLATE:
        assert f"<{spec.crowd_element}" in properties["UiTemplate"]
    elif spec.ui is UiKind.CUSTOM_TEMPLATE:
        assert properties["UiTemplate"] == "<crowd-form>{{ task.input.taskObject }}</crowd-form>"
    else:
        assert "UiTemplate" not in properties
    config = json.loads(properties["LabelCategoryConfig"])
    key, version = spec.label_category_document
    assert config[key] == version
    assert [label["label"] for label in config["labels"]] == [f"label{n}" for n in range(max(spec.min_labels, 2))]
    assert ("instructions" in config) == (spec.ui is UiKind.HUMAN_TASK_UI)
    if spec.edits_allowed:
        assert config["auditLabelAttributeName"] == "earlier-labels-ref"
        assert config["editsAllowed"] == spec.edits_allowed
    manifest = json.loads(properties["ManifestLines"])
    assert all(spec.manifest_key in line for line in manifest)


@pytest.mark.parametrize(("region", "task_type"), CASES)
def test_buckets_get_the_task_types_cors_rule(
    synthesized: dict[tuple[str | None, TaskType], Synthesized], region: str | None, task_type: TaskType
) -> None:
    result = synthesized[(region, task_type)]
    cors = task_type.spec.cors
    input_bucket = result.properties("InputBucket")
    output_bucket = result.properties("OutputBucket")
    input_rules = input_bucket["CorsConfiguration"]["CorsRules"]
    if cors is Cors.READ:
        assert input_rules == [
            {
                "AllowedHeaders": [],
                "AllowedMethods": ["GET"],
                "AllowedOrigins": ["*"],
                "ExposedHeaders": ["Access-Control-Allow-Origin"],
            }
        ]
        assert "CorsConfiguration" not in output_bucket
    else:
        expected = [
            {
                "AllowedHeaders": ["*"],
                "AllowedMethods": ["GET", "HEAD", "PUT"],
                "AllowedOrigins": ["*"],
                "ExposedHeaders": ["Access-Control-Allow-Origin"],
                "MaxAge": 3000,
            }
        ]
        assert input_rules == expected
        assert output_bucket["CorsConfiguration"]["CorsRules"] == expected


def test_region_agnostic_stack_maps_every_supported_region(
    synthesized: dict[tuple[str | None, TaskType], Synthesized],
) -> None:
    mapping = synthesized[(None, TaskType.IMAGE_BOUNDING_BOX)].mappings["GroundTruthBuiltInLambdaAccounts"]
    assert mapping == {region: {"account": account} for region, account in BUILT_IN_LAMBDA_ACCOUNTS.items()}


def test_concrete_region_stack_has_no_mapping(synthesized: dict[tuple[str | None, TaskType], Synthesized]) -> None:
    assert synthesized[("eu-central-1", TaskType.IMAGE_BOUNDING_BOX)].mappings == {}


@pytest.mark.parametrize(("region", "task_type"), CASES)
def test_buckets_are_secure_and_retained(
    synthesized: dict[tuple[str | None, TaskType], Synthesized], region: str | None, task_type: TaskType
) -> None:
    result = synthesized[(region, task_type)]
    for which in ("InputBucket", "OutputBucket"):
        properties = result.properties(which)
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0] == {
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}
        }
        assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
        assert properties["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": result.ids["AccessLogsBucket"]}
    for which in BUCKETS:
        assert result.resources[result.ids[which]]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize(("region", "task_type"), CASES)
def test_iam_statements_are_exactly_the_jobs_needs(
    synthesized: dict[tuple[str | None, TaskType], Synthesized], region: str | None, task_type: TaskType
) -> None:
    result = synthesized[(region, task_type)]
    input_id, output_id = result.ids["InputBucket"], result.ids["OutputBucket"]
    region_text = region or "<AWS::Region>"
    account = "123456789012" if region else "<AWS::AccountId>"
    logs = f"arn:<AWS::Partition>:logs:{region_text}:{account}:log-group:/aws/sagemaker/LabelingJobs"
    expected_job_role = [
        {
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Effect": "Allow",
            "Resource": [f"<{input_id}.Arn>", f"<{output_id}.Arn>"],
            "Sid": "ListDataBuckets",
        },
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": f"<{input_id}.Arn>/*", "Sid": "ReadInputData"},
        {
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": f"<{output_id}.Arn>/labels/*",
            "Sid": "WriteLabels",
        },
        {"Action": "cloudwatch:PutMetricData", "Effect": "Allow", "Resource": "*", "Sid": "PublishJobMetrics"},
        {
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": [logs, f"{logs}:log-stream:*"],
            "Sid": "WriteJobLogs",
        },
    ]
    if task_type.spec.lambda_suffix is None:
        expected_job_role.append(
            {
                "Action": "lambda:InvokeFunction",
                "Effect": "Allow",
                "Resource": [
                    "arn:aws:lambda:us-east-1:123456789012:function:my-pre",
                    "arn:aws:lambda:us-east-1:123456789012:function:my-acs",
                ],
                "Sid": "InvokeCustomTaskLambdas",
            }
        )
    assert flat_resolved(result.properties("role-policy")["PolicyDocument"])["Statement"] == expected_job_role
    status = result.properties("status-policy")["PolicyDocument"]
    assert flat_resolved(status)["Statement"][0] == {
        "Action": ["sagemaker:DescribeLabelingJob", "sagemaker:StopLabelingJob"],
        "Effect": "Allow",
        "Resource": f"arn:<AWS::Partition>:sagemaker:{region_text}:{account}:labeling-job/"
        f"half{HALVES[1].count(task_type)}-{result.job_id.lower()}-????????",
        "Sid": "WatchThisLabelingJob",
    }
