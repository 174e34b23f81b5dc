"""CloudFormation custom resource ``Custom::LabelingJob``: one SageMaker Ground Truth labeling job.

Served by the CDK Provider framework. :func:`on_event` creates the job (Create and Update) or stops
it (Delete); :func:`is_complete` waits until the job has left ``Initializing``, never until it is
``Completed`` (labeling jobs run for days).

The job name is ``<prefix>-<8 hex>``, the hex being a hash of the resource properties, the stack id and
the logical id. The same request therefore always maps to the same job (CloudFormation retries are
idempotent), any property change maps to a new job (CloudFormation then sends Delete, which stops the
old one) and a re-created stack never collides with a name an earlier stack used: SageMaker never lets
a labeling job name be reused, not even after the job stopped or failed.

With a ``DataSetup`` property, :mod:`data_setup` builds the input manifest from S3 (a listed prefix or
a filtered manifest) before the job is created, and the counts it reports join the resource's Data.

With a ``FollowsJob`` property the job is chained after an earlier one (its output manifest and/or its
final active-learning model become this job's input), named exactly (``LabelingJobName``) or by the name
prefix of its resource (``LabelingJobNamePrefix``: the newest job ``<prefix>-<8 hex>`` is found with
ListLabelingJobs, so no stack needs another's export). The complete request is first written to
``PendingRequestS3Uri``; if the previous job has completed, the job is created at once, otherwise the
resource succeeds without a job and :mod:`chain` creates it from that document when the previous job's
completion event arrives. A request with ``InputConfig.DataSource.SnsDataSource`` is a streaming job: it
needs no manifest and runs until it is stopped.

Runs on the Lambda Python runtime with the standard library and boto3/botocore only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped,unused-ignore]
from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
    ClientError,
)

# Lambda loads this file as the top-level module ``index`` (its folder is the code root); the tests
# import it as part of the package.
try:
    from . import aws_calls, data_setup
except ImportError:
    import aws_calls  # type: ignore[no-redef,import-not-found]
    import data_setup  # type: ignore[no-redef,import-not-found]

__all__ = [
    "LOGICAL_ID_TAG",
    "STACK_ID_TAG",
    "FollowsJob",
    "LabelingJobError",
    "Owner",
    "PendingRequest",
    "apply_previous_output",
    "describe_job",
    "find_earlier_job",
    "is_complete",
    "job_name",
    "load_pending",
    "on_event",
    "parse_object_uri",
    "restore_types",
    "start_job",
]

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

Event = Mapping[str, Any]
Response = dict[str, Any]
Handler = Callable[[Event, object], Response]
_T = TypeVar("_T")

#: Ownership tags added to every job this resource creates.
STACK_ID_TAG = "groundtruth-cdk:stack-id"
LOGICAL_ID_TAG = "groundtruth-cdk:logical-id"

#: CreateLabelingJob's LabelingJobName constraints (the API model's pattern and maximum length).
JOB_NAME_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
MAX_JOB_NAME_LENGTH = 63
NAME_HASH_LENGTH = 8

MAX_MESSAGE_BYTES = aws_calls.MAX_MESSAGE_BYTES

#: The shared retry policy (aws_calls): attempts per call.
MAX_ATTEMPTS = aws_calls.MAX_ATTEMPTS


#: Fragments (lower case) of the ValidationException messages CreateLabelingJob returns while a
#: just-created execution role or its policies have not propagated through IAM yet.
ROLE_PROPAGATION_HINTS = (
    "assume role",
    "not authorized",
    "does not have permission",
    "access denied",
    "accessdenied",
    "insufficient permission",
)

#: Key of on_event's response telling is_complete that an Update kept an existing job of this resource:
#: an ended job (Failed, Stopped) must then not fail the update, nor the rollback to it.
ADOPTED_KEY = "AdoptedExistingJob"

#: Data keys added when the resource has a DataSetup: manifest lines written, objects or texts skipped,
#: and warnings (passed on from on_event to is_complete, so CloudFormation sees them either way).
DATA_SETUP_KEYS = ("ObjectCount", "SkippedObjectCount", "DataSetupNotes")

#: Bound on DataSetupNotes, in bytes once JSON-encoded as UTF-8 (the response must stay under 4 KB).
MAX_NOTES_BYTES = 500

#: Key of on_event's response telling is_complete that a chained job waits for its previous job: there is
#: no job to describe yet, so the resource is complete at once with on_event's Data.
WAITING_KEY = "WaitingForPreviousJob"

#: Data key of a chained job: whether it started or still waits for its previous job.
CHAIN_STATUS_KEY = "ChainStatus"
FOLLOWS_JOB_KEY = "FollowsJob"
#: Bound on ChainStatus, in bytes once JSON-encoded as UTF-8.
MAX_CHAIN_STATUS_BYTES = 200

#: Data key of a streaming job: the SQS queue Ground Truth creates for it (and leaves behind).
STREAMING_QUEUE_KEY = "StreamingQueueName"

#: Data keys on_event computes that is_complete passes on (the framework hands it on_event's Data).
PASSED_ON_KEYS = (*DATA_SETUP_KEYS, FOLLOWS_JOB_KEY, CHAIN_STATUS_KEY, STREAMING_QUEUE_KEY)

#: Statuses in which the job still has work to stop.
RUNNING_STATUSES = frozenset({"Initializing", "InProgress"})
ENDED_STATUSES = frozenset({"Failed", "Stopping", "Stopped"})

NETWORK_ERRORS = aws_calls.NETWORK_ERRORS

# Patched by the tests: no real sleeping, no real randomness needed.
_sleep: Callable[[float], None] = time.sleep
_jitter: Callable[[], float] = random.random

_CLIENT_CONFIG = aws_calls.CLIENT_CONFIG
_CLIENTS: dict[str, Any] = {}


class LabelingJobError(Exception):
    """A failure reported to CloudFormation; the message is truncated to stay within its limits."""

    def __init__(self, message: str) -> None:
        """Create the error with ``message`` cut to :data:`MAX_MESSAGE_BYTES` (JSON, UTF-8)."""
        super().__init__(_truncate(message))


_truncate = aws_calls.truncate


def _client(service: str) -> Any:
    """Return the module's shared client for ``service``, created on first use.

    botocore's own retries are off: this module's retry policy is the only one.
    """
    client = _CLIENTS.get(service)
    if client is None:
        client = boto3.client(service, config=_CLIENT_CONFIG)
        _CLIENTS[service] = client
    return client


# --------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------


_reported_errors = aws_calls.reported_as(LabelingJobError)


@_reported_errors
def on_event(event: Event, context: object) -> Response:
    """Handle a CloudFormation custom-resource event: create (Create/Update) or stop (Delete) a job.

    Args:
        event: the custom-resource event passed on by the Provider framework.
        context: the Lambda context (unused).

    Returns:
        ``{"PhysicalResourceId": <job name>, "Data": {...}}`` (Data only for Create and Update).
    """
    request_type = event["RequestType"]
    LOGGER.info(
        "%s %s (physical id %s)",
        request_type,
        event.get("LogicalResourceId"),
        event.get("PhysicalResourceId"),
    )
    if request_type in ("Create", "Update"):
        return _create(event, context)
    if request_type == "Delete":
        return _delete(event)
    raise LabelingJobError(f"Unsupported RequestType {request_type!r}")


@_reported_errors
def is_complete(event: Event, context: object) -> Response:
    """Tell the Provider framework whether the job created by :func:`on_event` has started.

    Args:
        event: the custom-resource event merged with :func:`on_event`'s result.
        context: the Lambda context (unused).

    Returns:
        ``{"IsComplete": False}`` while the job initializes (or SageMaker is throttling),
        ``{"IsComplete": True, "Data": {...}}`` once it is running or done, and at once (without a call)
        for a chained job still waiting for its previous job.

    Raises:
        LabelingJobError: the job failed or was stopped before it started.
    """
    if event["RequestType"] == "Delete":
        owner = Owner(stack_id=str(event.get("StackId", "")), logical_id=str(event.get("LogicalResourceId", "")))
        return {"IsComplete": _has_stopped(event.get("PhysicalResourceId", ""), owner)}
    if event.get(WAITING_KEY) is True:
        data = event.get("Data")
        return {"IsComplete": True, "Data": dict(data) if isinstance(data, Mapping) else {}}
    name = event["PhysicalResourceId"]
    try:
        job = _client("sagemaker").describe_labeling_job(LabelingJobName=name)
    except (ClientError, *NETWORK_ERRORS) as error:
        if _is_transient(error) or _error_code(error) == "ResourceNotFound":
            LOGGER.warning("DescribeLabelingJob %s: %s; polling again later", name, error)
            return {"IsComplete": False}
        raise
    status = job["LabelingJobStatus"]
    LOGGER.info("Labeling job %s is %s", name, status)
    if status == "Initializing":
        return {"IsComplete": False}
    if status in ("InProgress", "Completed") or (event.get(ADOPTED_KEY) is True and status in ENDED_STATUSES):
        data = _job_data(name, job["LabelingJobArn"], job["OutputConfig"]["S3OutputPath"], event["StackId"])
        data.update(_passed_on_data(event))
        return {"IsComplete": True, "Data": data}
    if status == "Failed":
        raise LabelingJobError(f"Labeling job {name} failed: {job.get('FailureReason', 'no reason given')}")
    if status in ("Stopping", "Stopped"):
        raise LabelingJobError(
            f"Labeling job {name} was stopped before it started (status {status}); a stopped job "
            "cannot be restarted: change any property to create a new job."
        )
    raise LabelingJobError(f"Labeling job {name} has an unexpected status {status!r}")


# --------------------------------------------------------------------------------------------------
# Create / Update
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The CloudFormation resource a job belongs to."""

    stack_id: str
    logical_id: str

    def tags(self) -> list[dict[str, str]]:
        """Return the ownership tags to put on the job."""
        return [
            {"Key": STACK_ID_TAG, "Value": self.stack_id},
            {"Key": LOGICAL_ID_TAG, "Value": self.logical_id},
        ]

    def owns(self, tags: list[Mapping[str, str]]) -> bool:
        """Return whether ``tags`` (a job's tags) name this resource as the owner."""
        values = {tag.get("Key"): tag.get("Value") for tag in tags}
        return values.get(STACK_ID_TAG) == self.stack_id and values.get(LOGICAL_ID_TAG) == self.logical_id


