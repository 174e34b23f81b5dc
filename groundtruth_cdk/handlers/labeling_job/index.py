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

Runs on the Lambda Python runtime with the standard library and boto3/botocore only.
"""

from __future__ import annotations

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
    "LabelingJobError",
    "is_complete",
    "job_name",
    "on_event",
    "restore_types",
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
        ``{"IsComplete": True, "Data": {...}}`` once it is running or done.

    Raises:
        LabelingJobError: the job failed or was stopped before it started.
    """
    if event["RequestType"] == "Delete":
        return {"IsComplete": _has_stopped(event.get("PhysicalResourceId", ""))}
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
        data.update(_data_setup_data(event))
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
class _Owner:
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
    """Write the job's inputs to S3 and create the job (or adopt it if this resource already did)."""
    properties = event["ResourceProperties"]
    owner = _Owner(stack_id=event["StackId"], logical_id=event["LogicalResourceId"])
    template = _required(properties, "LabelingJobRequest")
    if not isinstance(template, Mapping):
        raise LabelingJobError("Property LabelingJobRequest must be an object")
    prefix = _required(template, "LabelingJobName", "LabelingJobRequest.")
    name = job_name(prefix, properties, stack_id=owner.stack_id, logical_id=owner.logical_id)
    request = restore_types(template, _create_request_shape(), "LabelingJobRequest")
    request["LabelingJobName"] = name
    existing = _existing_job(name) if event["RequestType"] == "Update" else None
    if existing is not None:
        # A rollback to the previous properties or a ServiceToken-only update: the job exists, so its
        # inputs are not rebuilt (rewriting a running job's manifest or template would change it). A
        # retried Create rewrites the same inputs and meets ResourceInUse below.
        arn = _adopt(existing, event, owner)
        data = _job_data(name, arn, existing["OutputConfig"]["S3OutputPath"], owner.stack_id)
        if "DataSetup" in properties:
            data.update(_existing_job_setup_data(existing))
        return {"PhysicalResourceId": name, "Data": data, ADOPTED_KEY: _is_current(event, name)}
    region = _region_and_partition(owner.stack_id)[0]
    uris, outcome = _write_artifacts(properties, name, region=region, deadline=_deadline(context))
    for path, uri in uris.items():
        _set_path(request, path, uri)
    request["Tags"] = _with_ownership_tags(request.get("Tags", []), owner)
    arn, existed = _create_job(request, owner, event)
    data = _job_data(name, arn, request["OutputConfig"]["S3OutputPath"], owner.stack_id)
    if outcome is not None:
        data.update(_outcome_data(outcome))
    # Read by is_complete only (the framework passes extra keys to it, not to CloudFormation).
    return {"PhysicalResourceId": name, "Data": data, ADOPTED_KEY: existed and _is_current(event, name)}


def _existing_job(name: str) -> dict[str, Any] | None:
    """DescribeLabelingJob's response for ``name``, or ``None`` when no job has that name."""
    try:
        return _describe_job(name)
    except ClientError as error:
        if _error_code(error) == "ResourceNotFound":
            return None
        raise


def _adopt(job: Mapping[str, Any], event: Event, owner: _Owner) -> str:
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


def _with_ownership_tags(tags: list[dict[str, str]], owner: _Owner) -> list[dict[str, str]]:
    """Return ``tags`` with the ownership tags set (replacing any with the same keys)."""
    kept = [tag for tag in tags if tag.get("Key") not in (STACK_ID_TAG, LOGICAL_ID_TAG)]
    return kept + owner.tags()


def _set_path(request: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    """Set ``request[path[0]][path[1]]...`` to ``value``, creating missing structures."""
    node = request
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _create_job(request: dict[str, Any], owner: _Owner, event: Event) -> tuple[str, bool]:
    """Call CreateLabelingJob; return the job ARN and whether the job existed already.

    A name that came into use since :func:`_existing_job` looked (a concurrent retry) is accepted on
    the terms of :func:`_adopt`.
    """
    name = request["LabelingJobName"]
    sagemaker = _client("sagemaker")
    try:
        response = _with_retries(
            lambda: sagemaker.create_labeling_job(**request),
            f"CreateLabelingJob {name}",
            _is_retryable_create_error,
        )
        LOGGER.info("Created labeling job %s", name)
        return str(response["LabelingJobArn"]), False
    except ClientError as error:
        if _error_code(error) != "ResourceInUse":
            raise
    return _adopt(_describe_job(name), event, owner), True


def _describe_job(name: str) -> dict[str, Any]:
    """Return DescribeLabelingJob's response for ``name`` (transient errors retried)."""
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


def _data_setup_data(event: Event) -> dict[str, str]:
    """Return the data setup keys of on_event's Data, which the framework passes to is_complete."""
    data = event.get("Data")
    if not isinstance(data, Mapping):
        return {}
    return {key: str(data[key]) for key in DATA_SETUP_KEYS if key in data}


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
    """Stop the job if it is still running; never delete anything (results stay in S3).

    A physical id that is not a job name (the Provider framework's marker for a failed create) and a
    job that no longer exists are both successes.
    """
    name = event.get("PhysicalResourceId", "")
    if len(name) > MAX_JOB_NAME_LENGTH or not JOB_NAME_PATTERN.fullmatch(name):
        LOGGER.info("Physical id %r is not a labeling job name: nothing to stop", name)
        return {"PhysicalResourceId": name}
    try:
        status = _describe_job(name)["LabelingJobStatus"]
    except ClientError as error:
        if _error_code(error) != "ResourceNotFound":
            raise
        LOGGER.info("Labeling job %s does not exist: nothing to stop", name)
        return {"PhysicalResourceId": name}
    if status in RUNNING_STATUSES:
        _stop_job(name)
    else:
        LOGGER.info("Labeling job %s is %s: nothing to stop", name, status)
    return {"PhysicalResourceId": name}


def _has_stopped(name: str) -> bool:
    """Whether the job is no longer running, so its role and Lambdas may go (it writes its last labels
    while ``Stopping``). Not a job name, or no such job: nothing to wait for."""
    if len(name) > MAX_JOB_NAME_LENGTH or not JOB_NAME_PATTERN.fullmatch(name):
        return True
    try:
        status = _client("sagemaker").describe_labeling_job(LabelingJobName=name)["LabelingJobStatus"]
    except (ClientError, *NETWORK_ERRORS) as error:
        if _error_code(error) == "ResourceNotFound":
            return True
        if _is_transient(error):
            return False
        raise
    LOGGER.info("Labeling job %s is %s", name, status)
    return status not in RUNNING_STATUSES and status != "Stopping"


def _stop_job(name: str) -> None:
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
