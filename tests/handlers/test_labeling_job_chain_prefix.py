"""Chained jobs following the jobs of a name prefix (FollowsJob.LabelingJobNamePrefix), and the delete race
with the chain function.

The earlier resource's jobs are ``<prefix>-<8 hex>``: at deploy the newest of them is found with
ListLabelingJobs; the chain function follows whichever of them completes (the event's job ARN says which).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from groundtruth_cdk.handlers.labeling_job import index

from .builders import (
    ALGORITHM_SPEC,
    EARLIER_PREFIX,
    OTHER_STACK_ID,
    PREVIOUS_JOB,
    REGION,
    completion_event,
    create_event,
    delete_event,
    describe_response,
    expect_describe,
    expect_no_job,
    expected_data,
    is_complete_event,
    job_arn,
    job_output,
    job_summary,
    list_jobs_params,
    list_jobs_response,
    ownership_tags,
    pending_document,
    pending_request,
    prefix_chained_properties,
    reference_name,
    update_event,
)

#: Other jobs of the prefix: a newer and an older one.
NEWER_JOB = f"{EARLIER_PREFIX}-f00dcafe"
OLDER_JOB = f"{EARLIER_PREFIX}-00000001"
#: Names containing the prefix that are not its resource's jobs.
NOT_OF_THE_PREFIX = (f"{EARLIER_PREFIX}-review-1a2b3c4d", f"{EARLIER_PREFIX}-xyz", f"{EARLIER_PREFIX}-1a2b3c4d5")


def _started_request(name: str, previous: str) -> dict[str, Any]:
    """The request that creates the job on ``previous``'s output manifest."""
    request = pending_request(name)
    request["InputConfig"]["DataSource"]["S3DataSource"] = {"ManifestS3Uri": job_output(previous)["OutputDatasetS3Uri"]}
    return request


def _expect_list(sagemaker: Stubber, *names: str, token: str | None = None, next_token: str | None = None) -> None:
    sagemaker.add_response(
        "list_labeling_jobs", list_jobs_response(*names, next_token=next_token), list_jobs_params(token=token)
    )


def _expect_describe(sagemaker: Stubber, name: str, status: str, **fields: Any) -> None:
    output = job_output(name) if status == "Completed" else None
    expect_describe(sagemaker, name, status, output=output, **fields)


def _chain_data(name: str, previous: str, status: str) -> dict[str, str]:
    return {**expected_data(name), "FollowsJob": previous, "ChainStatus": status}


def _deploy_waiting(handler: ModuleType, sagemaker: Stubber, props: dict[str, Any] | None = None) -> str:
    """Run a Create whose newest earlier job (PREVIOUS_JOB) is still in progress; return the job name."""
    event = create_event(prefix_chained_properties() if props is None else props)
    _expect_list(sagemaker, PREVIOUS_JOB)
    _expect_describe(sagemaker, PREVIOUS_JOB, "InProgress")
    assert handler.on_event(event, None)["WaitingForPreviousJob"] is True
    return reference_name(event)


# --------------------------------------------------------------------------------------------------
# on_event: finding the earlier job
# --------------------------------------------------------------------------------------------------