def _create(event: Event, context: object) -> Response:
    """Write the job's inputs to S3 and create the job (or adopt it if this resource already did).

    A chained job (``FollowsJob``) goes through :func:`_create_chained` once its request is complete.
    """
    properties = event["ResourceProperties"]
    owner = Owner(stack_id=event["StackId"], logical_id=event["LogicalResourceId"])
    template = _required(properties, "LabelingJobRequest")
    if not isinstance(template, Mapping):
        raise LabelingJobError("Property LabelingJobRequest must be an object")
    prefix = _required(template, "LabelingJobName", "LabelingJobRequest.")
    name = job_name(prefix, properties, stack_id=owner.stack_id, logical_id=owner.logical_id)
    request = restore_types(template, _create_request_shape(), "LabelingJobRequest")
    request["LabelingJobName"] = name
    existing = _existing_job(name) if event["RequestType"] == "Update" else None
    chain = _parse_chain(properties, request)
    if existing is not None:
        # A rollback to the previous properties or a ServiceToken-only update: the job exists, so its
        # inputs are not rebuilt (rewriting a running job's manifest or template would change it). A
        # retried Create rewrites the same inputs and meets ResourceInUse below.
        arn = _adopt(existing, event, owner)
        data = _job_data(name, arn, existing["OutputConfig"]["S3OutputPath"], owner.stack_id)
        if "DataSetup" in properties:
            data.update(_existing_job_setup_data(existing))
        previous_name = None if chain is None else _adopted_job_follows(chain.follows, owner)
        started = None if previous_name is None else _started_status(previous_name)
        data.update(_job_notes(request, previous_name, started))
        return {"PhysicalResourceId": name, "Data": data, ADOPTED_KEY: _is_current(event, name)}
    region = _region_and_partition(owner.stack_id)[0]
    uris, outcome = _write_artifacts(properties, name, region=region, deadline=_deadline(context))
    for path, uri in uris.items():
        _set_path(request, path, uri)
    _drop_empty_s3_source(request)
    request["Tags"] = _with_ownership_tags(request.get("Tags", []), owner)
    setup_data = _outcome_data(outcome) if outcome is not None else {}
    if chain is not None:
        return _create_chained(event, request, chain, owner, setup_data)
    arn, existed = _create_job(request, owner, event)
    data = _job_data(name, arn, request["OutputConfig"]["S3OutputPath"], owner.stack_id)
    data.update(setup_data)
    data.update(_job_notes(request, None, None))
    # Read by is_complete only (the framework passes extra keys to it, not to CloudFormation).
    return {"PhysicalResourceId": name, "Data": data, ADOPTED_KEY: existed and _is_current(event, name)}


def _adopted_job_follows(follows: FollowsJob, owner: Owner) -> str:
    """Return the earlier job of a chained job that exists already (an Update keeping it), for its Data.

    With a name prefix this is the newest job of the prefix now (the job it followed, unless the earlier
    resource was replaced since). A failure to find it must not fail the update (or its rollback): the
    prefix form is reported instead.
    """
    try:
        return find_earlier_job(follows, _region_and_partition(owner.stack_id)[0])
    except (LabelingJobError, ClientError, *NETWORK_ERRORS) as error:
        LOGGER.warning("Could not find the job %s follows: %s", follows.described, error)
        return follows.described


def _job_notes(request: Mapping[str, Any], previous_name: str | None, chain_status: str | None) -> dict[str, str]:
    """Return the Data keys describing how the job runs: the job it follows, its chain status, its
    streaming queue.

    ``StreamingQueueName`` is the SQS queue Ground Truth creates for a streaming job (named after the
    job, in lower case); ``FollowsJob`` (the earlier job's name, ``previous_name``: for a name prefix,
    the job found at deploy) and ``ChainStatus`` (kept short) are given for a chained job only.
    """
    notes: dict[str, str] = {}
    if previous_name is not None:
        notes[FOLLOWS_JOB_KEY] = previous_name
    if chain_status is not None:
        notes[CHAIN_STATUS_KEY] = _truncate(chain_status, MAX_CHAIN_STATUS_BYTES)
    if _is_streaming(request):
        notes[STREAMING_QUEUE_KEY] = _streaming_queue_name(str(request["LabelingJobName"]))
    return notes


