"""Streaming jobs (an SNS input topic): created without a manifest, complete once running, stopped on Delete."""

from __future__ import annotations

import copy
import logging
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from .builders import (
    ACCOUNT,
    ARTIFACTS_BUCKET,
    INPUT_TOPIC,
    OUTPUT_TOPIC,
    REGION,
    artifact_uri,
    create_event,
    delete_event,
    expect_describe,
    expected_data,
    is_complete_event,
    job_arn,
    properties,
    reference_name,
    streaming_queue,
    streaming_string_request,
    typed_request,
)

KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _streaming_properties(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"LabelingJobRequest": streaming_string_request(), "ManifestLines": None}
    values.update(overrides)
    return properties(**values)


def _typed_streaming_request(name: str, *, manifest: str | None = None) -> dict[str, Any]:
    """The CreateLabelingJob request of a streaming job: the SNS topics, no S3 data source unless a manifest."""
    request = typed_request(name)
    request["InputConfig"]["DataSource"] = {"SnsDataSource": {"SnsTopicArn": INPUT_TOPIC}}
    if manifest is not None:
        request["InputConfig"]["DataSource"]["S3DataSource"] = {"ManifestS3Uri": manifest}
    request["OutputConfig"]["SnsTopicArn"] = OUTPUT_TOPIC
    del request["StoppingConditions"]
    return request


def _streaming_data(name: str) -> dict[str, str]:
    return {**expected_data(name), "StreamingQueueName": streaming_queue(name)}


@pytest.mark.parametrize("s3_data_source", [None, {}], ids=["no-s3-source", "empty-s3-source"])
def test_a_streaming_job_is_created_without_a_manifest(
    handler: ModuleType, sagemaker: Stubber, s3: Any, s3_data_source: Any
) -> None:
    event = create_event(
        _streaming_properties(LabelingJobRequest=streaming_string_request(s3_data_source=s3_data_source))
    )
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, _typed_streaming_request(name))

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": _streaming_data(name), "AdoptedExistingJob": False}
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET)["Contents"])
    assert keys == [f"labeling/inputs/{name}/label-categories.json", f"labeling/inputs/{name}/template.liquid"]


def test_a_streaming_job_needs_no_artifacts_at_all(handler: ModuleType, sagemaker: Stubber) -> None:
    string_request = streaming_string_request()
    string_request["HumanTaskConfig"]["UiConfig"]["HumanTaskUiArn"] = (
        "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/BoundingBox"
    )
    string_request["LabelCategoryConfigS3Uri"] = "s3://in/labels.json"
    props = _streaming_properties(
        LabelingJobRequest=string_request, ArtifactsS3Uri=None, LabelCategoryConfig=None, UiTemplate=None
    )
    event = create_event(props)
    name = reference_name(event)
    expected = _typed_streaming_request(name)
    expected["HumanTaskConfig"]["UiConfig"] = {
        "HumanTaskUiArn": string_request["HumanTaskConfig"]["UiConfig"]["HumanTaskUiArn"]
    }
    expected["LabelCategoryConfigS3Uri"] = "s3://in/labels.json"
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    assert handler.on_event(event, None)["Data"] == _streaming_data(name)


def test_a_streaming_job_may_start_with_a_manifest(handler: ModuleType, sagemaker: Stubber) -> None:
    props = _streaming_properties(
        LabelingJobRequest=streaming_string_request(s3_data_source={}), ManifestLines=properties()["ManifestLines"]
    )
    event = create_event(props)
    name = reference_name(event)
    expected = _typed_streaming_request(name, manifest=artifact_uri(name, "input.manifest"))
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    handler.on_event(event, None)


def test_encryption_and_vpc_settings_are_sent_with_their_types(handler: ModuleType, sagemaker: Stubber) -> None:
    string_request = streaming_string_request()
    string_request["OutputConfig"]["KmsKeyId"] = KMS_KEY
    string_request["LabelingJobAlgorithmsConfig"] = {
        "LabelingJobAlgorithmSpecificationArn": (
            f"arn:aws:sagemaker:{REGION}:027400017018:labeling-job-algorithm-specification/object-detection"
        ),
        "LabelingJobResourceConfig": {
            "VolumeKmsKeyId": KMS_KEY,
            "VpcConfig": {"SecurityGroupIds": ["sg-0123abcd"], "Subnets": ["subnet-0123abcd", "subnet-4567ef01"]},
        },
    }
    event = create_event(_streaming_properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    expected = _typed_streaming_request(name)
    expected["OutputConfig"]["KmsKeyId"] = KMS_KEY
    expected["LabelingJobAlgorithmsConfig"] = copy.deepcopy(string_request["LabelingJobAlgorithmsConfig"])
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    handler.on_event(event, None)


def test_a_job_without_a_topic_has_no_streaming_queue(handler: ModuleType, sagemaker: Stubber) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    assert "StreamingQueueName" not in handler.on_event(event, None)["Data"]


def test_the_streaming_queue_is_named_after_the_job_in_lower_case(handler: ModuleType, sagemaker: Stubber) -> None:
    string_request = streaming_string_request()
    string_request["LabelingJobName"] = "Cars-Stream"
    event = create_event(_streaming_properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    expected = _typed_streaming_request(name)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    data = handler.on_event(event, None)["Data"]

    assert data["StreamingQueueName"] == f"GroundTruth-cars-stream-{name[-8:]}"


NAME = reference_name(create_event(_streaming_properties()))


def test_is_complete_waits_for_the_streaming_job_to_run(handler: ModuleType, sagemaker: Stubber) -> None:
    expect_describe(sagemaker, NAME, "Initializing")
    expect_describe(sagemaker, NAME, "InProgress")
    event = is_complete_event("Create", NAME, Data=_streaming_data(NAME), AdoptedExistingJob=False)

    assert handler.is_complete(event, None) == {"IsComplete": False}
    assert handler.is_complete(event, None) == {"IsComplete": True, "Data": _streaming_data(NAME)}


def test_delete_stops_a_running_streaming_job_and_names_the_queue_left_behind(
    handler: ModuleType, sagemaker: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    expect_describe(sagemaker, NAME, "InProgress")
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": NAME})

    with caplog.at_level(logging.INFO, logger=handler.LOGGER.name):
        assert handler.on_event(delete_event(NAME, _streaming_properties()), None) == {"PhysicalResourceId": NAME}

    assert streaming_queue(NAME) in caplog.text


def test_is_complete_on_delete_waits_until_the_streaming_job_stopped(handler: ModuleType, sagemaker: Stubber) -> None:
    for status in ("InProgress", "Stopping", "Stopped"):
        expect_describe(sagemaker, NAME, status)
        if status == "InProgress":  # on_event's stop not visible yet: asked again, and refused as stopping
            sagemaker.add_client_error(
                "stop_labeling_job", "ValidationException", "already stopping", 400, None, {"LabelingJobName": NAME}
            )
    event = is_complete_event("Delete", NAME)

    assert [handler.is_complete(event, None)["IsComplete"] for _ in range(3)] == [False, False, True]
