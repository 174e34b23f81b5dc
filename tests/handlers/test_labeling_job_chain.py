"""Chained jobs (FollowsJob): on_event creates at once or leaves a pending request, the chain function
starts the job when the previous one completes, Delete withdraws the pending request."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from groundtruth_cdk.handlers.labeling_job import index

from .builders import (
    ARTIFACTS_BUCKET,
    FRAMEWORK_FAILED_CREATE_MARKER,
    LOGICAL_ID,
    OTHER_STACK_ID,
    OUTPUT_PATH,
    PENDING_KEY,
    PENDING_URI,
    PREVIOUS_JOB,
    PREVIOUS_MODEL,
    PREVIOUS_OUTPUT_MANIFEST,
    STACK_ID,
    chained_properties,
    cloudformation_response,
    completion_event,
    create_event,
    delete_event,
    expect_describe,
    expect_no_job,
    expected_data,
    is_complete_event,
    job_arn,
    ownership_tags,
    pending_document,
    pending_request,
    previous_output,
    properties,
    read_text,
    reference_name,
    typed_request,
    update_event,
)


def _started_request(name: str, *, model: bool = False) -> dict[str, Any]:
    """The request that creates the job: the previous job's output manifest (and final model) filled in."""
    request = pending_request(name, model=model)
    request["InputConfig"]["DataSource"]["S3DataSource"] = {"ManifestS3Uri": PREVIOUS_OUTPUT_MANIFEST}
    if model:
        request["LabelingJobAlgorithmsConfig"]["InitialActiveLearningModelArn"] = PREVIOUS_MODEL
    return request


def _expect_previous(sagemaker: Stubber, status: str, *, model: bool = True, failure_reason: str | None = None) -> None:
    output = previous_output(model=model) if status == "Completed" else None
    expect_describe(sagemaker, PREVIOUS_JOB, status, output=output, failure_reason=failure_reason)


def _expected_document(name: str, *, model: bool = False, use_final_model: bool = False) -> dict[str, Any]:
    return {
        "LabelingJobName": name,
        "Request": pending_request(name, model=model),
        "FollowsJob": {"LabelingJobName": PREVIOUS_JOB, "UseOutputManifest": True, "UseFinalModel": use_final_model},
        "StackId": STACK_ID,
        "LogicalResourceId": LOGICAL_ID,
    }


def _waiting_data(name: str) -> dict[str, str]:
    return {**expected_data(name), "FollowsJob": PREVIOUS_JOB, "ChainStatus": f"waiting for {PREVIOUS_JOB} to complete"}


def _started_data(name: str) -> dict[str, str]:
    return {**expected_data(name), "FollowsJob": PREVIOUS_JOB, "ChainStatus": f"started after {PREVIOUS_JOB} completed"}


def _deploy_waiting(handler: ModuleType, sagemaker: Stubber, **props: Any) -> str:
    """Run a Create whose previous job is still in progress; return the job name."""
    event = create_event(chained_properties(**props))
    _expect_previous(sagemaker, "InProgress")
    result = handler.on_event(event, None)
    assert result["WaitingForPreviousJob"] is True
    return reference_name(event)


# --------------------------------------------------------------------------------------------------
# on_event: the previous job has completed
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("use_output", "use_model"), [("true", "true"), (True, True), ("True", "TRUE")])
def test_a_completed_previous_job_gives_its_output_manifest_and_model_at_once(
    handler: ModuleType, sagemaker: Stubber, s3: Any, use_output: Any, use_model: Any
) -> None:
    event = create_event(chained_properties(use_output_manifest=use_output, use_final_model=use_model))
    name = reference_name(event)
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, model=True))

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": _started_data(name), "AdoptedExistingJob": False}
    assert pending_document(s3) == _expected_document(name, model=True, use_final_model=True)


def test_without_use_output_manifest_the_job_keeps_its_own_manifest(handler: ModuleType, sagemaker: Stubber) -> None:
    props = chained_properties(use_output_manifest="false", ManifestLines=properties()["ManifestLines"])
    event = create_event(props)
    name = reference_name(event)
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    assert handler.on_event(event, None)["Data"] == _started_data(name)


