"""is_complete: wait while the job initializes, succeed once it runs, fail if it failed or was stopped."""

from __future__ import annotations

import json
from types import ModuleType

import pytest
from botocore.stub import Stubber

from .builders import (
    cloudformation_response,
    create_event,
    describe_response,
    expected_data,
    is_complete_event,
    reference_name,
)

NAME = reference_name(create_event())


def _expect_describe(sagemaker: Stubber, status: str, failure_reason: str | None = None) -> None:
    sagemaker.add_response(
        "describe_labeling_job",
        describe_response(NAME, status, failure_reason=failure_reason),
        {"LabelingJobName": NAME},
    )


def _event(request_type: str = "Create", **on_event_result: object) -> dict[str, object]:
    return is_complete_event(request_type, NAME, Data=expected_data(NAME), **on_event_result)


@pytest.mark.parametrize(
    ("status", "complete"),
    [("Stopping", False), ("Stopped", True), ("Completed", True), ("Failed", True)],
)
def test_delete_waits_until_the_job_has_stopped(
    handler: ModuleType, sagemaker: Stubber, status: str, complete: bool
) -> None:
    _expect_describe(sagemaker, status)

    assert handler.is_complete(_event("Delete"), None) == {"IsComplete": complete}


def test_delete_of_a_vanished_job_or_a_failed_create_is_complete(handler: ModuleType, sagemaker: Stubber) -> None:
    sagemaker.add_client_error(
        "describe_labeling_job", "ResourceNotFound", "gone", 400, None, {"LabelingJobName": NAME}
    )
    assert handler.is_complete(_event("Delete"), None) == {"IsComplete": True}
    marker = is_complete_event("Delete", "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED")
    assert handler.is_complete(marker, None) == {"IsComplete": True}


def test_an_initializing_job_is_not_complete(handler: ModuleType, sagemaker: Stubber) -> None:
    _expect_describe(sagemaker, "Initializing")

    assert handler.is_complete(_event(), None) == {"IsComplete": False}


@pytest.mark.parametrize("status", ["InProgress", "Completed"])
@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_a_started_job_is_complete(handler: ModuleType, sagemaker: Stubber, status: str, request_type: str) -> None:
    _expect_describe(sagemaker, status)

    result = handler.is_complete(_event(request_type, AdoptedExistingJob=False), None)

    assert result == {"IsComplete": True, "Data": expected_data(NAME)}


def test_a_failed_job_fails_with_its_reason(handler: ModuleType, sagemaker: Stubber) -> None:
    _expect_describe(sagemaker, "Failed", "ClientError: Input manifest s3://in/manifest.jsonl not found")

    with pytest.raises(
        handler.LabelingJobError,
        match=f"Labeling job {NAME} failed: ClientError: Input manifest s3://in/manifest.jsonl not found",
    ):
        handler.is_complete(_event(), None)


@pytest.mark.parametrize("filler", ["x", "é", "\U0001f600", "\x01", '"'])
def test_a_huge_failure_reason_keeps_the_response_small(handler: ModuleType, sagemaker: Stubber, filler: str) -> None:
    _expect_describe(sagemaker, "Failed", "ClientError: " + filler * 1024)
    event = _event()

    with pytest.raises(handler.LabelingJobError) as raised:
        handler.is_complete(event, None)

    reason = str(raised.value)
    assert reason.startswith(f"Labeling job {NAME} failed: ClientError: {filler * 3}")
    assert reason.endswith(f"{filler}...")
    assert len(json.dumps(reason, ensure_ascii=False).encode()) <= 1002
    assert len(cloudformation_response(event, None, reason)) < 4096


@pytest.mark.parametrize("status", ["Stopping", "Stopped"])
def test_a_job_stopped_before_it_started_fails(handler: ModuleType, sagemaker: Stubber, status: str) -> None:
    _expect_describe(sagemaker, status)

    with pytest.raises(handler.LabelingJobError, match=f"{NAME} was stopped before it started"):
        handler.is_complete(_event(), None)


@pytest.mark.parametrize("status", ["Failed", "Stopping", "Stopped"])
def test_an_update_keeping_an_ended_job_succeeds(handler: ModuleType, sagemaker: Stubber, status: str) -> None:
    """A ServiceToken-only update, or a rollback to the previous job, must not fail on its old status."""
    _expect_describe(sagemaker, status, "failed long ago" if status == "Failed" else None)

    result = handler.is_complete(_event("Update", AdoptedExistingJob=True), None)

    assert result == {"IsComplete": True, "Data": expected_data(NAME)}


def test_an_update_with_a_new_job_that_failed_fails(handler: ModuleType, sagemaker: Stubber) -> None:
    _expect_describe(sagemaker, "Failed", "bad role")

    with pytest.raises(handler.LabelingJobError, match="failed: bad role"):
        handler.is_complete(_event("Update", AdoptedExistingJob=False), None)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("TooManyRequestsException", 400),
        ("InternalFailure", 500),
        ("ResourceNotFound", 400),
    ],
)
def test_transient_errors_mean_poll_again(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float], code: str, status: int
) -> None:
    sagemaker.add_client_error("describe_labeling_job", code, "later", status, None, {"LabelingJobName": NAME})

    assert handler.is_complete(_event(), None) == {"IsComplete": False}
    assert sleeps == []


def test_other_describe_errors_fail(handler: ModuleType, sagemaker: Stubber) -> None:
    sagemaker.add_client_error(
        "describe_labeling_job",
        "AccessDeniedException",
        "not authorized",
        400,
        None,
        {"LabelingJobName": NAME},
    )

    with pytest.raises(handler.LabelingJobError, match="not authorized"):
        handler.is_complete(_event(), None)