def _is_streaming(request: object) -> bool:
    """Whether the request is a streaming job's (its input has an SNS topic)."""
    return isinstance(_member(request, "InputConfig", "DataSource", "SnsDataSource"), Mapping)


def _member(value: object, *path: str) -> Any:
    """Return ``value[path[0]][path[1]]...``, or None where a level is missing or not an object."""
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _streaming_queue_name(name: str) -> str:
    """Return the name of the SQS queue Ground Truth creates for streaming job ``name``."""
    return f"GroundTruth-{name.lower()}"


def _drop_empty_s3_source(request: dict[str, Any]) -> None:
    """Remove an empty ``S3DataSource`` beside an ``SnsDataSource``: a streaming job needs no manifest, and
    the API rejects an S3 data source without one."""
    source = _member(request, "InputConfig", "DataSource")
    if isinstance(source, dict) and "SnsDataSource" in source and source.get("S3DataSource") == {}:
        del source["S3DataSource"]


def _existing_job(name: str) -> dict[str, Any] | None:
    """DescribeLabelingJob's response for ``name``, or ``None`` when no job has that name."""
    try:
        return describe_job(name)
    except ClientError as error:
        if _error_code(error) == "ResourceNotFound":
            return None
        raise


def _adopt(job: Mapping[str, Any], event: Event, owner: Owner) -> str:
    """Accept an existing job with this resource's name, or fail saying why; return its ARN.

    Accepted: a job of this resource that is still starting or running (a retried Create, a rollback
    to the previous properties), and any job of this resource that is the resource's current one (an
    Update that changed only the ServiceToken). Refused: a job of another owner, and an ended job of
    this resource that is not its current one — a job stopped when it was replaced, or a Create whose
    earlier job already ran — because SageMaker never reuses a name and the deploy must not pretend.
    """
    name = str(job["LabelingJobName"])
    if not owner.owns(job.get("Tags", [])):
        raise LabelingJobError(
            f"The labeling job name {name} is taken by a job this resource does not own (it lacks the "
            f"tags {STACK_ID_TAG}={owner.stack_id} and {LOGICAL_ID_TAG}={owner.logical_id}). SageMaker "
            "never allows a labeling job name to be reused; change the job name prefix or any other "
            "property to get a new name."
        )
    status = job["LabelingJobStatus"]
    if status not in RUNNING_STATUSES and not _is_current(event, name):
        raise LabelingJobError(
            f"This resource already ran a labeling job with these exact properties ({name}, now {status}), "
            "and SageMaker never reuses a job name. Change any property (for example add a tag) to "
            "create a new job."
        )
    LOGGER.info("Labeling job %s already exists and belongs to this resource (%s)", name, status)
    return str(job["LabelingJobArn"])


def _is_current(event: Event, name: str) -> bool:
    """Whether ``name`` is the resource's current job (an Update that kept every job property)."""
    return event["RequestType"] == "Update" and event.get("PhysicalResourceId") == name


def _existing_job_setup_data(job: Mapping[str, Any]) -> dict[str, str]:
    """The data setup keys for a job that existed already: counted by SageMaker, not rebuilt."""
    counters = job.get("LabelCounters", {})
    total = sum(int(counters.get(key, 0)) for key in ("TotalLabeled", "FailedNonRetryableError", "Unlabeled"))
    return {
        "ObjectCount": str(total),
        "SkippedObjectCount": "0",
        "DataSetupNotes": "the job existed already: its manifest was not rebuilt",
    }


def _required(mapping: Mapping[str, Any], key: str, where: str = "") -> Any:
    """Return ``mapping[key]``, failing with a clear message when it is missing or empty."""
    value = mapping.get(key)
    if value is None or value == "":
        raise LabelingJobError(f"Missing required property {where}{key}")
    return value


def job_name(prefix: str, properties: Mapping[str, Any], *, stack_id: str, logical_id: str) -> str:
    """Return the deterministic job name ``<prefix>-<8 hex>`` for a resource and its properties.

    The hex is a sha256 over a canonical JSON of every property except ServiceToken, the stack id
    and the logical id.

    Args:
        prefix: the name prefix (``LabelingJobRequest.LabelingJobName``).
        properties: the resource properties.
        stack_id: the stack ARN.
        logical_id: the resource's logical id.

    Raises:
        LabelingJobError: the result is not a valid labeling job name (the prefix is invalid).
    """
    identity = {
        "LogicalResourceId": logical_id,
        "ResourceProperties": {key: value for key, value in properties.items() if key != "ServiceToken"},
        "StackId": stack_id,
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:NAME_HASH_LENGTH]
    name = f"{prefix}-{digest}"
    if len(name) > MAX_JOB_NAME_LENGTH or not JOB_NAME_PATTERN.fullmatch(name):
        raise LabelingJobError(
            f"Invalid job name prefix {prefix!r}: the job name {name!r} must be at most "
            f"{MAX_JOB_NAME_LENGTH} characters matching {JOB_NAME_PATTERN.pattern}"
        )
    return name


def _with_ownership_tags(tags: list[dict[str, str]], owner: Owner) -> list[dict[str, str]]:
    """Return ``tags`` with the ownership tags set (replacing any with the same keys)."""
    kept = [tag for tag in tags if tag.get("Key") not in (STACK_ID_TAG, LOGICAL_ID_TAG)]
    return kept + owner.tags()


