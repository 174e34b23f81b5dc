"""Customer managed keys: SSE-KMS buckets, the output key of the job, and exactly the key permissions needed."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from groundtruth_cdk import LabelingBuckets, PreviousJobOutput, TaskType
from groundtruth_cdk.role import ENCRYPT_ACTIONS
from tests.builders import (
    ACCOUNT,
    acknowledged_rules,
    actions_of,
    add_job,
    all_statements,
    job_error,
    job_properties,
    one_of_type,
    stack,
    statements,
    synthesized,
)

LABELS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
SSE_KMS_RULES = {f"{pack}-S3DefaultEncryptionKMS" for pack in ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")}
REPLICATION_RULES = {
    f"{pack}-S3BucketReplicationEnabled" for pack in ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
}


def _key_statements(template: dict[str, Any], logical_prefix: str) -> list[dict[str, Any]]:
    return [s for s in statements(template, logical_prefix) if actions_of(s)[0].startswith("kms:")]


def _encrypt(resource: str) -> dict[str, Any]:
    return {"Action": sorted(ENCRYPT_ACTIONS), "Effect": "Allow", "Resource": resource}


@pytest.fixture(scope="module")
def one_key() -> tuple[LabelingBuckets, kms.Key, dict[str, Any]]:
    """Buckets created with one customer key, and a job using them."""
    scope = stack()
    key = kms.Key(scope, "DataKey", enable_key_rotation=True)
    buckets = LabelingBuckets(
        scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/", encryption_key=key
    )
    add_job(scope, buckets=buckets)
    return buckets, key, synthesized(scope)


@pytest.fixture(scope="module")
def two_keys() -> dict[str, Any]:
    """An existing input bucket with its own key, a created output bucket with another, and a chained job."""
    scope = stack()
    data_key = kms.Key(scope, "InputKey", enable_key_rotation=True)
    data = s3.Bucket(scope, "Lake", encryption=s3.BucketEncryption.KMS, encryption_key=data_key, enforce_ssl=True)
    labels_key = kms.Key(scope, "LabelsKey", enable_key_rotation=True)
    buckets = LabelingBuckets(
        scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_bucket=data, encryption_key=labels_key
    )
    add_job(scope, buckets=buckets)
    add_job(scope, "Explicit", buckets=buckets, output_kms_key_arn=LABELS_KEY)
    add_job(
        scope,
        "Review",
        task_type=TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT,
        buckets=buckets,
        input=PreviousJobOutput("vehicles-job-1", label_attribute_name="vehicles", labels=("car", "bus")),
        reviewed_label_attribute_name=None,
    )
    return synthesized(scope)


@pytest.mark.parametrize("bucket", ["DataInputBucket", "DataOutputBucket"])
def test_created_buckets_use_the_key_with_bucket_keys(
    one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]], bucket: str
) -> None:
    _, _, template = one_key
    _, resource = one_of_type(template, "AWS::S3::Bucket", bucket)
    assert resource["Properties"]["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {
                "BucketKeyEnabled": True,
                "ServerSideEncryptionByDefault": {"KMSMasterKeyID": "<DataKey17AFBB84.Arn>", "SSEAlgorithm": "aws:kms"},
            }
        ]
    }


def test_the_logs_bucket_stays_sse_s3(one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]]) -> None:
    _, _, template = one_key
    _, resource = one_of_type(template, "AWS::S3::Bucket", "DataAccessLogsBucket")
    assert resource["Properties"]["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }


def test_the_sse_kms_exemption_is_not_acknowledged_on_kms_buckets(
    one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]],
) -> None:
    buckets, _, _ = one_key
    for bucket in (buckets.input_bucket, buckets.output_bucket):
        rules = acknowledged_rules(bucket.node.default_child)
        assert rules >= REPLICATION_RULES
        assert not rules & SSE_KMS_RULES
    assert buckets.access_logs_bucket is not None
    assert acknowledged_rules(buckets.access_logs_bucket.node.default_child) >= SSE_KMS_RULES


def test_the_sse_kms_exemption_stays_on_sse_s3_buckets() -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX)
    for bucket in (buckets.input_bucket, buckets.output_bucket):
        assert acknowledged_rules(bucket.node.default_child) >= SSE_KMS_RULES


def test_the_role_reads_and_writes_with_the_bucket_key(
    one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]],
) -> None:
    _, _, template = one_key
    assert _key_statements(template, "JobRoleDefaultPolicy") == [
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": "<DataKey17AFBB84.Arn>"},
        _encrypt("<DataKey17AFBB84.Arn>"),
    ]


def test_labels_are_written_with_the_output_buckets_key(
    one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]],
) -> None:
    _, _, template = one_key
    assert job_properties(template, "Job")["LabelingJobRequest"]["OutputConfig"] == {
        "S3OutputPath": "s3://<DataOutputBucket90385B5A>/labels/",
        "KmsKeyId": "<DataKey17AFBB84.Arn>",
    }


def test_the_handler_may_write_job_inputs_with_the_input_key(
    one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]],
) -> None:
    _, _, template = one_key
    assert _key_statements(template, "JobProviderHandlerRoleDefaultPolicy") == [
        {
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Resource": "<DataKey17AFBB84.Arn>",
        }
    ]


def test_no_create_grant_without_a_volume_key(
    one_key: tuple[LabelingBuckets, kms.Key, dict[str, Any]], two_keys: dict[str, Any]
) -> None:
    for template in (one_key[2], two_keys):
        assert [s for s in all_statements(template) if "kms:CreateGrant" in actions_of(s)] == []


def test_an_input_only_key_is_granted_decrypt_only(two_keys: dict[str, Any]) -> None:
    assert _key_statements(two_keys, "JobRoleDefaultPolicy") == [
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": "<InputKey9131D139.Arn>"},
        _encrypt("<LabelsKey9AFCA0D2.Arn>"),
    ]
    assert job_properties(two_keys, "Job")["LabelingJobRequest"]["OutputConfig"]["KmsKeyId"] == (
        "<LabelsKey9AFCA0D2.Arn>"
    )


def test_an_explicit_output_key_wins_and_the_role_may_encrypt_with_it(two_keys: dict[str, Any]) -> None:
    assert job_properties(two_keys, "Explicit")["LabelingJobRequest"]["OutputConfig"]["KmsKeyId"] == LABELS_KEY
    assert _key_statements(two_keys, "ExplicitRoleDefaultPolicy") == [
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": "<InputKey9131D139.Arn>"},
        _encrypt("<LabelsKey9AFCA0D2.Arn>"),
        _encrypt(LABELS_KEY),
    ]


def test_the_chain_function_may_decrypt_the_pending_request(two_keys: dict[str, Any]) -> None:
    chain = {s.get("Sid"): s for s in statements(two_keys, "ReviewChainRoleDefaultPolicy")}
    assert chain["DecryptThePendingRequest"] == {
        "Action": "kms:Decrypt",
        "Effect": "Allow",
        "Resource": "<InputKey9131D139.Arn>",
        "Sid": "DecryptThePendingRequest",
    }
    assert [s for s in all_statements(two_keys) if s.get("Sid") == "ReadThePendingRequest"] == [
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Resource": "<Lake5F1B88EA.Arn>/groundtruth-cdk/chains/test-review-c8622e57.json",
            "Sid": "ReadThePendingRequest",
        }
    ]


def test_without_customer_keys_no_key_is_named() -> None:
    scope = stack()
    add_job(scope)
    template = synthesized(scope)
    assert "KmsKeyId" not in job_properties(template, "Job")["LabelingJobRequest"]["OutputConfig"]
    assert [s for s in all_statements(template) if any(a.startswith("kms:") for a in actions_of(s))] == []


def test_an_output_key_without_kms_buckets_is_granted_to_the_role() -> None:
    scope = stack()
    add_job(scope, output_kms_key_arn=LABELS_KEY)
    template = synthesized(scope)
    assert job_properties(template, "Job")["LabelingJobRequest"]["OutputConfig"]["KmsKeyId"] == LABELS_KEY
    assert _key_statements(template, "JobRoleDefaultPolicy") == [_encrypt(LABELS_KEY)]


def test_an_output_key_token_is_accepted() -> None:
    scope = stack()
    key = kms.Key(scope, "Labels", enable_key_rotation=True)
    job = add_job(scope, output_kms_key_arn=key.key_arn)
    assert cdk.Token.is_unresolved(job.request["OutputConfig"]["KmsKeyId"])


@pytest.mark.parametrize(
    "arn",
    [
        "alias/labels",
        "0000aaaa-12ab-34cd-56ef-1234567890ab",
        f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/labels",
        f"arn:aws:s3:::bucket/{ACCOUNT}",
    ],
)
def test_a_bad_output_key_is_a_synth_error(arn: str) -> None:
    assert f"output_kms_key_arn: got {arn!r}; a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>" in (
        job_error(output_kms_key_arn=arn)
    )