def test_the_chain_function_having_started_the_job_first_is_adopted(handler: ModuleType, sagemaker: Stubber) -> None:
    event = create_event(chained_properties())
    name = reference_name(event)
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_client_error("create_labeling_job", "ResourceInUse", "exists", 400, None, _started_request(name))
    expect_describe(sagemaker, name, "Initializing")

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": _started_data(name), "AdoptedExistingJob": False}


def test_is_complete_of_a_started_chained_job_waits_for_it_and_keeps_the_chain_status(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    name = reference_name(create_event(chained_properties()))
    expect_describe(sagemaker, name, "Initializing")
    expect_describe(sagemaker, name, "InProgress")
    event = is_complete_event("Create", name, Data=_started_data(name), AdoptedExistingJob=False)

    assert handler.is_complete(event, None) == {"IsComplete": False}
    assert handler.is_complete(event, None) == {"IsComplete": True, "Data": _started_data(name)}


def test_a_previous_job_without_a_model_fails_clearly_and_withdraws_the_request(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    event = create_event(chained_properties(use_final_model="true"))
    _expect_previous(sagemaker, "Completed", model=False)

    with pytest.raises(handler.LabelingJobError, match=f"previous labeling job {PREVIOUS_JOB} trained no model"):
        handler.on_event(event, None)
    assert pending_document(s3) is None


# --------------------------------------------------------------------------------------------------
# on_event: the previous job is still running
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["Initializing", "InProgress"])
def test_a_running_previous_job_leaves_the_complete_request_pending(
    handler: ModuleType, sagemaker: Stubber, s3: Any, status: str
) -> None:
    event = create_event(chained_properties())
    name = reference_name(event)
    _expect_previous(sagemaker, status)

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": _waiting_data(name), "WaitingForPreviousJob": True}
    document = pending_document(s3)
    assert document == _expected_document(name)
    assert read_text(s3, document["Request"]["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"]).startswith("<script")


def test_is_complete_of_a_waiting_job_is_complete_at_once_without_a_call(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    event = create_event(chained_properties())
    name = reference_name(event)
    _expect_previous(sagemaker, "InProgress")
    result = handler.on_event(event, None)

    complete = handler.is_complete({**event, **result}, None)

    assert complete == {"IsComplete": True, "Data": _waiting_data(name)}


def test_the_request_is_stored_before_the_previous_job_is_described(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    seen: list[dict[str, Any] | None] = []
    handler._client("sagemaker").meta.events.register(
        "before-parameter-build.sagemaker.DescribeLabelingJob", lambda **_: seen.append(pending_document(s3))
    )
    event = create_event(chained_properties())
    _expect_previous(sagemaker, "InProgress")

    handler.on_event(event, None)

    assert seen == [_expected_document(reference_name(event))]


def test_a_waiting_response_stays_under_the_cloudformation_limit(handler: ModuleType, sagemaker: Stubber) -> None:
    props = chained_properties()
    props["LabelingJobRequest"]["OutputConfig"]["S3OutputPath"] = "s3://out-bucket/" + "p" * 1000 + "/"
    event = create_event(props)
    _expect_previous(sagemaker, "InProgress")

    result = handler.on_event(event, None)

    assert len(cloudformation_response(event, result)) < 4096


def test_the_arn_of_a_waiting_job_follows_the_stack_partition_region_and_account(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    stack_id = "arn:aws-cn:cloudformation:cn-north-1:210987654321:stack/demo/guid"
    event = create_event(chained_properties(), stack_id=stack_id)
    name = reference_name(event)
    _expect_previous(sagemaker, "InProgress")

    data = handler.on_event(event, None)["Data"]

    assert data["LabelingJobArn"] == f"arn:aws-cn:sagemaker:cn-north-1:210987654321:labeling-job/{name}"
    assert data["ConsoleUrl"].startswith("https://cn-north-1.console.amazonaws.cn/")


def test_an_update_to_a_new_waiting_job_replaces_the_pending_request(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    old_name = _deploy_waiting(handler, sagemaker)
    newer = chained_properties()
    newer["LabelingJobRequest"]["TaskTitle"] = "Check the boxes again"
    event = update_event(newer, chained_properties(), old_name)
    new_name = reference_name(event)
    expect_no_job(sagemaker, new_name, "no job")
    _expect_previous(sagemaker, "InProgress")

    assert handler.on_event(event, None)["PhysicalResourceId"] == new_name
    assert (pending_document(s3) or {}).get("LabelingJobName") == new_name


@pytest.mark.parametrize("status", ["Failed", "Stopped"])
def test_an_update_keeping_a_waiting_job_whose_previous_job_ended_succeeds(
    handler: ModuleType, sagemaker: Stubber, status: str
) -> None:
    """A ServiceToken-only update (or its rollback) must not fail on a chain that can no longer start."""
    old_props = chained_properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:old")
    name = _deploy_waiting(handler, sagemaker, ServiceToken=old_props["ServiceToken"])
    event = update_event(chained_properties(), old_props, name)
    expect_no_job(sagemaker, name)
    _expect_previous(sagemaker, status)

    result = handler.on_event(event, None)

    assert result["WaitingForPreviousJob"] is True
    assert result["Data"]["ChainStatus"] == f"never starts: {PREVIOUS_JOB} is {status}"


def test_an_update_of_a_job_the_chain_already_started_adopts_it(handler: ModuleType, sagemaker: Stubber) -> None:
    old_props = chained_properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:old")
    name = reference_name(create_event(chained_properties()))
    event = update_event(chained_properties(), old_props, name)
    expect_describe(sagemaker, name, "InProgress")

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": _started_data(name), "AdoptedExistingJob": True}


# --------------------------------------------------------------------------------------------------
# on_event: a previous job that will never complete, invalid properties
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        ("Failed", "ClientError: no workers", f"{PREVIOUS_JOB} is Failed (ClientError: no workers) and will never"),
        ("Stopping", None, f"{PREVIOUS_JOB} is Stopping and will never complete"),
        ("Stopped", None, f"{PREVIOUS_JOB} is Stopped and will never complete"),
    ],
)
def test_a_previous_job_that_ended_fails_and_withdraws_the_request(
    handler: ModuleType, sagemaker: Stubber, s3: Any, status: str, reason: str | None, message: str
) -> None:
    _expect_previous(sagemaker, status, failure_reason=reason)

    with pytest.raises(handler.LabelingJobError, match=re.escape(message)):
        handler.on_event(create_event(chained_properties()), None)
    assert pending_document(s3) is None


def test_a_missing_previous_job_fails_clearly(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    expect_no_job(sagemaker, PREVIOUS_JOB, "not found")

    with pytest.raises(handler.LabelingJobError, match=f"no labeling job named {PREVIOUS_JOB}"):
        handler.on_event(create_event(chained_properties()), None)
    assert pending_document(s3) is None


def _without_follows(**changes: Any) -> dict[str, Any]:
    props = chained_properties()
    props["FollowsJob"] = {**props["FollowsJob"], **changes}
    return props


def _with_request_manifest() -> dict[str, Any]:
    props = chained_properties()
    props["LabelingJobRequest"]["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = "s3://in/m.jsonl"
    return props


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (chained_properties(PendingRequestS3Uri=None), "Missing required property PendingRequestS3Uri"),
        (chained_properties(PendingRequestS3Uri="s3://bucket/"), "Property PendingRequestS3Uri must be an S3 object"),
        (chained_properties(PendingRequestS3Uri="https://b/k.json"), "PendingRequestS3Uri must be an S3 object URI"),
        (chained_properties(FollowsJob="previous"), "Property FollowsJob must be an object"),
        (
            _without_follows(LabelingJobName=None),
            "Property FollowsJob must have exactly one of LabelingJobName (an exact job name) and "
            "LabelingJobNamePrefix (the name prefix of the earlier job's resource), not neither",
        ),
        (
            _without_follows(LabelingJobNamePrefix="my-project-review"),
            "Property FollowsJob must have exactly one of LabelingJobName",
        ),
        (
            _without_follows(LabelingJobName=None, LabelingJobNamePrefix="a" * 55),
            "FollowsJob.LabelingJobNamePrefix must",
        ),
        (
            _without_follows(LabelingJobName=None, LabelingJobNamePrefix="review_1"),
            "Property FollowsJob.LabelingJobNamePrefix must be a labeling job name prefix (at most 54 characters",
        ),
        (_without_follows(LabelingJobName=None, LabelingJobNamePrefix=""), "LabelingJobNamePrefix must be a labeling"),
        (_without_follows(LabelingJobName="not_a_job"), "FollowsJob.LabelingJobName must be a labeling job name"),
        (_without_follows(UseFinalModel="yes"), "FollowsJob.UseFinalModel must be true or false, got 'yes'"),
        (_without_follows(UseOutputManifest=1), "FollowsJob.UseOutputManifest must be true or false, got 1"),
        (
            chained_properties(ManifestLines=properties()["ManifestLines"]),
            "Properties ManifestLines and FollowsJob.UseOutputManifest cannot be used together",
        ),
        (
            chained_properties(DataSetup='{"Source": "S3Prefix"}'),
            "Properties DataSetup and FollowsJob.UseOutputManifest cannot be used together",
        ),
        (_with_request_manifest(), "ManifestS3Uri and FollowsJob.UseOutputManifest cannot be used together"),
        (
            _without_follows(UseFinalModel="true"),
            "FollowsJob.UseFinalModel needs LabelingJobRequest.LabelingJobAlgorithmsConfig",
        ),
    ],
)
def test_invalid_chain_properties_fail_before_any_call(
    handler: ModuleType, sagemaker: Stubber, s3: Any, props: dict[str, Any], message: str
) -> None:
    with pytest.raises(handler.LabelingJobError, match=re.escape(message)):
        handler.on_event(create_event(props), None)
    assert s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET).get("KeyCount", 0) == 0


def test_missing_flags_are_false(handler: ModuleType, sagemaker: Stubber) -> None:
    props = chained_properties(ManifestLines=properties()["ManifestLines"])
    props["FollowsJob"] = {"LabelingJobName": PREVIOUS_JOB}
    event = create_event(props)
    name = reference_name(event)
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    handler.on_event(event, None)


# --------------------------------------------------------------------------------------------------
# Delete
# --------------------------------------------------------------------------------------------------


def test_delete_of_a_waiting_job_withdraws_its_pending_request(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    expect_no_job(sagemaker, name)

    assert handler.on_event(delete_event(name, chained_properties()), None) == {"PhysicalResourceId": name}
    assert pending_document(s3) is None
    expect_no_job(sagemaker, name)
    assert handler.is_complete(delete_event(name, chained_properties()), None) == {"IsComplete": True}


def test_delete_keeps_the_pending_request_of_a_replacement(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    replacement = _deploy_waiting(handler, sagemaker)
    replaced = "my-project-job-00000000"
    expect_describe(sagemaker, replaced, "InProgress")
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": replaced})

    assert handler.on_event(delete_event(replaced, chained_properties()), None) == {"PhysicalResourceId": replaced}
    assert (pending_document(s3) or {}).get("LabelingJobName") == replacement


@pytest.mark.parametrize("physical_id", ["my-project-job-00000000", FRAMEWORK_FAILED_CREATE_MARKER])
def test_delete_without_a_pending_request_is_a_success(
    handler: ModuleType, sagemaker: Stubber, physical_id: str
) -> None:
    if physical_id != FRAMEWORK_FAILED_CREATE_MARKER:
        expect_no_job(sagemaker, physical_id)

    assert handler.on_event(delete_event(physical_id, chained_properties()), None) == {
        "PhysicalResourceId": physical_id
    }


def test_delete_with_an_invalid_pending_uri_still_succeeds(handler: ModuleType, sagemaker: Stubber) -> None:
    event = delete_event(FRAMEWORK_FAILED_CREATE_MARKER)
    event["ResourceProperties"] = chained_properties(PendingRequestS3Uri="not-a-uri")

    assert handler.on_event(event, None) == {"PhysicalResourceId": FRAMEWORK_FAILED_CREATE_MARKER}


@pytest.mark.parametrize("document", [b"not json", b"[]", b'{"LabelingJobName": 1}'])
def test_delete_keeps_a_pending_object_it_cannot_read_as_its_own(
    handler: ModuleType, sagemaker: Stubber, s3: Any, document: bytes
) -> None:
    s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=PENDING_KEY, Body=document)
    event = delete_event(FRAMEWORK_FAILED_CREATE_MARKER, chained_properties())

    assert handler.on_event(event, None) == {"PhysicalResourceId": FRAMEWORK_FAILED_CREATE_MARKER}
    assert read_text(s3, PENDING_URI) == document.decode()


def test_delete_of_a_started_chained_job_stops_it(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    name = _deploy_waiting(handler, sagemaker)
    expect_describe(sagemaker, name, "InProgress")
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": name})

    handler.on_event(delete_event(name, chained_properties()), None)

    assert pending_document(s3) is None


# --------------------------------------------------------------------------------------------------
# The chain function
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [False, True])
def test_the_chain_starts_the_job_once_when_the_previous_job_completes(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, model: bool
) -> None:
    name = _deploy_waiting(handler, sagemaker, use_final_model="true" if model else "false")
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_response(
        "create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, model=model)
    )
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_client_error(
        "create_labeling_job", "ResourceInUse", "exists", 400, None, _started_request(name, model=model)
    )
    expect_describe(sagemaker, name, "Initializing")

    first = chain_function.on_previous_job_completed(completion_event(), None)
    second = chain_function.on_previous_job_completed(completion_event(), None)

    assert first == {"Started": True, "LabelingJobName": name}
    assert second["Started"] is False
    assert second["LabelingJobName"] == name


@pytest.mark.parametrize("status", ["Failed", "Stopped", "Stopping", "InProgress"])
def test_the_chain_never_starts_after_a_previous_job_that_did_not_complete(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, status: str
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_previous(sagemaker, status)

    result = chain_function.on_previous_job_completed(completion_event(), None)

    assert result == {
        "Started": False,
        "Reason": f"the previous job {PREVIOUS_JOB} is {status}, not Completed",
        "LabelingJobName": name,
    }


@pytest.mark.parametrize(
    "event",
    [
        completion_event("some-other-job"),
        {**completion_event(), "resources": [], "detail": {"LabelingJobName": "some-other-job"}},
    ],
)
def test_the_chain_ignores_an_event_about_another_job(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, event: dict[str, Any]
) -> None:
    _deploy_waiting(handler, sagemaker)

    result = chain_function.on_previous_job_completed(event, None)

    assert result["Started"] is False
    assert "some-other-job" in result["Reason"]


@pytest.mark.parametrize("event", [{}, {**completion_event(), "resources": [job_arn(PREVIOUS_JOB).upper()]}])
def test_the_chain_relies_on_describing_the_previous_job_not_on_the_event(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, event: dict[str, Any]
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name))

    assert chain_function.on_previous_job_completed(event, None)["Started"] is True


def test_the_chain_without_a_pending_request_starts_nothing(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    result = chain_function.on_previous_job_completed(completion_event(), None)

    assert result == {
        "Started": False,
        "Reason": f"no pending request at {PENDING_URI}: the job was deleted, or was never waiting",
    }


def test_the_chain_after_a_delete_starts_nothing(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    expect_no_job(sagemaker, name)
    handler.on_event(delete_event(name, chained_properties()), None)

    assert chain_function.on_previous_job_completed(completion_event(), None)["Started"] is False


@pytest.mark.parametrize(
    "tags",
    [ownership_tags(stack_id=OTHER_STACK_ID), ownership_tags(logical_id="OtherJob"), []],
)
def test_the_chain_refuses_a_name_taken_by_a_foreign_job(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, tags: list[dict[str, str]]
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_client_error("create_labeling_job", "ResourceInUse", "exists", 400, None, _started_request(name))
    expect_describe(sagemaker, name, "InProgress", tags=tags)

    with pytest.raises(handler.LabelingJobError, match=f"{name} is taken by a job"):
        chain_function.on_previous_job_completed(completion_event(), None)


def test_the_chain_retries_role_propagation_and_throttling(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, sleeps: list[float]
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    sagemaker.add_client_error(
        "describe_labeling_job", "ThrottlingException", "Rate exceeded", 400, None, {"LabelingJobName": PREVIOUS_JOB}
    )
    _expect_previous(sagemaker, "Completed")
    sagemaker.add_client_error(
        "create_labeling_job", "ValidationException", "Could not assume role", 400, None, _started_request(name)
    )
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name))

    assert chain_function.on_previous_job_completed(completion_event(), None)["Started"] is True
    assert len(sleeps) == 2


def test_the_chain_fails_on_a_previous_job_without_the_model_it_needs(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    _deploy_waiting(handler, sagemaker, use_final_model="true")
    _expect_previous(sagemaker, "Completed", model=False)

    with pytest.raises(handler.LabelingJobError, match="trained no model"):
        chain_function.on_previous_job_completed(completion_event(), None)


@pytest.mark.parametrize(
    ("operation", "code"), [("describe_labeling_job", "ResourceNotFound"), ("create_labeling_job", "AccessDenied")]
)
def test_the_chain_raises_service_errors_for_lambda_to_retry(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, operation: str, code: str
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    if operation == "create_labeling_job":
        _expect_previous(sagemaker, "Completed")
        sagemaker.add_client_error(operation, code, "denied", 400, None, _started_request(name))
    else:
        sagemaker.add_client_error(operation, code, "not found", 400, None, {"LabelingJobName": PREVIOUS_JOB})

    with pytest.raises(handler.LabelingJobError):
        chain_function.on_previous_job_completed(completion_event(), None)


@pytest.mark.parametrize("uri", ["", "s3://bucket/", "pending.json"])
def test_the_chain_needs_its_pending_request_uri(
    handler: ModuleType, chain_function: ModuleType, monkeypatch: pytest.MonkeyPatch, uri: str
) -> None:
    monkeypatch.setenv("PENDING_REQUEST_URI", uri)

    with pytest.raises(handler.LabelingJobError, match="Environment variable PENDING_REQUEST_URI must be an S3"):
        chain_function.on_previous_job_completed(completion_event(), None)


@pytest.mark.parametrize(
    "document",
    [
        b"not json",
        b"[]",
        json.dumps({"LabelingJobName": "x", "Request": {"LabelingJobName": "y"}}).encode(),
        json.dumps({"LabelingJobName": "x", "Request": {"LabelingJobName": "x"}}).encode(),
    ],
)
def test_the_chain_refuses_a_corrupt_pending_request(
    handler: ModuleType, chain_function: ModuleType, s3: Any, document: bytes
) -> None:
    s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=PENDING_KEY, Body=document)

    with pytest.raises(handler.LabelingJobError, match=re.escape(f"The pending request {PENDING_URI}")):
        chain_function.on_previous_job_completed(completion_event(), None)


def test_the_pending_request_is_the_one_the_chain_sends(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    """The stored request is exactly CreateLabelingJob's, with only the previous job's outputs missing."""
    name = _deploy_waiting(handler, sagemaker)
    stored = copy.deepcopy(pending_document(s3))
    assert stored is not None
    assert stored["Request"]["OutputConfig"] == {"S3OutputPath": OUTPUT_PATH}
    assert stored["Request"]["Tags"][-2:] == ownership_tags()
    assert stored["Request"]["LabelingJobName"] == name


def test_the_chain_function_imports_the_way_lambda_loads_it(tmp_path: Path) -> None:
    """The asset is the labeling_job folder (links followed): ``chain`` must import as a top-level module."""
    folder = tmp_path / "asset"
    shutil.copytree(Path(index.__file__).parent, folder, symlinks=False)
    script = "import chain, index; assert chain.index is index; print(chain.on_previous_job_completed.__name__)"

    result = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "on_previous_job_completed"