def _set_path(request: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    """Set ``request[path[0]][path[1]]...`` to ``value``, creating missing structures."""
    node = request
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _create_job(request: dict[str, Any], owner: Owner, event: Event) -> tuple[str, bool]:
    """Call CreateLabelingJob; return the job ARN and whether the job existed already.

    A name that came into use since :func:`_existing_job` looked (a concurrent retry, or the chain
    function starting a chained job) is accepted on the terms of :func:`_adopt`.
    """
    arn = start_job(request)
    if arn is not None:
        return arn, False
    return _adopt(describe_job(request["LabelingJobName"]), event, owner), True


def start_job(request: Mapping[str, Any]) -> str | None:
    """Call CreateLabelingJob with ``request``; return the new job's ARN, or None if the name is in use.

    Throttling, server errors and the errors of a not yet propagated IAM role are retried.

    Raises:
        LabelingJobError: the call still failed after :data:`MAX_ATTEMPTS` attempts.
        ClientError: any other error of the service.
    """
    name = request["LabelingJobName"]
    sagemaker = _client("sagemaker")
    try:
        response = _with_retries(
            lambda: sagemaker.create_labeling_job(**request),
            f"CreateLabelingJob {name}",
            _is_retryable_create_error,
        )
    except ClientError as error:
        if _error_code(error) != "ResourceInUse":
            raise
        LOGGER.info("A labeling job named %s exists already", name)
        return None
    LOGGER.info("Created labeling job %s", name)
    return str(response["LabelingJobArn"])


def describe_job(name: str) -> dict[str, Any]:
    """Return DescribeLabelingJob's response for ``name`` (transient errors retried; a missing job raises
    ClientError ``ResourceNotFound``)."""
    sagemaker = _client("sagemaker")
    response: dict[str, Any] = _with_retries(
        lambda: sagemaker.describe_labeling_job(LabelingJobName=name),
        f"DescribeLabelingJob {name}",
        _is_transient,
    )
    return response


def _job_data(name: str, arn: str, s3_output_path: str, stack_id: str) -> dict[str, str]:
    """Return the attributes exposed to the stack (Fn::GetAtt)."""
    region, partition = _region_and_partition(stack_id)
    console = _console_domain(region, partition)
    return {
        "LabelingJobName": name,
        "LabelingJobArn": arn,
        "OutputManifestS3Uri": f"{s3_output_path.rstrip('/')}/{name}/manifests/output/output.manifest",
        "ConsoleUrl": f"https://{console}/sagemaker/groundtruth?region={region}#/labeling-jobs/details/{name}",
    }


def _expected_job_arn(name: str, stack_id: str) -> str:
    """Return the ARN job ``name`` will have, in the stack's partition, region and account.

    SageMaker puts resource names in lower case in its ARNs.
    """
    region, partition = _region_and_partition(stack_id)
    parts = stack_id.split(":")
    account = parts[4] if len(parts) >= 5 else ""
    return f"arn:{partition}:sagemaker:{region}:{account}:labeling-job/{name.lower()}"


def _region_and_partition(stack_id: str) -> tuple[str, str]:
    """Return the region and partition of the stack ARN, or of the Lambda's environment."""
    parts = stack_id.split(":")
    if len(parts) >= 4 and parts[0] == "arn" and parts[1] and parts[3]:
        return parts[3], parts[1]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return region, "aws"


def _console_domain(region: str, partition: str) -> str:
    """Return the AWS console host name for ``region`` in ``partition``."""
    if partition == "aws-cn":
        return f"{region}.console.amazonaws.cn"
    if partition == "aws-us-gov":
        return f"{region}.console.amazonaws-us-gov.com"
    return f"{region}.console.aws.amazon.com"


# --------------------------------------------------------------------------------------------------
# Artifacts written to S3
# --------------------------------------------------------------------------------------------------


def _render_label_categories(text: str) -> bytes:
    """Check that the label category document is a JSON object and return it unchanged."""
    if not isinstance(_parse_json(text, "LabelCategoryConfig"), dict):
        raise LabelingJobError("Property LabelCategoryConfig must be a JSON object")
    return text.encode("utf-8")


def _render_template(text: str) -> bytes:
    """Return the Liquid worker template as UTF-8."""
    return text.encode("utf-8")


def _render_manifest(text: str) -> bytes:
    """Turn a JSON list of objects into a JSON Lines manifest (one compact object per line)."""
    lines = _parse_json(text, "ManifestLines")
    if not isinstance(lines, list) or not lines or not all(isinstance(line, dict) for line in lines):
        raise LabelingJobError("Property ManifestLines must be a JSON list of one or more objects")
    rendered = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)
    return rendered.encode("utf-8")


def _parse_json(text: str, property_name: str) -> Any:
    """Parse a JSON-valued property, failing with a message naming the property."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:
        raise LabelingJobError(f"Property {property_name} is not valid JSON: {error}") from error


@dataclass(frozen=True)
class _Artifact:
    """A generated input file: which property it comes from and where its URI goes in the request."""

    property_name: str
    file_name: str
    content_type: str
    request_path: tuple[str, ...]
    render: Callable[[str], bytes]


_ARTIFACTS = (
    _Artifact(
        "LabelCategoryConfig",
        "label-categories.json",
        "application/json",
        ("LabelCategoryConfigS3Uri",),
        _render_label_categories,
    ),
    _Artifact(
        "UiTemplate",
        "template.liquid",
        "text/html; charset=utf-8",
        ("HumanTaskConfig", "UiConfig", "UiTemplateS3Uri"),
        _render_template,
    ),
    _Artifact(
        "ManifestLines",
        "input.manifest",
        "application/jsonl",
        ("InputConfig", "DataSource", "S3DataSource", "ManifestS3Uri"),
        _render_manifest,
    ),
)

_S3_URI = re.compile(r"s3://(?P<bucket>[^/]+)/?(?P<prefix>.*)")

#: Where the manifest's URI goes in the request (the ManifestLines artifact's path, shared by DataSetup).
_MANIFEST_PATH = ("InputConfig", "DataSource", "S3DataSource", "ManifestS3Uri")


def _write_artifacts(
    properties: Mapping[str, Any], name: str, *, region: str, deadline: float | None = None
) -> tuple[dict[tuple[str, ...], str], data_setup.Outcome | None]:
    """Write the artifacts whose property is given under ``<ArtifactsS3Uri>/<name>/``.

    Every artifact is rendered (and so validated), and a DataSetup parsed, before anything is written;
    the manifest a DataSetup describes is built before the other artifacts are written.

    Returns:
        the S3 URI of each written artifact, keyed by its field path in the request, and what the data
        setup wrote (None without a DataSetup).
    """
    present = [artifact for artifact in _ARTIFACTS if properties.get(artifact.property_name) is not None]
    setup_value = properties.get("DataSetup")
    if not present and setup_value is None:
        return {}, None
    if setup_value is not None and properties.get("ManifestLines") is not None:
        raise LabelingJobError("Properties DataSetup and ManifestLines cannot be used together")
    location = _S3_URI.fullmatch(_required(properties, "ArtifactsS3Uri"))
    if location is None:
        raise LabelingJobError(
            f"Property ArtifactsS3Uri must be s3://bucket/prefix/, not {properties['ArtifactsS3Uri']!r}"
        )
    bucket, prefix = location["bucket"], location["prefix"]
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    bodies = [(artifact, _render(artifact, properties[artifact.property_name])) for artifact in present]
    uris: dict[tuple[str, ...], str] = {}
    outcome = None
    if setup_value is not None:
        outcome = _build_manifest(setup_value, data_setup.Destination(bucket, f"{prefix}{name}/"), region, deadline)
        uris[_MANIFEST_PATH] = outcome.manifest_uri
    for artifact, body in bodies:
        key = f"{prefix}{name}/{artifact.file_name}"
        _put_object(bucket, key, body, artifact.content_type)
        uris[artifact.request_path] = f"s3://{bucket}/{key}"
    return uris, outcome


def _build_manifest(
    setup_value: object, destination: data_setup.Destination, region: str, deadline: float | None
) -> data_setup.Outcome:
    """Build the manifest a DataSetup property describes (see :mod:`data_setup`)."""
    try:
        setup = data_setup.parse_setup(setup_value)
        return data_setup.build_manifest(
            setup, destination, s3=_client("s3"), retry=_retry_transient, region=region, deadline=deadline
        )
    except data_setup.DataSetupError as error:
        raise LabelingJobError(str(error)) from error


def _outcome_data(outcome: data_setup.Outcome) -> dict[str, str]:
    """Return the Data keys reporting a data setup (tiny: counts and truncated notes)."""
    return {
        "ObjectCount": str(outcome.object_count),
        "SkippedObjectCount": str(outcome.skipped_count),
        "DataSetupNotes": _truncate("; ".join(outcome.notes), MAX_NOTES_BYTES),
    }


def _passed_on_data(event: Event) -> dict[str, str]:
    """Return the :data:`PASSED_ON_KEYS` of on_event's Data, which the framework passes to is_complete."""
    data = event.get("Data")
    if not isinstance(data, Mapping):
        return {}
    return {key: str(data[key]) for key in PASSED_ON_KEYS if key in data}


