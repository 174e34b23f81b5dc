"""LabelingBuckets: secure, retained buckets with the task type's CORS rule; existing buckets adopted."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from groundtruth_cdk import LabelingBuckets, TaskType
from tests.builders import stack


@pytest.fixture(scope="module")
def created() -> Template:
    scope = stack()
    LabelingBuckets(scope, "Data", task_type=TaskType.VIDEO_FRAME_OBJECT_TRACKING)
    return Template.from_stack(scope)


def _bucket(template: Template, logical_prefix: str) -> dict[str, object]:
    for logical_id, resource in template.find_resources("AWS::S3::Bucket").items():
        if logical_id.startswith(logical_prefix):
            return dict(resource)
    raise AssertionError(f"no bucket {logical_prefix}")


def test_creates_input_output_and_logs_buckets(created: Template) -> None:
    created.resource_count_is("AWS::S3::Bucket", 3)


@pytest.mark.parametrize("bucket", ["DataInputBucket", "DataOutputBucket", "DataAccessLogsBucket"])
def test_buckets_are_encrypted_private_and_retained(created: Template, bucket: str) -> None:
    resource = _bucket(created, bucket)
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"
    properties = resource["Properties"]
    assert properties["BucketEncryption"] == {  # type: ignore[index]
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert properties["PublicAccessBlockConfiguration"] == {  # type: ignore[index]
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


@pytest.mark.parametrize("bucket", ["DataInputBucket", "DataOutputBucket", "DataAccessLogsBucket"])
def test_buckets_deny_requests_without_ssl(created: Template, bucket: str) -> None:
    logical_id = next(k for k in created.find_resources("AWS::S3::Bucket") if k.startswith(bucket))
    created.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": logical_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Principal": {"AWS": "*"},
                            }
                        )
                    ]
                )
            },
        },
    )


@pytest.mark.parametrize("bucket", ["DataInputBucket", "DataOutputBucket", "DataAccessLogsBucket"])
def test_buckets_are_versioned(created: Template, bucket: str) -> None:
    assert _bucket(created, bucket)["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}  # type: ignore[index]


@pytest.mark.parametrize("bucket", ["DataInputBucket", "DataOutputBucket"])
def test_data_buckets_log_accesses_to_the_logs_bucket(created: Template, bucket: str) -> None:
    logs_id = next(k for k in created.find_resources("AWS::S3::Bucket") if k.startswith("DataAccessLogsBucket"))
    logging = _bucket(created, bucket)["Properties"]["LoggingConfiguration"]  # type: ignore[index]
    assert logging == {"DestinationBucketName": {"Ref": logs_id}, "LogFilePrefix": bucket.removeprefix("Data") + "/"}


def test_removal_policy_can_be_destroy_for_scratch_projects() -> None:
    scope = stack()
    LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, removal_policy=cdk.RemovalPolicy.DESTROY)
    for resource in Template.from_stack(scope).find_resources("AWS::S3::Bucket").values():
        assert resource["DeletionPolicy"] == "Delete"


def test_given_logs_bucket_is_used_instead_of_a_new_one() -> None:
    scope = stack()
    logs = s3.Bucket(scope, "Logs")
    LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, access_logs_bucket=logs)
    template = Template.from_stack(scope)
    template.resource_count_is("AWS::S3::Bucket", 3)
    assert not any(k.startswith("DataAccessLogsBucket") for k in template.find_resources("AWS::S3::Bucket"))


def test_existing_owned_bucket_gets_the_cors_rule() -> None:
    scope = stack()
    data = s3.Bucket(scope, "Existing")
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_SINGLE_LABEL, input_bucket=data)
    assert buckets.input_bucket is data
    Template.from_stack(scope).has_resource_properties(
        "AWS::S3::Bucket",
        {"CorsConfiguration": {"CorsRules": [Match.object_like({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]})]}},
    )


def test_imported_bucket_is_left_alone_with_a_cors_warning() -> None:
    scope = stack()
    imported = s3.Bucket.from_bucket_name(scope, "Imported", "team-data-bucket")
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_bucket=imported)
    assert buckets.artifacts_uri.startswith("s3://team-data-bucket/")
    Annotations.from_stack(scope).has_warning(
        "/Test/Data", Match.string_like_regexp("input_bucket is an imported bucket.*CORS rule allowing GET")
    )


def test_one_bucket_for_input_and_output_with_distinct_prefixes() -> None:
    scope = stack()
    shared = s3.Bucket(scope, "Shared")
    buckets = LabelingBuckets(
        scope,
        "Data",
        task_type=TaskType.IMAGE_BOUNDING_BOX,
        input_bucket=shared,
        output_bucket=shared,
        input_prefix="images/",
        output_prefix="labels/",
    )
    assert buckets.output_bucket is buckets.input_bucket
    assert scope.resolve(buckets.output_path_uri) == {
        "Fn::Join": ["", ["s3://", {"Ref": scope.get_logical_id(shared.node.default_child)}, "/labels/"]]
    }
