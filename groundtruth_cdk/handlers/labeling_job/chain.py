"""Starts a chained labeling job when the job it follows has completed.

The target of an EventBridge rule on the previous job's state change to ``Completed``. ``Custom::LabelingJob``
(:mod:`index`) stored the chained job's complete CreateLabelingJob request at ``PENDING_REQUEST_URI``
when its previous job had not completed yet; this function fills in what the request takes from the
previous job (its output manifest, its final model) and creates the job.

The previous job is named exactly, or by a name prefix ``P`` (the rule then matches the completion of
every job whose ARN starts with ``...:labeling-job/P-``). The event's first resource, a job ARN, says
which job completed: with a prefix it must be a job ``P-<8 lowercase hex>`` (``P-review-1a2b3c4d``
belongs to another resource) and it is the job followed; with an exact name it must be that job (an
event without resources then falls back to the named job; with a prefix it is ignored).

Nothing else in the event is trusted: the previous job is described, and the job is created only if that
job is ``Completed``. Running twice is harmless: a job of the same name owned by the same resource means the
job was already started (by an earlier event, or by the custom resource itself). Errors are raised, so
Lambda retries the asynchronous invocation.

Runs on the Lambda Python runtime with the standard library and boto3/botocore only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Lambda loads this file as the top-level module ``chain`` (its folder is the code root); the tests
# import it as part of the package.
try:
    from . import aws_calls, index
except ImportError:
    import aws_calls  # type: ignore[no-redef,import-not-found]
    import index  # type: ignore[no-redef,import-not-found]

__all__ = ["PENDING_REQUEST_URI_ENV", "on_previous_job_completed"]

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

#: Environment variable holding the S3 URI of the pending request (the resource's PendingRequestS3Uri).
PENDING_REQUEST_URI_ENV = "PENDING_REQUEST_URI"

#: The resource-name part of a labeling job ARN.
_JOB_ARN_MARKER = ":labeling-job/"

Result = dict[str, Any]


@aws_calls.reported_as(index.LabelingJobError)
def on_previous_job_completed(event: Mapping[str, Any], context: object) -> Result:
    """Create the pending chained job if the job it follows has completed.

    Args:
        event: the EventBridge event (only its job ARN is used: which job completed).
        context: the Lambda context (unused).

    Returns:
        ``{"Started": True, "LabelingJobName": ...}`` when the job was created; ``{"Started": False,
        "Reason": ...}`` (with ``LabelingJobName`` when known) when there is nothing to start: no pending
        request, an event about another job (or, for a name prefix, about no job), a previous job that is
        not Completed, or a job that exists already and belongs to the pending request's resource.

    Raises:
        LabelingJobError: the pending request is unreadable or invalid, the previous job has no output
            to take, the job name is taken by a job of another owner, or a call failed.
    """
    uri = os.environ.get(PENDING_REQUEST_URI_ENV, "")
    index.parse_object_uri(uri, f"Environment variable {PENDING_REQUEST_URI_ENV}")
    pending = index.load_pending(uri)
    if pending is None:
        return _not_started(f"no pending request at {uri}: the job was deleted, or was never waiting")
    name, follows = pending.job_name, pending.follows
    previous_name = _previous_job_name(event, follows)
    if not isinstance(previous_name, str):
        return _not_started(previous_name.reason, name)
    if pending.previous_job_name is not None and pending.previous_job_name != previous_name:
        LOGGER.info(
            "Deployed while %s was the newest job of its prefix; %s completed", pending.previous_job_name, previous_name
        )
    previous = index.describe_job(previous_name)
    status = previous["LabelingJobStatus"]
    if status != "Completed":
        return _not_started(f"the previous job {previous_name} is {status}, not Completed", name)
    request = index.apply_previous_output(pending.request, pending.follows, previous)
    if index.start_job(request) is not None:
        LOGGER.info("Started labeling job %s after %s completed", name, previous_name)
        _stop_if_withdrawn(uri, name)
        return {"Started": True, "LabelingJobName": name}
    job = index.describe_job(name)
    if not pending.owner.owns(job.get("Tags", [])):
        raise index.LabelingJobError(
            f"The labeling job name {name} is taken by a job the resource {pending.owner.logical_id} of stack "
            f"{pending.owner.stack_id} does not own: the chained job cannot start"
        )
    return _not_started(f"{name} exists already ({job['LabelingJobStatus']})", name)


def _stop_if_withdrawn(uri: str, name: str) -> None:
    """Stop ``name`` again if its resource was deleted (or replaced) while this function created it.

    The resource's Delete withdraws the pending request before it stops the job; a creation that raced
    it would otherwise leave a job that nothing owns. Read after the creation, a request that is gone or
    names another job means exactly that.
    """
    pending = index.load_pending(uri)
    if pending is not None and pending.job_name == name:
        return
    LOGGER.warning("The pending request for %s was withdrawn while it was created: stopping it", name)
    index.stop_job(name)


def _not_started(reason: str, name: str | None = None) -> Result:
    """Log why nothing was started and return the matching result."""
    LOGGER.info("Nothing to start: %s", reason)
    result: Result = {"Started": False, "Reason": reason}
    if name is not None:
        result["LabelingJobName"] = name
    return result


@dataclass(frozen=True)
class _Ignored:
    """Why an event is not about the job the pending request follows."""

    reason: str


def _previous_job_name(event: Mapping[str, Any], follows: index.FollowsJob) -> str | _Ignored:
    """Return the name of the completed previous job the event is about (in the case the resource gave
    it), or why the event is ignored.

    With a name prefix the event's job ARN decides which job completed; with an exact name the event
    only rules out another job.
    """
    arn_name = _arn_job_name(event)
    if follows.name_prefix is not None:
        if arn_name is None:
            return _Ignored(
                f"the event names no labeling job ARN in its resources, so it cannot say which job named "
                f"{follows.described} completed"
            )
        matched = follows.matching_name(arn_name)
        if matched is None:
            return _Ignored(f"the event is about {arn_name}, not a job named {follows.described}")
        return matched
    named = arn_name if arn_name is not None else _detail_job_name(event)
    exact = str(follows.job_name)
    if named is not None and follows.matching_name(named) is None:
        return _Ignored(f"the event is about {named}, not {exact}")
    return exact


def _arn_job_name(event: Mapping[str, Any]) -> str | None:
    """Return the name in the event's labeling job ARN (the first of its resources that is one: an event
    of the rule has exactly one; SageMaker writes the name in lower case), or None when there is none."""
    resources = event.get("resources")
    if isinstance(resources, list):
        for resource in resources:
            if isinstance(resource, str) and _JOB_ARN_MARKER in resource:
                return resource.rsplit(_JOB_ARN_MARKER, 1)[1]
    return None


def _detail_job_name(event: Mapping[str, Any]) -> str | None:
    """Return ``detail.LabelingJobName`` when the event has it."""
    detail = event.get("detail")
    if isinstance(detail, Mapping) and isinstance(detail.get("LabelingJobName"), str):
        return str(detail["LabelingJobName"])
    return None
