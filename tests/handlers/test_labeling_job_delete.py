"""on_event Delete: stop a running job, succeed for anything already over, never delete data."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from .builders import (
    ARTIFACTS_BUCKET,
    FRAMEWORK_FAILED_CREATE_MARKER,
    create_event,
    delete_event,
    describe_response,
    reference_name,
)

NAME = reference_name(create_event())


def _expect_describe(sagemaker: Stubber, status: str) -> None:
    sagemaker.add_response("describe_labeling_job", describe_response(NAME, status), {"LabelingJobName": NAME})


@pytest.mark.parametrize("status", ["Initializing", "InProgress"])
def test_a_running_job_is_stopped(handler: ModuleType, sagemaker: Stubber, status: str) -> None:
    _expect_describe(sagemaker, status)
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": NAME})

    assert handler.on_event(delete_event(NAME), None) == {"PhysicalResourceId": NAME}


@pytest.mark.parametrize("status", ["Completed", "Failed", "Stopped", "Stopping"])
def test_a_job_that_is_over_is_left_alone(handler: ModuleType, sagemaker: Stubber, status: str) -> None:
    _expect_describe(sagemaker, status)

    assert handler.on_event(delete_event(NAME), None) == {"PhysicalResourceId": NAME}


def test_delete_after_a_failed_create_succeeds(handler: ModuleType, sagemaker: Stubber) -> None:
    sagemaker.add_response(
        "describe_labeling_job",
        describe_response(NAME, "Failed", failure_reason="ClientError: manifest not found"),
        {"LabelingJobName": NAME},
    )

    assert handler.on_event(delete_event(NAME), None) == {"PhysicalResourceId": NAME}


def test_a_job_that_does_not_exist_is_a_success(handler: ModuleType, sagemaker: Stubber) -> None:
    sagemaker.add_client_error(
        "describe_labeling_job", "ResourceNotFound", "Job not found", 400, None, {"LabelingJobName": NAME}
    )

    assert handler.on_event(delete_event(NAME), None) == {"PhysicalResourceId": NAME}


def test_a_job_gone_before_stop_is_a_success(handler: ModuleType, sagemaker: Stubber) -> None:
    _expect_describe(sagemaker, "InProgress")
    sagemaker.add_client_error(
        "stop_labeling_job", "ResourceNotFound", "Job not found", 400, None, {"LabelingJobName": NAME}
    )

    assert handler.on_event(delete_event(NAME), None) == {"PhysicalResourceId": NAME}


@pytest.mark.parametrize(
    "physical_id",
    [
        FRAMEWORK_FAILED_CREATE_MARKER,
        "",
        "x" * 64,
        "not_a_job_name",
        "arn:aws:sagemaker:us-east-1:1:labeling-job/x",
    ],
)
def test_a_physical_id_that_is_not_a_job_name_needs_no_call(
    handler: ModuleType, sagemaker: Stubber, physical_id: str
) -> None:
    assert handler.on_event(delete_event(physical_id), None) == {"PhysicalResourceId": physical_id}


def test_throttled_calls_are_retried(handler: ModuleType, sagemaker: Stubber, sleeps: list[float]) -> None:
    sagemaker.add_client_error(
        "describe_labeling_job", "ThrottlingException", "Rate exceeded", 400, None, {"LabelingJobName": NAME}
    )
    _expect_describe(sagemaker, "InProgress")
    sagemaker.add_client_error(
        "stop_labeling_job", "ServiceUnavailable", "try later", 503, None, {"LabelingJobName": NAME}
    )
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": NAME})

    assert handler.on_event(delete_event(NAME), None) == {"PhysicalResourceId": NAME}
    assert len(sleeps) == 2


@pytest.mark.parametrize("operation", ["describe_labeling_job", "stop_labeling_job"])
def test_other_errors_fail_the_delete(handler: ModuleType, sagemaker: Stubber, operation: str) -> None:
    if operation == "stop_labeling_job":
        _expect_describe(sagemaker, "InProgress")
    sagemaker.add_client_error(
        operation, "AccessDeniedException", "not authorized to stop", 400, None, {"LabelingJobName": NAME}
    )

    with pytest.raises(handler.LabelingJobError, match="not authorized to stop"):
        handler.on_event(delete_event(NAME), None)


def test_delete_never_removes_data(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=f"labeling/inputs/{NAME}/input.manifest", Body=b"{}\n")
    _expect_describe(sagemaker, "InProgress")
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": NAME})

    handler.on_event(delete_event(NAME), None)

    assert s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET)["KeyCount"] == 1