def _deadline(context: object) -> float | None:
    """Return the ``time.monotonic()`` by which a data setup must stop, from the Lambda context."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    return time.monotonic() + float(remaining()) / 1000 - data_setup.DEADLINE_MARGIN_SECONDS


def _render(artifact: _Artifact, value: object) -> bytes:
    """Return the file content of ``artifact`` from its property value (which must be a string)."""
    if not isinstance(value, str):
        raise LabelingJobError(f"Property {artifact.property_name} must be a string, not {type(value).__name__}")
    return artifact.render(value)


def _put_object(bucket: str, key: str, body: bytes, content_type: str) -> None:
    """Write one object (transient errors retried)."""
    s3 = _client("s3")
    _with_retries(
        lambda: s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type),
        f"PutObject s3://{bucket}/{key}",
        _is_transient,
    )
    LOGGER.info("Wrote s3://%s/%s (%d bytes)", bucket, key, len(body))


# --------------------------------------------------------------------------------------------------
# Chained jobs (FollowsJob)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowsJob:
    """The job a chained job follows, and what it takes from that job once it has completed.

    The earlier job is given either by its exact name (``job_name``) or by the name prefix of the
    ``Custom::LabelingJob`` resource that runs it (``name_prefix``): that resource's jobs are named
    ``<name_prefix>-<8 lowercase hex>``, and the chained job follows the newest of them (at deploy) or
    whichever of them completes (the chain function). Exactly one of the two is set.
    """

    job_name: str | None
    use_output_manifest: bool
    use_final_model: bool
    name_prefix: str | None = None

    @classmethod
    def parse(cls, value: object, where: str) -> FollowsJob:
        """Read a ``FollowsJob`` value (booleans may be "true"/"false" strings, missing ones are false).

        Raises:
            LabelingJobError: the value is not an object, has not exactly one of ``LabelingJobName`` and
                ``LabelingJobNamePrefix``, or that member is not a valid job name (prefix).
        """
        if not isinstance(value, Mapping):
            raise LabelingJobError(f"{where} must be an object")
        name, prefix = value.get(NAME_KEY), value.get(PREFIX_KEY)
        if (name is None) == (prefix is None):
            raise LabelingJobError(
                f"{where} must have exactly one of {NAME_KEY} (an exact job name) and {PREFIX_KEY} (the name "
                f"prefix of the earlier job's resource), not {'both' if name is not None else 'neither'}"
            )
        if name is not None and not _is_job_name(name, MAX_JOB_NAME_LENGTH):
            raise LabelingJobError(f"{where}.{NAME_KEY} must be a labeling job name, not {name!r}")
        if prefix is not None and not _is_job_name(prefix, MAX_JOB_NAME_PREFIX_LENGTH):
            raise LabelingJobError(
                f"{where}.{PREFIX_KEY} must be a labeling job name prefix (at most {MAX_JOB_NAME_PREFIX_LENGTH} "
                f"characters matching {JOB_NAME_PATTERN.pattern}), not {prefix!r}"
            )
        return cls(
            job_name=name,
            name_prefix=prefix,
            use_output_manifest=_flag(value, "UseOutputManifest", where),
            use_final_model=_flag(value, "UseFinalModel", where),
        )

    @property
    def described(self) -> str:
        """The earlier job for messages: its name, or ``<prefix>-<8 hex digits>``."""
        if self.name_prefix is not None:
            return f"{self.name_prefix}-<{NAME_HASH_LENGTH} hex digits>"
        return str(self.job_name)

    def matching_name(self, name: str) -> str | None:
        """Return the earlier job's name if ``name`` is one (else None), in the case the resource gave it.

        SageMaker writes job names in lower case in ARNs, so ``name`` is compared without regard to case:
        an exact name must be equal, a name of the prefix form must be ``<prefix>-`` and 8 lowercase hex
        digits (``<prefix>-review-1a2b3c4d`` is another resource's job, not one of ``<prefix>``).
        """
        if self.name_prefix is None:
            return self.job_name if self.job_name is not None and name.lower() == self.job_name.lower() else None
        pattern = f"(?i:{re.escape(self.name_prefix)})-[0-9a-f]{{{NAME_HASH_LENGTH}}}"
        if not re.fullmatch(pattern, name):
            return None
        return self.name_prefix + name[len(self.name_prefix) :]

    def document(self) -> dict[str, Any]:
        """Return the value as the pending document stores it (as given, with real booleans)."""
        earlier = {NAME_KEY: self.job_name} if self.name_prefix is None else {PREFIX_KEY: self.name_prefix}
        return {
            **earlier,
            "UseOutputManifest": self.use_output_manifest,
            "UseFinalModel": self.use_final_model,
        }


#: FollowsJob's two ways of naming the earlier job.
NAME_KEY = "LabelingJobName"
PREFIX_KEY = "LabelingJobNamePrefix"

#: The longest name prefix: ``<prefix>-<8 hex>`` must still be a valid job name.
MAX_JOB_NAME_PREFIX_LENGTH = MAX_JOB_NAME_LENGTH - 1 - NAME_HASH_LENGTH

#: ListLabelingJobs' largest page.
LIST_PAGE_SIZE = 100


def _is_job_name(value: object, max_length: int) -> bool:
    """Whether ``value`` is a string matching :data:`JOB_NAME_PATTERN`, at most ``max_length`` long."""
    return isinstance(value, str) and len(value) <= max_length and JOB_NAME_PATTERN.fullmatch(value) is not None


def find_earlier_job(follows: FollowsJob, region: str) -> str:
    """Return the name of the job ``follows`` names: its exact name, or the newest job of its prefix.

    For a prefix ``P``, ListLabelingJobs (``NameContains=P``, newest first, pages followed) is searched for
    the most recently created job named ``P-<8 lowercase hex>`` that has not failed or been stopped (an
    update of the earlier stack that failed leaves such a job newest while the resource's real job runs
    on); only when every job of the prefix has ended is the newest of them returned (its status then
    explains why the follow-up cannot start).

    Raises:
        LabelingJobError: no job of the prefix exists (``region`` is named in the message), or the listing
            still failed after retries.
        ClientError: any other error of the service.
    """
    if follows.name_prefix is None:
        return str(follows.job_name)
    prefix = follows.name_prefix
    token: str | None = None
    newest_ended: str | None = None
    while True:
        page = _list_jobs_page(prefix, token)
        for summary in page.get("LabelingJobSummaryList", []):
            name = follows.matching_name(str(summary.get("LabelingJobName", "")))
            if name is None:
                continue
            status = summary.get("LabelingJobStatus")
            if status in ENDED_STATUSES:
                LOGGER.info("Skipping %s of prefix %s: it is %s", name, prefix, status)
                newest_ended = newest_ended or name
                continue
            LOGGER.info("The newest live job of prefix %s is %s (%s)", prefix, name, status)
            return name
        token = page.get("NextToken") or None
        if token is None and newest_ended is not None:
            return newest_ended
        if token is None:
            raise LabelingJobError(
                f"FollowsJob: no labeling job named {follows.described} exists yet in {region}: deploy the "
                "stack of the earlier job first"
            )


def _list_jobs_page(prefix: str, token: str | None) -> dict[str, Any]:
    """Return one page of ListLabelingJobs for the names containing ``prefix``, newest first."""
    arguments: dict[str, Any] = {
        "NameContains": prefix,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": LIST_PAGE_SIZE,
    }
    if token is not None:
        arguments["NextToken"] = token
    sagemaker = _client("sagemaker")
    page: dict[str, Any] = _retry_transient(
        lambda: sagemaker.list_labeling_jobs(**arguments), f"ListLabelingJobs NameContains={prefix}"
    )
    return page


def _flag(value: Mapping[str, Any], key: str, where: str) -> bool:
    """Return a boolean member of ``value`` given as a boolean or as "true"/"false" (missing: false)."""
    flag = value.get(key, False)
    if isinstance(flag, bool):
        return flag
    if isinstance(flag, str):
        return bool(_convert_scalar(flag, "boolean", f"{where}.{key}"))
    raise LabelingJobError(f"{where}.{key} must be true or false, got {flag!r}")


@dataclass(frozen=True)
class PendingRequest:
    """A chained job's complete CreateLabelingJob request, waiting for the previous job to complete.

    Stored as JSON ``{"LabelingJobName", "Request", "FollowsJob", "StackId", "LogicalResourceId"}``, plus
    ``PreviousJobName`` when FollowsJob gives a name prefix: the newest job of that prefix when the resource
    was deployed (for logging only: the chain function follows whichever job of the prefix completes).
    """

    request: dict[str, Any]
    follows: FollowsJob
    owner: Owner
    previous_job_name: str | None = None

    @property
    def job_name(self) -> str:
        """The name of the job the request creates."""
        return str(self.request["LabelingJobName"])

    def document(self) -> dict[str, Any]:
        """Return the JSON document stored in S3."""
        document = {
            "LabelingJobName": self.job_name,
            "Request": self.request,
            "FollowsJob": self.follows.document(),
            "StackId": self.owner.stack_id,
            "LogicalResourceId": self.owner.logical_id,
        }
        if self.previous_job_name is not None:
            document["PreviousJobName"] = self.previous_job_name
        return document

    @classmethod
    def from_document(cls, document: object, uri: str) -> PendingRequest:
        """Read a stored document.

        Raises:
            LabelingJobError: the document is not one this module wrote.
        """
        where = f"The pending request {uri}"
        if not isinstance(document, Mapping):
            raise LabelingJobError(f"{where} is not a JSON object")
        request = document.get("Request")
        if not isinstance(request, dict) or request.get("LabelingJobName") != document.get("LabelingJobName"):
            raise LabelingJobError(f"{where} has no Request for the job it names")
        stack_id, logical_id = document.get("StackId"), document.get("LogicalResourceId")
        if not isinstance(stack_id, str) or not isinstance(logical_id, str) or not stack_id or not logical_id:
            raise LabelingJobError(f"{where} does not name its stack and logical id")
        follows = FollowsJob.parse(document.get("FollowsJob"), f"{where}: FollowsJob")
        previous = document.get("PreviousJobName")
        return cls(
            request=request,
            follows=follows,
            owner=Owner(stack_id=stack_id, logical_id=logical_id),
            previous_job_name=previous if isinstance(previous, str) else None,
        )


@dataclass(frozen=True)
class _Chain:
    """A chained resource's settings: the job it follows and where its request waits."""

    follows: FollowsJob
    pending_uri: str


def _parse_chain(properties: Mapping[str, Any], request: Mapping[str, Any]) -> _Chain | None:
    """Read ``FollowsJob`` and ``PendingRequestS3Uri`` (None without FollowsJob), checking they fit the rest.

    Raises:
        LabelingJobError: PendingRequestS3Uri is missing or not an object URI; the previous job's output
            manifest is asked for together with another manifest (DataSetup, ManifestLines or a
            ManifestS3Uri in the request); its final model is asked for without automated data labeling.
    """
    value = properties.get("FollowsJob")
    if value is None:
        return None
    follows = FollowsJob.parse(value, "Property FollowsJob")
    uri = _required(properties, "PendingRequestS3Uri")
    parse_object_uri(uri, "Property PendingRequestS3Uri")
    if follows.use_output_manifest:
        for other in ("DataSetup", "ManifestLines"):
            if properties.get(other) is not None:
                raise LabelingJobError(
                    f"Properties {other} and FollowsJob.UseOutputManifest cannot be used together: the "
                    "previous job's output manifest is this job's input"
                )
        if _member(request, *_MANIFEST_PATH):
            raise LabelingJobError(
                "LabelingJobRequest.InputConfig.DataSource.S3DataSource.ManifestS3Uri and "
                "FollowsJob.UseOutputManifest cannot be used together"
            )
    if follows.use_final_model and not isinstance(request.get("LabelingJobAlgorithmsConfig"), Mapping):
        raise LabelingJobError(
            "FollowsJob.UseFinalModel needs LabelingJobRequest.LabelingJobAlgorithmsConfig: only a job with "
            "automated data labeling can start from the previous job's model"
        )
    return _Chain(follows=follows, pending_uri=str(uri))


def _started_status(previous_name: str) -> str:
    """ChainStatus of a chained job that exists."""
    return f"started after {previous_name} completed"


def _create_chained(
    event: Event, request: dict[str, Any], chain: _Chain, owner: Owner, setup_data: Mapping[str, str]
) -> Response:
    """Store the complete request, then create the job if the previous job has completed, else leave it
    waiting for :mod:`chain`.

    The request is stored before the previous job is described, so a completion event arriving between
    the two calls finds it. If this fails afterwards, the stored request is withdrawn (when it is still
    this job's), so the chain never starts a job whose resource failed.

    With a name prefix, the earlier job (the newest of the prefix) is found first: nothing is stored when
    there is none. Finding it before storing the request is safe, as the job's status is only read after.
    """
    name = str(request["LabelingJobName"])
    follows = chain.follows
    previous_name = find_earlier_job(follows, _region_and_partition(owner.stack_id)[0])
    recorded = previous_name if follows.name_prefix is not None else None
    pending = PendingRequest(request=request, follows=follows, owner=owner, previous_job_name=recorded)
    _put_json(chain.pending_uri, pending.document())
    try:
        previous = _describe_previous(previous_name)
        status = previous["LabelingJobStatus"]
        if status in RUNNING_STATUSES or (status in ENDED_STATUSES and _is_current(event, name)):
            # Still running: the chain function creates the job on completion. Ended, for an update
            # keeping this waiting resource (a ServiceToken change, its rollback): nothing changes, and
            # failing would leave the stack unable to roll back.
            waiting = f"waiting for {previous_name} to complete"
            if status not in RUNNING_STATUSES:
                waiting = f"never starts: {previous_name} is {status}"
            LOGGER.info("Labeling job %s: %s (it is %s)", name, waiting, status)
            arn = _expected_job_arn(name, owner.stack_id)
            data = _job_data(name, arn, request["OutputConfig"]["S3OutputPath"], owner.stack_id)
            data.update(setup_data)
            data.update(_job_notes(request, previous_name, waiting))
            return {"PhysicalResourceId": name, "Data": data, WAITING_KEY: True}
        _check_completed(previous)
        arn, existed = _create_job(apply_previous_output(request, follows, previous), owner, event)
    except Exception:
        _withdraw_pending(chain.pending_uri, name, quiet=True)
        raise
    data = _job_data(name, arn, request["OutputConfig"]["S3OutputPath"], owner.stack_id)
    data.update(setup_data)
    data.update(_job_notes(request, previous_name, _started_status(previous_name)))
    return {"PhysicalResourceId": name, "Data": data, ADOPTED_KEY: existed and _is_current(event, name)}


def _describe_previous(name: str) -> dict[str, Any]:
    """Describe the job a chained job follows, failing clearly when there is none."""
    try:
        return describe_job(name)
    except ClientError as error:
        if _error_code(error) != "ResourceNotFound":
            raise
        raise LabelingJobError(
            f"FollowsJob: there is no labeling job named {name} in this account and region"
        ) from error


def _check_completed(previous: Mapping[str, Any]) -> None:
    """Fail unless the previous job is Completed (a job that ended otherwise never completes)."""
    status = previous["LabelingJobStatus"]
    if status == "Completed":
        return
    name = previous["LabelingJobName"]
    reason = f" ({previous['FailureReason']})" if previous.get("FailureReason") else ""
    raise LabelingJobError(
        f"The previous labeling job {name} is {status}{reason} and will never complete, so the job that "
        "follows it cannot start."
    )


def apply_previous_output(
    request: Mapping[str, Any], follows: FollowsJob, previous: Mapping[str, Any]
) -> dict[str, Any]:
    """Return a copy of ``request`` taking what ``follows`` asks for from the completed ``previous`` job.

    ``UseOutputManifest`` sets the input manifest to the previous job's output manifest; ``UseFinalModel``
    sets the initial active-learning model to its final model.

    Args:
        request: a chained job's complete CreateLabelingJob request.
        follows: what the request takes from the previous job.
        previous: DescribeLabelingJob's response for the previous job, which has completed.

    Raises:
        LabelingJobError: the previous job has no output manifest, or trained no model.
    """
    name = previous["LabelingJobName"]
    output = previous.get("LabelingJobOutput") or {}
    filled = copy.deepcopy(dict(request))
    if follows.use_output_manifest:
        manifest = output.get("OutputDatasetS3Uri")
        if not manifest:
            raise LabelingJobError(f"The previous labeling job {name} completed without an output manifest")
        _set_path(filled, _MANIFEST_PATH, str(manifest))
    if follows.use_final_model:
        model = output.get("FinalActiveLearningModelArn")
        if not model:
            raise LabelingJobError(
                f"The previous labeling job {name} trained no model (it has no FinalActiveLearningModelArn: it "
                "did not use automated data labeling, or labeled too few objects to train one), so this job "
                "cannot start from its final model."
            )
        _set_path(filled, ("LabelingJobAlgorithmsConfig", "InitialActiveLearningModelArn"), str(model))
    return filled


def load_pending(uri: str) -> PendingRequest | None:
    """Return the pending request stored at ``uri``, or None when there is none.

    Raises:
        LabelingJobError: the object is not a pending request this module wrote.
    """
    body = _read_object(uri)
    if body is None:
        return None
    try:
        document = json.loads(body.decode("utf-8"))
    except ValueError as error:
        raise LabelingJobError(f"The pending request {uri} is not JSON: {error}") from error
    return PendingRequest.from_document(document, uri)


def _withdraw_pending(uri: str, name: str, *, quiet: bool = False) -> None:
    """Delete the pending request at ``uri`` if it is job ``name``'s; keep another job's (a replacement's).

    With ``quiet``, a failure is logged instead of raised (cleaning up after another error).
    """
    try:
        body = _read_object(uri)
        if body is None:
            LOGGER.info("No pending request at %s", uri)
            return
        owner_name = _named_job(body)
        if owner_name != name:
            LOGGER.info("The pending request at %s is for %s, not %s: kept", uri, owner_name, name)
            return
        bucket, key = parse_object_uri(uri, "PendingRequestS3Uri")
        s3 = _client("s3")
        _retry_transient(lambda: s3.delete_object(Bucket=bucket, Key=key), f"DeleteObject {uri}")
        LOGGER.info("Deleted the pending request of %s at %s: the chain will not start it", name, uri)
    except Exception:
        if not quiet:
            raise
        LOGGER.exception("Could not withdraw the pending request of %s at %s", name, uri)


def _named_job(body: bytes) -> object:
    """Return the LabelingJobName a stored pending request names (None if it is not a JSON object)."""
    try:
        document = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    return document.get("LabelingJobName") if isinstance(document, Mapping) else None


_S3_OBJECT_URI = re.compile(r"s3://(?P<bucket>[^/]+)/(?P<key>[^/].*[^/]|[^/])")


def parse_object_uri(uri: object, what: str) -> tuple[str, str]:
    """Return the bucket and key of an ``s3://bucket/key`` object URI.

    Raises:
        LabelingJobError: ``uri`` is not one (``what`` names it in the message).
    """
    match = _S3_OBJECT_URI.fullmatch(uri) if isinstance(uri, str) else None
    if match is None:
        raise LabelingJobError(f"{what} must be an S3 object URI s3://bucket/key, not {uri!r}")
    return match["bucket"], match["key"]


def _is_object_uri(uri: object) -> bool:
    """Whether ``uri`` is an ``s3://bucket/key`` object URI."""
    return isinstance(uri, str) and _S3_OBJECT_URI.fullmatch(uri) is not None


def _put_json(uri: str, document: Mapping[str, Any]) -> None:
    """Write ``document`` as JSON to the object ``uri``."""
    bucket, key = parse_object_uri(uri, "PendingRequestS3Uri")
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _put_object(bucket, key, body, "application/json")


def _read_object(uri: str) -> bytes | None:
    """Return the content of the object ``uri``, or None when there is no such object (or bucket)."""
    bucket, key = parse_object_uri(uri, "PendingRequestS3Uri")
    s3 = _client("s3")
    try:
        response = _retry_transient(lambda: s3.get_object(Bucket=bucket, Key=key), f"GetObject {uri}")
    except ClientError as error:
        if _error_code(error) in ("NoSuchKey", "NoSuchBucket", "404"):
            return None
        raise
    body: bytes = response["Body"].read()
    return body


# --------------------------------------------------------------------------------------------------
# Restoring the types CloudFormation turned into strings
# --------------------------------------------------------------------------------------------------


def _create_request_shape() -> Any:
    """Return botocore's input shape of CreateLabelingJob."""
    return _client("sagemaker").meta.service_model.operation_model("CreateLabelingJob").input_shape


def restore_types(value: Any, shape: Any, path: str) -> Any:
    """Return a copy of ``value`` with the string leaves converted to the types ``shape`` declares.

    CloudFormation passes every leaf as a string; this walks botocore's shape (structures, lists, maps)
    and converts integer/long, float/double and boolean leaves. Other leaves, members the shape does
    not know and values of an unexpected kind are kept as they are (botocore validates them).

    Args:
        value: the value to convert.
        shape: the botocore shape describing ``value``.
        path: where ``value`` is, for error messages.

    Raises:
        LabelingJobError: a leaf cannot be converted to its declared type.
    """
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members
        return {
            key: restore_types(item, members[key], f"{path}.{key}") if key in members else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [restore_types(item, shape.member, f"{path}[{index}]") for index, item in enumerate(value)]
    if kind == "map" and isinstance(value, Mapping):
        return {key: restore_types(item, shape.value, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, str):
        return _convert_scalar(value, kind, path)
    return value


_INTEGER = re.compile(r"-?[0-9]+")


def _convert_scalar(value: str, kind: str, path: str) -> Any:
    """Convert one string leaf to the scalar type ``kind`` (botocore's type name)."""
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(value.strip()):
            raise LabelingJobError(f"{path} must be an integer, got {value!r}")
        return int(value)
    if kind in ("float", "double"):
        try:
            return float(value)
        except ValueError as error:
            raise LabelingJobError(f"{path} must be a number, got {value!r}") from error
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise LabelingJobError(f"{path} must be true or false, got {value!r}")
        return lowered == "true"
    return value


# --------------------------------------------------------------------------------------------------
# Delete
# --------------------------------------------------------------------------------------------------


def _delete(event: Event) -> Response:
    """Stop the job if it is still running; never delete its inputs or results (they stay in S3).

    A chained job's pending request is deleted first when it is this job's (so the chain never starts a
    deleted job), and kept when a replacement already stored its own. A physical id that is not a job
    name (the Provider framework's marker for a failed create) and a job that does not exist (never
    created, or gone) are both successes.
    """
    name = event.get("PhysicalResourceId", "")
    properties = event.get("ResourceProperties") or {}
    pending_uri = properties.get("PendingRequestS3Uri")
    if _is_object_uri(pending_uri):
        _withdraw_pending(str(pending_uri), name)
    elif pending_uri is not None:
        LOGGER.warning("PendingRequestS3Uri %r is not an S3 object URI: no pending request to withdraw", pending_uri)
    if len(name) > MAX_JOB_NAME_LENGTH or not JOB_NAME_PATTERN.fullmatch(name):
        LOGGER.info("Physical id %r is not a labeling job name: nothing to stop", name)
        return {"PhysicalResourceId": name}
    try:
        status = describe_job(name)["LabelingJobStatus"]
    except ClientError as error:
        if _error_code(error) != "ResourceNotFound":
            raise
        LOGGER.info("Labeling job %s does not exist: nothing to stop", name)
        return {"PhysicalResourceId": name}
    if status in RUNNING_STATUSES:
        stop_job(name)
    else:
        LOGGER.info("Labeling job %s is %s: nothing to stop", name, status)
    if _is_streaming(properties.get("LabelingJobRequest")):
        LOGGER.info(
            "Streaming job %s: Ground Truth leaves its SQS queue %s behind; delete it once the job has stopped",
            name,
            _streaming_queue_name(name),
        )
    return {"PhysicalResourceId": name}


def _has_stopped(name: str, owner: Owner) -> bool:
    """Whether the job is no longer running, so its role and Lambdas may go (it writes its last labels
    while ``Stopping``). Not a job name, or no such job: nothing to wait for.

    A job of this resource that is still running is stopped here: the chain function may have created a
    chained job after :func:`_delete` found none (it read the pending request before Delete withdrew it).
    A running job this resource does not own is neither stopped nor waited for.
    """
    if len(name) > MAX_JOB_NAME_LENGTH or not JOB_NAME_PATTERN.fullmatch(name):
        return True
    try:
        job = _client("sagemaker").describe_labeling_job(LabelingJobName=name)
    except (ClientError, *NETWORK_ERRORS) as error:
        if _error_code(error) == "ResourceNotFound":
            return True
        if _is_transient(error):
            return False
        raise
    status = str(job["LabelingJobStatus"])
    LOGGER.info("Labeling job %s is %s", name, status)
    if status in RUNNING_STATUSES:
        if not owner.owns(job.get("Tags", [])):
            LOGGER.warning(
                "Labeling job %s is %s but does not belong to the resource %s of stack %s: left running",
                name,
                status,
                owner.logical_id,
                owner.stack_id,
            )
            return True
        _request_stop(name)
        return False
    return status != "Stopping"


def _request_stop(name: str) -> None:
    """Call StopLabelingJob once while polling a Delete (the next poll tries again after a transient error).

    A job that is gone, or already stopping (ValidationException), needs nothing more.
    """
    try:
        _client("sagemaker").stop_labeling_job(LabelingJobName=name)
    except (ClientError, *NETWORK_ERRORS) as error:
        code = _error_code(error)
        if code in ("ResourceNotFound", "ValidationException"):
            LOGGER.info("StopLabelingJob %s: %s (%s); waiting for it to stop", name, code, _error_message(error))
            return
        if _is_transient(error):
            LOGGER.warning("StopLabelingJob %s: %s; trying again at the next poll", name, error)
            return
        raise
    LOGGER.info("Stopping labeling job %s: it was created after the delete looked (by the chain function)", name)


def stop_job(name: str) -> None:
    """Call StopLabelingJob; a job that no longer exists counts as stopped."""
    sagemaker = _client("sagemaker")
    try:
        _with_retries(
            lambda: sagemaker.stop_labeling_job(LabelingJobName=name),
            f"StopLabelingJob {name}",
            _is_transient,
        )
    except ClientError as error:
        if _error_code(error) != "ResourceNotFound":
            raise
        LOGGER.info("Labeling job %s disappeared before it could be stopped", name)
        return
    LOGGER.info("Stopping labeling job %s (labels produced so far stay in the output bucket)", name)


# --------------------------------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------------------------------


_error_code = aws_calls.error_code


_error_message = aws_calls.error_message


_is_transient = aws_calls.is_transient


def _is_role_propagation_error(error: Exception) -> bool:
    """Return whether ``error`` is the ValidationException a not yet propagated IAM role causes."""
    if _error_code(error) != "ValidationException":
        return False
    message = _error_message(error).lower()
    return any(hint in message for hint in ROLE_PROPAGATION_HINTS)


def _is_retryable_create_error(error: Exception) -> bool:
    """Return whether a CreateLabelingJob error is worth retrying."""
    return _is_transient(error) or _is_role_propagation_error(error)


def _backoff_delay(retry: int) -> float:
    """Return the sleep before retry number ``retry`` (0-based), with this module's jitter."""
    return aws_calls.backoff_delay(retry, _jitter())


def _retry_transient(call: Callable[[], _T], description: str) -> _T:
    """Return ``call()``, retrying throttling, server-side and network failures."""
    return _with_retries(call, description, _is_transient)


def _with_retries(call: Callable[[], _T], description: str, retryable: Callable[[Exception], bool]) -> _T:
    """Return ``call()``, retrying the errors ``retryable`` accepts (the shared policy, this module's clock).

    Raises:
        LabelingJobError: the call still failed after :data:`MAX_ATTEMPTS` attempts.
    """
    return aws_calls.with_retries(
        call, description, retryable, sleep=_sleep, jitter=_jitter, failure=LabelingJobError, logger=LOGGER
    )
