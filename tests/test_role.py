"""The execution role and the handler role: the exact IAM statements, least privilege."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from groundtruth_cdk import LabelingBuckets, LabelingJobRole, ManifestInput, S3Access, TaskType
from tests.builders import ACCOUNT, add_job, flat, stack


def _policy(scope: cdk.Stack, template: Template, logical_prefix: str) -> list[dict[str, Any]]:
    for logical_id, resource in template.find_resources("AWS::IAM::Policy").items():
        if logical_id.startswith(logical_prefix):
            return list(flat(scope, resource["Properties"]["PolicyDocument"])["Statement"])
    raise AssertionError(f"no policy {logical_prefix}")


def _flat_template(scope: cdk.Stack) -> tuple[cdk.Stack, Template]:
    return scope, Template.from_stack(scope)


LOGS = f"arn:<AWS::Partition>:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/LabelingJobs"
COMMON = [
    {"Action": "cloudwatch:PutMetricData", "Effect": "Allow", "Resource": "*", "Sid": "PublishJobMetrics"},
    {
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "Effect": "Allow",
        "Resource": [LOGS, f"{LOGS}:log-stream:*"],
        "Sid": "WriteJobLogs",
    },
]


@pytest.fixture(scope="module")
def default_job() -> tuple[cdk.Stack, Template]:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
    add_job(scope, buckets=buckets)
    return _flat_template(scope)


def test_execution_role_is_scoped_to_the_buckets_and_prefixes(default_job: tuple[cdk.Stack, Template]) -> None:
    scope, template = default_job
    assert _policy(scope, template, "JobRoleDefaultPolicy") == [
        {
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Effect": "Allow",
            "Resource": ["<DataInputBucketA6A14AF4.Arn>", "<DataOutputBucket90385B5A.Arn>"],
            "Sid": "ListDataBuckets",
        },
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Resource": ["<DataInputBucketA6A14AF4.Arn>/images/*", "<DataInputBucketA6A14AF4.Arn>/groundtruth-cdk/*"],
            "Sid": "ReadInputData",
        },
        {
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": "<DataOutputBucket90385B5A.Arn>/labels/*",
            "Sid": "WriteLabels",
        },
        *COMMON,
    ]


def test_execution_role_trusts_sagemaker_and_has_no_managed_policy(default_job: tuple[cdk.Stack, Template]) -> None:
    _, template = default_job
    roles = template.find_resources(
        "AWS::IAM::Role",
        {
            "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": "sagemaker.amazonaws.com"}}]}
            }
        },
    )
    assert len(roles) == 1
    for resource in template.find_resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in resource["Properties"]


def test_handler_may_manage_only_this_job_and_pass_only_this_role(default_job: tuple[cdk.Stack, Template]) -> None:
    scope, template = default_job
    statements = _policy(scope, template, "JobProviderHandlerRoleDefaultPolicy")
    assert statements == [
        {
            "Action": [
                "sagemaker:AddTags",
                "sagemaker:CreateLabelingJob",
                "sagemaker:DescribeLabelingJob",
                "sagemaker:StopLabelingJob",
            ],
            "Effect": "Allow",
            "Resource": f"arn:<AWS::Partition>:sagemaker:us-east-1:{ACCOUNT}:labeling-job/test-job-????????",
            "Sid": "ManageThisLabelingJob",
        },
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": "<JobRole91B66391.Arn>",
            "Sid": "PassTheJobRoleToSageMaker",
        },
        {
            "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": "<DataInputBucketA6A14AF4.Arn>/groundtruth-cdk/*",
            "Sid": "WriteJobInputs",
        },
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": "<JobProviderOnEventLogs11C4C4A7.Arn>",
        },
    ]


def test_status_handler_may_only_describe_and_stop_this_job(default_job: tuple[cdk.Stack, Template]) -> None:
    scope, template = default_job
    assert _policy(scope, template, "JobProviderStatusRoleDefaultPolicy") == [
        {
            "Action": ["sagemaker:DescribeLabelingJob", "sagemaker:StopLabelingJob"],
            "Effect": "Allow",
            "Resource": f"arn:<AWS::Partition>:sagemaker:us-east-1:{ACCOUNT}:labeling-job/test-job-????????",
            "Sid": "WatchThisLabelingJob",
        },
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": "<JobProviderIsCompleteLogsA33F4094.Arn>",
        },
    ]


def test_job_waits_for_the_roles_permissions(default_job: tuple[cdk.Stack, Template]) -> None:
    _, template = default_job
    template.has_resource(
        "Custom::LabelingJob", {"DependsOn": Match.array_with([Match.string_like_regexp("^JobRoleDefaultPolicy")])}
    )


def test_handlers_run_on_the_latest_python_with_a_bounded_wait(default_job: tuple[cdk.Stack, Template]) -> None:
    _, template = default_job
    handlers = template.find_resources("AWS::Lambda::Function", {"Properties": {"Runtime": "python3.14"}})
    assert sorted(r["Properties"]["Handler"] for r in handlers.values()) == ["index.is_complete", "index.on_event"]
    template.has_resource_properties("Custom::LabelingJob", {"ServiceTimeout": "2220"})


def test_manifest_outside_the_input_prefix_becomes_readable() -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
    add_job(scope, buckets=buckets, input=ManifestInput("s3://other-bucket/manifests/in.manifest"))
    statements = _policy(scope, Template.from_stack(scope), "JobRoleDefaultPolicy")
    assert {
        "Action": "s3:GetObject",
        "Effect": "Allow",
        "Resource": "arn:<AWS::Partition>:s3:::other-bucket/manifests/in.manifest",
    } in statements


def test_all_buckets_is_an_explicit_opt_in_with_a_warning() -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX)
    role = LabelingJobRole(scope, "Wide", buckets=buckets, s3_access=S3Access.ALL_BUCKETS)
    add_job(scope, buckets=buckets, role=role)
    statements = _policy(scope, Template.from_stack(scope), "WideDefaultPolicy")
    assert statements[:2] == [
        {
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Effect": "Allow",
            "Resource": "arn:<AWS::Partition>:s3:::*",
            "Sid": "ListAllBuckets",
        },
        {
            "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            "Effect": "Allow",
            "Resource": "arn:<AWS::Partition>:s3:::*/*",
            "Sid": "ReadWriteAllBuckets",
        },
    ]
    Annotations.from_stack(scope).has_warning("/Test/Wide", Match.string_like_regexp("every S3 bucket"))


def test_custom_lambdas_are_the_only_invocable_functions() -> None:
    scope = stack()
    add_job(scope, task_type=TaskType.CUSTOM)
    statements = _policy(scope, Template.from_stack(scope), "JobRoleDefaultPolicy")
    assert statements[-1] == {
        "Action": "lambda:InvokeFunction",
        "Effect": "Allow",
        "Resource": [
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-pre",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-acs",
        ],
        "Sid": "InvokeCustomTaskLambdas",
    }


def test_a_key_only_the_input_bucket_uses_is_granted_for_reading() -> None:
    scope = stack()
    key = kms.Key(scope, "Key", enable_key_rotation=True)
    data = s3.Bucket(scope, "Existing", encryption_key=key, encryption=s3.BucketEncryption.KMS)
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_bucket=data)
    add_job(scope, buckets=buckets)
    statements = _policy(scope, Template.from_stack(scope), "JobRoleDefaultPolicy")
    kms_statements = [s for s in statements if "kms:" in str(s["Action"])]
    assert kms_statements == [
        {
            "Action": "kms:Decrypt",
            "Effect": "Allow",
            "Resource": f"<{scope.get_logical_id(key.node.default_child)}.Arn>",  # type: ignore[arg-type]
        }
    ]


@pytest.mark.parametrize("as_arn", [True, False])
def test_existing_role_is_used_unchanged(as_arn: bool) -> None:
    scope = stack()
    arn = f"arn:aws:iam::{ACCOUNT}:role/TeamLabelingRole"
    role: Any = arn if as_arn else iam.Role.from_role_arn(scope, "Team", arn, mutable=False)
    job = add_job(scope, role=role)
    template = Template.from_stack(scope)
    assert flat(scope, job.request)["RoleArn"] == arn
    assert not any(k.startswith("JobRole") for k in template.find_resources("AWS::IAM::Role"))
