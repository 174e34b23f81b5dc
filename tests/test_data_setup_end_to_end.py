"""Construct and deploy-time handler agree: ``S3Data`` and manifest queries, from synth to CreateLabelingJob.

The construct synthesizes the ``DataSetup`` property; CloudFormation's evaluation and stringification
are emulated; the real handler lists moto's S3, writes the manifest and calls a stubbed
CreateLabelingJob, whose request botocore validates against the API model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from botocore.stub import Stubber
from moto import mock_aws

from groundtruth_cdk import DataType, LabelingBuckets, LabelingJob, ManifestInput, OnMismatch, S3Data, TaskType
from groundtruth_cdk.handlers.labeling_job import index
from tests.builders import ACCOUNT, as_cloudformation_sends, job_kwargs

STACK_ID = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/e2e/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
DATA = "data-bucket"
ARTIFACTS = "artifacts-bucket"


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with mock_aws():
        session = boto3.session.Session()
        created = {
            service: session.client(service, region_name="us-east-1", config=index._CLIENT_CONFIG)
            for service in ("s3", "sagemaker")
        }
        for bucket in (DATA, ARTIFACTS):
            created["s3"].create_bucket(Bucket=bucket)
        monkeypatch.setattr(index, "_CLIENTS", created)
        monkeypatch.setattr(index, "_sleep", lambda _: None)
        yield created


def _deploy(clients: dict[str, Any], task_type: TaskType, input: Any) -> tuple[dict[str, Any], list[str]]:
    """Synthesize a job with ``input``, run the Create through the handler, return Data and manifest lines."""
    stack = cdk.Stack(cdk.App(), "E2e", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    data = s3.Bucket.from_bucket_name(stack, "Data", DATA)
    artifacts = s3.Bucket.from_bucket_name(stack, "Artifacts", ARTIFACTS)
    buckets = LabelingBuckets(stack, "Buckets", task_type=task_type, input_bucket=artifacts, output_bucket=data,
                              output_prefix="labels/")  # fmt: skip
    job = LabelingJob(stack, "Job", buckets=buckets, role=f"arn:aws:iam::{ACCOUNT}:role/R",
                      **job_kwargs(task_type, input=input(data) if callable(input) else input))  # fmt: skip
    template = Template.from_stack(stack).to_json()
    logical_id = stack.get_logical_id(job.resource.node.default_child)  # type: ignore[arg-type]
    properties = as_cloudformation_sends(template, template["Resources"][logical_id]["Properties"])
    with Stubber(clients["sagemaker"]) as stubber:
        stubber.add_response(
            "create_labeling_job", {"LabelingJobArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:labeling-job/x"}, None
        )
        response = index.on_event(
            {
                "RequestType": "Create",
                "RequestId": "r",
                "StackId": STACK_ID,
                "LogicalResourceId": logical_id,
                "ResourceType": "Custom::LabelingJob",
                "ResourceProperties": properties,
            },
            None,
        )
        stubber.assert_no_pending_responses()
    name = response["PhysicalResourceId"]
    body = clients["s3"].get_object(Bucket=ARTIFACTS, Key=f"groundtruth-cdk/{name}/input.manifest")["Body"].read()
    return response["Data"], [
        json.loads(line)["source-ref" if b"source-ref" in line else "source"] for line in body.splitlines()
    ]


def test_images_found_under_a_prefix_become_the_manifest(clients: dict[str, Any]) -> None:
    for key in ("images/a.jpg", "images/night/b.PNG", "images/notes.txt", "other/c.jpg"):
        clients["s3"].put_object(Bucket=DATA, Key=key, Body=b"x")
    data, lines = _deploy(
        clients,
        TaskType.IMAGE_BOUNDING_BOX,
        lambda bucket: S3Data(bucket, "images/", data_type=DataType.IMAGE, on_mismatch=OnMismatch.SKIP),
    )
    assert sorted(lines) == [f"s3://{DATA}/images/a.jpg", f"s3://{DATA}/images/night/b.PNG"]
    assert data["ObjectCount"] == "2"
    assert data["SkippedObjectCount"] == "1"


def test_csv_column_sampled_text(clients: dict[str, Any]) -> None:
    rows = "review,stars\n" + "".join(f"review number {n},5\n" for n in range(200))
    clients["s3"].put_object(Bucket=DATA, Key="reviews/2026.csv", Body=rows.encode())
    data, lines = _deploy(
        clients,
        TaskType.TEXT_SINGLE_LABEL,
        lambda bucket: S3Data(bucket, "reviews/", data_type=DataType.TEXT, text_column="review", sample_percent=50),
    )
    assert 60 <= len(lines) <= 140
    assert all(line.startswith("review number ") for line in lines)
    assert data["ObjectCount"] == str(len(lines))


def test_manifest_query_selects_lines(clients: dict[str, Any]) -> None:
    source = "".join(
        json.dumps({"source-ref": f"s3://{DATA}/{n}.jpg", "camera": "front" if n % 2 else "rear"}) + "\n"
        for n in range(10)
    )
    clients["s3"].put_object(Bucket=DATA, Key="all.manifest", Body=source.encode())
    _, lines = _deploy(
        clients, TaskType.IMAGE_BOUNDING_BOX, ManifestInput(f"s3://{DATA}/all.manifest", where={"camera": "fr*"})
    )
    assert lines == [f"s3://{DATA}/{n}.jpg" for n in (1, 3, 5, 7, 9)]