def test_the_newest_job_of_the_prefix_is_followed_and_names_that_only_contain_it_are_skipped(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    event = create_event(prefix_chained_properties())
    name = reference_name(event)
    _expect_list(sagemaker, *NOT_OF_THE_PREFIX, PREVIOUS_JOB, OLDER_JOB)
    _expect_describe(sagemaker, PREVIOUS_JOB, "InProgress")

    result = handler.on_event(event, None)

    waiting = f"waiting for {PREVIOUS_JOB} to complete"
    assert result == {
        "PhysicalResourceId": name,
        "Data": _chain_data(name, PREVIOUS_JOB, waiting),
        "WaitingForPreviousJob": True,
    }
    assert pending_document(s3) == {
        "LabelingJobName": name,
        "Request": pending_request(name),
        "FollowsJob": {"LabelingJobNamePrefix": EARLIER_PREFIX, "UseOutputManifest": True, "UseFinalModel": False},
        "StackId": event["StackId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "PreviousJobName": PREVIOUS_JOB,
    }


def test_a_job_of_a_longer_prefix_is_not_a_job_of_the_prefix(handler: ModuleType, sagemaker: Stubber) -> None:
    """``my-project`` must not follow ``my-project-review-0a1b2c3d`` (another resource's job)."""
    event = create_event(prefix_chained_properties(prefix="my-project"))
    sagemaker.add_response(
        "list_labeling_jobs", list_jobs_response(PREVIOUS_JOB, "my-project-0a1b2c3d"), list_jobs_params("my-project")
    )
    _expect_describe(sagemaker, "my-project-0a1b2c3d", "InProgress")

    assert handler.on_event(event, None)["Data"]["FollowsJob"] == "my-project-0a1b2c3d"


def test_pages_are_followed_until_a_job_of_the_prefix_is_found_which_completed(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    event = create_event(prefix_chained_properties())
    name = reference_name(event)
    _expect_list(sagemaker, *NOT_OF_THE_PREFIX, next_token="page-2")
    _expect_list(sagemaker, token="page-2", next_token="page-3")
    _expect_list(sagemaker, PREVIOUS_JOB, OLDER_JOB, token="page-3", next_token="page-4")
    _expect_describe(sagemaker, PREVIOUS_JOB, "Completed")
    sagemaker.add_response(
        "create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, PREVIOUS_JOB)
    )

    result = handler.on_event(event, None)

    started = f"started after {PREVIOUS_JOB} completed"
    assert result == {
        "PhysicalResourceId": name,
        "Data": _chain_data(name, PREVIOUS_JOB, started),
        "AdoptedExistingJob": False,
    }


def test_no_job_of_the_prefix_fails_clearly_and_stores_nothing(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    _expect_list(sagemaker, *NOT_OF_THE_PREFIX, next_token="page-2")
    _expect_list(sagemaker, token="page-2")

    message = (
        f"FollowsJob: no labeling job named {EARLIER_PREFIX}-<8 hex digits> exists yet in {REGION}: deploy the "
        "stack of the earlier job first"
    )
    with pytest.raises(handler.LabelingJobError, match=re.escape(message)):
        handler.on_event(create_event(prefix_chained_properties()), None)
    assert pending_document(s3) is None


def test_the_region_in_the_message_is_the_stacks(handler: ModuleType, sagemaker: Stubber) -> None:
    stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/guid"
    _expect_list(sagemaker)

    with pytest.raises(handler.LabelingJobError, match="exists yet in eu-west-1: deploy"):
        handler.on_event(create_event(prefix_chained_properties(), stack_id=stack_id), None)


def test_listing_is_retried_when_throttled(handler: ModuleType, sagemaker: Stubber, sleeps: list[float]) -> None:
    sagemaker.add_client_error(
        "list_labeling_jobs", "ThrottlingException", "Rate exceeded", 400, None, list_jobs_params()
    )
    _expect_list(sagemaker, PREVIOUS_JOB)
    _expect_describe(sagemaker, PREVIOUS_JOB, "InProgress")

    assert handler.on_event(create_event(prefix_chained_properties()), None)["WaitingForPreviousJob"] is True
    assert len(sleeps) == 1


@pytest.mark.parametrize("status", ["Failed", "Stopped", "Stopping"])
def test_a_newest_job_that_ended_is_passed_over_for_a_live_older_one(
    handler: ModuleType, sagemaker: Stubber, s3: Any, status: str
) -> None:
    """A failed update of the earlier stack leaves its new job newest and ended while the old job runs on."""
    page = {"LabelingJobSummaryList": [job_summary(PREVIOUS_JOB, status), job_summary(OLDER_JOB, minutes_ago=5)]}
    sagemaker.add_response("list_labeling_jobs", page, list_jobs_params())
    _expect_describe(sagemaker, OLDER_JOB, "InProgress")
    result = handler.on_event(create_event(prefix_chained_properties()), None)
    assert result["Data"]["FollowsJob"] == OLDER_JOB
    assert result["WaitingForPreviousJob"] is True


def test_when_every_job_of_the_prefix_ended_the_newest_one_is_reported(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    page = {
        "LabelingJobSummaryList": [
            job_summary(PREVIOUS_JOB, "Failed"),
            job_summary(OLDER_JOB, "Stopped", minutes_ago=5),
        ]
    }
    sagemaker.add_response("list_labeling_jobs", page, list_jobs_params())
    _expect_describe(sagemaker, PREVIOUS_JOB, "Failed")
    with pytest.raises(handler.LabelingJobError, match=f"{PREVIOUS_JOB} is Failed"):
        handler.on_event(create_event(prefix_chained_properties()), None)
    assert pending_document(s3) is None


@pytest.mark.parametrize("status", ["Failed", "Stopped"])
def test_a_newest_job_that_ended_fails_and_withdraws_the_request(
    handler: ModuleType, sagemaker: Stubber, s3: Any, status: str
) -> None:
    _expect_list(sagemaker, PREVIOUS_JOB, OLDER_JOB)
    _expect_describe(sagemaker, PREVIOUS_JOB, status)

    with pytest.raises(handler.LabelingJobError, match=f"{PREVIOUS_JOB} is {status} and will never complete"):
        handler.on_event(create_event(prefix_chained_properties()), None)
    assert pending_document(s3) is None


def test_an_update_keeping_the_started_job_reports_the_newest_job_of_the_prefix(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    old_props = prefix_chained_properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:old")
    name = reference_name(create_event(prefix_chained_properties()))
    _expect_describe(sagemaker, name, "InProgress")
    _expect_list(sagemaker, PREVIOUS_JOB)

    result = handler.on_event(update_event(prefix_chained_properties(), old_props, name), None)

    started = f"started after {PREVIOUS_JOB} completed"
    assert result == {
        "PhysicalResourceId": name,
        "Data": _chain_data(name, PREVIOUS_JOB, started),
        "AdoptedExistingJob": True,
    }


def test_an_update_keeping_the_started_job_never_fails_on_finding_the_earlier_job(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    old_props = prefix_chained_properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:old")
    name = reference_name(create_event(prefix_chained_properties()))
    _expect_describe(sagemaker, name, "InProgress")
    sagemaker.add_client_error("list_labeling_jobs", "AccessDeniedException", "no", 400, None, list_jobs_params())

    result = handler.on_event(update_event(prefix_chained_properties(), old_props, name), None)

    assert result["Data"]["FollowsJob"] == f"{EARLIER_PREFIX}-<8 hex digits>"


@pytest.mark.parametrize(("prefix", "valid"), [("a" * 54, True), ("a" * 55, False), ("a--b", True), ("-a", False)])
def test_a_prefix_is_checked_like_a_job_name_leaving_room_for_the_hash(prefix: str, valid: bool) -> None:
    value = {"LabelingJobNamePrefix": prefix, "UseOutputManifest": "true"}
    if valid:
        assert index.FollowsJob.parse(value, "FollowsJob").name_prefix == prefix
    else:
        with pytest.raises(index.LabelingJobError, match=re.escape("FollowsJob.LabelingJobNamePrefix must be")):
            index.FollowsJob.parse(value, "FollowsJob")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (PREVIOUS_JOB, PREVIOUS_JOB),
        ("My-Project-Review-0a1b2c3d", PREVIOUS_JOB),
        (f"{EARLIER_PREFIX}-0A1B2C3D", None),
        (f"{EARLIER_PREFIX}-review-0a1b2c3d", None),
        (f"{EARLIER_PREFIX}-0a1b2c3", None),
        (f"x{PREVIOUS_JOB}", None),
    ],
)
def test_jobs_of_the_prefix_are_the_prefix_a_dash_and_8_lowercase_hex_digits(name: str, expected: str | None) -> None:
    follows = index.FollowsJob.parse({"LabelingJobNamePrefix": EARLIER_PREFIX}, "FollowsJob")

    assert follows.matching_name(name) == expected


# --------------------------------------------------------------------------------------------------
# The chain function
# --------------------------------------------------------------------------------------------------


def test_the_chain_starts_on_the_completed_job_of_the_prefix_once(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_describe(sagemaker, PREVIOUS_JOB, "Completed")
    sagemaker.add_response(
        "create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, PREVIOUS_JOB)
    )
    _expect_describe(sagemaker, PREVIOUS_JOB, "Completed")
    sagemaker.add_client_error(
        "create_labeling_job", "ResourceInUse", "exists", 400, None, _started_request(name, PREVIOUS_JOB)
    )
    _expect_describe(sagemaker, name, "Initializing")

    first = chain_function.on_previous_job_completed(completion_event(), None)
    second = chain_function.on_previous_job_completed(completion_event(), None)

    assert first == {"Started": True, "LabelingJobName": name}
    assert second == {"Started": False, "Reason": f"{name} exists already (Initializing)", "LabelingJobName": name}


def test_the_chain_follows_the_job_of_the_prefix_that_completed_not_the_one_found_at_deploy(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    """The earlier resource was replaced while this job waited: its new job's output is this job's input."""
    name = _deploy_waiting(handler, sagemaker)
    _expect_describe(sagemaker, NEWER_JOB, "Completed")
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, NEWER_JOB))

    assert chain_function.on_previous_job_completed(completion_event(NEWER_JOB), None)["Started"] is True


def test_the_chain_describes_the_job_in_the_case_its_resource_gave_the_prefix(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    """SageMaker writes names in lower case in ARNs; the job is described by the name it was given."""
    prefix = "My-Project-Review"
    earlier = f"{prefix}-0a1b2c3d"
    props = prefix_chained_properties(prefix=prefix)
    event = create_event(props)
    name = reference_name(event)
    sagemaker.add_response("list_labeling_jobs", list_jobs_response(earlier), list_jobs_params(prefix))
    _expect_describe(sagemaker, earlier, "InProgress")
    handler.on_event(event, None)
    _expect_describe(sagemaker, earlier, "Completed")
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, earlier))
    completed = completion_event()
    completed["resources"] = [job_arn(earlier.lower())]

    assert chain_function.on_previous_job_completed(completed, None)["Started"] is True


@pytest.mark.parametrize("other", [*NOT_OF_THE_PREFIX, "my-project-0a1b2c3d", "other-0a1b2c3d"])
def test_the_chain_ignores_a_job_of_another_prefix(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, other: str
) -> None:
    name = _deploy_waiting(handler, sagemaker)

    result = chain_function.on_previous_job_completed(completion_event(other), None)

    assert result == {
        "Started": False,
        "Reason": f"the event is about {other}, not a job named {EARLIER_PREFIX}-<8 hex digits>",
        "LabelingJobName": name,
    }


@pytest.mark.parametrize(
    "event",
    [
        {},
        {**completion_event(), "resources": []},
        {**completion_event(), "resources": [], "detail": {"LabelingJobName": PREVIOUS_JOB}},
        {**completion_event(), "resources": ["arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/t"]},
    ],
)
def test_the_chain_ignores_an_event_that_names_no_job_for_a_prefix(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, event: dict[str, Any]
) -> None:
    name = _deploy_waiting(handler, sagemaker)

    result = chain_function.on_previous_job_completed(event, None)

    assert result["Started"] is False
    assert result["LabelingJobName"] == name
    assert "names no labeling job ARN" in result["Reason"]


@pytest.mark.parametrize("status", ["Failed", "Stopped", "Stopping", "InProgress"])
def test_the_chain_never_starts_after_a_job_of_the_prefix_that_did_not_complete(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, status: str
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_describe(sagemaker, NEWER_JOB, status)

    result = chain_function.on_previous_job_completed(completion_event(NEWER_JOB), None)

    assert result == {
        "Started": False,
        "Reason": f"the previous job {NEWER_JOB} is {status}, not Completed",
        "LabelingJobName": name,
    }


def test_the_chain_takes_the_final_model_of_the_job_that_completed(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    name = _deploy_waiting(handler, sagemaker, prefix_chained_properties(use_final_model="true"))
    sagemaker.add_response(
        "describe_labeling_job",
        describe_response(NEWER_JOB, "Completed", output=job_output(NEWER_JOB, model=True)),
        {"LabelingJobName": NEWER_JOB},
    )
    request = _started_request(name, NEWER_JOB)
    request["LabelingJobAlgorithmsConfig"] = {
        "LabelingJobAlgorithmSpecificationArn": ALGORITHM_SPEC,
        "InitialActiveLearningModelArn": job_output(NEWER_JOB, model=True)["FinalActiveLearningModelArn"],
    }
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, request)

    assert chain_function.on_previous_job_completed(completion_event(NEWER_JOB), None)["Started"] is True


def test_the_chain_refuses_a_name_taken_by_a_foreign_job(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_describe(sagemaker, PREVIOUS_JOB, "Completed")
    sagemaker.add_client_error(
        "create_labeling_job", "ResourceInUse", "exists", 400, None, _started_request(name, PREVIOUS_JOB)
    )
    _expect_describe(sagemaker, name, "InProgress", tags=ownership_tags(stack_id=OTHER_STACK_ID))

    with pytest.raises(handler.LabelingJobError, match=f"{name} is taken by a job"):
        chain_function.on_previous_job_completed(completion_event(), None)


# --------------------------------------------------------------------------------------------------
# Delete racing the chain function
# --------------------------------------------------------------------------------------------------

NAME = reference_name(create_event())


@pytest.mark.parametrize("status", ["Initializing", "InProgress"])
def test_is_complete_on_delete_stops_a_running_job_of_this_resource_once_and_polls(
    handler: ModuleType, sagemaker: Stubber, status: str
) -> None:
    _expect_describe(sagemaker, NAME, status)
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": NAME})
    _expect_describe(sagemaker, NAME, "Stopping")
    _expect_describe(sagemaker, NAME, "Stopped")
    event = is_complete_event("Delete", NAME)

    assert [handler.is_complete(event, None) for _ in range(3)] == [
        {"IsComplete": False},
        {"IsComplete": False},
        {"IsComplete": True},
    ]


@pytest.mark.parametrize(
    ("code", "http_status"), [("ValidationException", 400), ("ResourceNotFound", 400), ("ThrottlingException", 400)]
)
def test_is_complete_on_delete_polls_on_when_the_stop_is_refused_or_throttled(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float], code: str, http_status: int
) -> None:
    _expect_describe(sagemaker, NAME, "InProgress")
    sagemaker.add_client_error("stop_labeling_job", code, "no", http_status, None, {"LabelingJobName": NAME})

    assert handler.is_complete(is_complete_event("Delete", NAME), None) == {"IsComplete": False}
    assert sleeps == []


def test_is_complete_on_delete_fails_when_the_stop_is_denied(handler: ModuleType, sagemaker: Stubber) -> None:
    _expect_describe(sagemaker, NAME, "InProgress")
    sagemaker.add_client_error(
        "stop_labeling_job", "AccessDeniedException", "not authorized", 400, None, {"LabelingJobName": NAME}
    )

    with pytest.raises(handler.LabelingJobError, match="not authorized"):
        handler.is_complete(is_complete_event("Delete", NAME), None)


@pytest.mark.parametrize("tags", [ownership_tags(stack_id=OTHER_STACK_ID), ownership_tags(logical_id="OtherJob"), []])
def test_is_complete_on_delete_never_stops_a_job_of_another_owner(
    handler: ModuleType, sagemaker: Stubber, tags: list[dict[str, str]]
) -> None:
    _expect_describe(sagemaker, NAME, "InProgress", tags=tags)

    assert handler.is_complete(is_complete_event("Delete", NAME), None) == {"IsComplete": True}


def test_a_job_the_chain_creates_after_the_delete_looked_is_stopped(
    handler: ModuleType,
    chain_function: ModuleType,
    sagemaker: Stubber,
    s3: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chain function reads the pending request, Delete withdraws it and finds no job, then the chain
    function creates the job: reading the request again, it finds it withdrawn and stops the job itself,
    and the delete's poll waits until it has stopped."""
    name = _deploy_waiting(handler, sagemaker)
    delete = delete_event(name, prefix_chained_properties())
    load_pending: Callable[[str], Any] = index.load_pending
    reads: list[str] = []

    def load_then_delete(uri: str) -> Any:
        pending = load_pending(uri)
        if not reads:
            assert handler.on_event(delete, None) == {"PhysicalResourceId": name}
        reads.append(uri)
        return pending

    monkeypatch.setattr(index, "load_pending", load_then_delete)
    expect_no_job(sagemaker, name, "no")
    _expect_describe(sagemaker, PREVIOUS_JOB, "Completed")
    sagemaker.add_response(
        "create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, PREVIOUS_JOB)
    )
    sagemaker.add_response("stop_labeling_job", {}, {"LabelingJobName": name})
    _expect_describe(sagemaker, name, "Stopping")
    _expect_describe(sagemaker, name, "Stopped")

    assert chain_function.on_previous_job_completed(completion_event(), None)["Started"] is True
    assert len(reads) == 2, "the chain function reads the request again after creating the job"
    assert pending_document(s3) is None
    poll = {**delete, "PhysicalResourceId": name}
    assert [handler.is_complete(poll, None)["IsComplete"] for _ in range(2)] == [False, True]


def test_the_chain_function_keeps_the_job_while_its_request_stands(
    handler: ModuleType, chain_function: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    name = _deploy_waiting(handler, sagemaker)
    _expect_describe(sagemaker, PREVIOUS_JOB, "Completed")
    sagemaker.add_response(
        "create_labeling_job", {"LabelingJobArn": job_arn(name)}, _started_request(name, PREVIOUS_JOB)
    )
    assert chain_function.on_previous_job_completed(completion_event(), None)["Started"] is True
    assert pending_document(s3) is not None, "no StopLabelingJob: the stub would have failed on it"
