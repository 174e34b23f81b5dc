"""Events, requests and responses for the labeling job handler tests.

Everything here is written from the resource's contract, not from the handler's code: the expected
job name, for one, is recomputed from the documented hash recipe.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
from typing import Any

from botocore.stub import Stubber

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/labeling-demo/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
OTHER_STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/labeling-demo/99999999-4b5a-6978-8796-a5b4c3d2e1f0"
LOGICAL_ID = "CarBoxesLabelingJob1A2B3C4D"
SERVICE_TOKEN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Provider-framework-onEvent"
ARTIFACTS_BUCKET = "artifacts-bucket"
ARTIFACTS_S3_URI = f"s3://{ARTIFACTS_BUCKET}/labeling/inputs/"
OUTPUT_PATH = "s3://out-bucket/labels/"
PREFIX = "my-project-job"
FRAMEWORK_FAILED_CREATE_MARKER = "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED"
PRE_LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox"
ACS_LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox"
ARTIFACT_FILES = ("label-categories.json", "template.liquid", "input.manifest")
NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
STACK_ID_TAG = "groundtruth-cdk:stack-id"
LOGICAL_ID_TAG = "groundtruth-cdk:logical-id"

#: The CreateLabelingJob request as the construct renders it: every leaf a string, URIs left out.
STRING_REQUEST: dict[str, Any] = {
    "LabelingJobName": PREFIX,
    "LabelAttributeName": "bbox",
    "InputConfig": {
        "DataSource": {"S3DataSource": {}},
        "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
    },
    "OutputConfig": {"S3OutputPath": OUTPUT_PATH},
    "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/LabelingRole",
    "HumanTaskConfig": {
        "WorkteamArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/team",
        "UiConfig": {},
        "PreHumanTaskLambdaArn": PRE_LAMBDA,
        "TaskTitle": "Draw boxes",
        "TaskDescription": "Draw a box around each car",
        "NumberOfHumanWorkersPerDataObject": "3",
        "TaskTimeLimitInSeconds": "300",
        "TaskAvailabilityLifetimeInSeconds": "864000",
        "MaxConcurrentTaskCount": "1000",
        "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": ACS_LAMBDA},
    },
    "StoppingConditions": {"MaxPercentageOfInputDatasetLabeled": "100"},
    "Tags": [{"Key": "project", "Value": "demo"}],
}

LABEL_CATEGORIES = json.dumps({"document-version": "2018-11-28", "labels": [{"label": "car"}, {"label": "bus"}]})
UI_TEMPLATE = (
    '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>\n'
    '<crowd-form><crowd-bounding-box name="boundingBox" src="{{ task.input.taskObject | grant_read_access }}"'
    ' header="Draw a box around each car" labels="{{ task.input.labels | to_json | escape }}">'
    "</crowd-bounding-box></crowd-form>\n"
)
MANIFEST_OBJECTS: list[dict[str, Any]] = [
    {"source-ref": "s3://in-bucket/images/1.jpg"},
    {"source-ref": "s3://in-bucket/images/2.jpg", "note": "café ☕"},
]


def properties(**overrides: Any) -> dict[str, Any]:
    """Return the resource properties as CloudFormation sends them; an override of None drops a key."""
    props: dict[str, Any] = {
        "ServiceToken": SERVICE_TOKEN,
        "LabelingJobRequest": copy.deepcopy(STRING_REQUEST),
        "ArtifactsS3Uri": ARTIFACTS_S3_URI,
        "LabelCategoryConfig": LABEL_CATEGORIES,
        "UiTemplate": UI_TEMPLATE,
        "ManifestLines": json.dumps(MANIFEST_OBJECTS),
    }
    props.update(overrides)
    return {key: value for key, value in props.items() if value is not None}


def _base_event(request_type: str, props: dict[str, Any], stack_id: str, logical_id: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/response",
        "StackId": stack_id,
        "RequestId": "6f0c6d3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f",
        "LogicalResourceId": logical_id,
        "ResourceType": "Custom::LabelingJob",
        "ResourceProperties": props,
    }


def create_event(
    props: dict[str, Any] | None = None, *, stack_id: str = STACK_ID, logical_id: str = LOGICAL_ID
) -> dict[str, Any]:
    """Return a Create event."""
    return _base_event("Create", properties() if props is None else props, stack_id, logical_id)


def update_event(
    props: dict[str, Any], old_props: dict[str, Any], physical_id: str, *, stack_id: str = STACK_ID
) -> dict[str, Any]:
    """Return an Update event."""
    event = _base_event("Update", props, stack_id, LOGICAL_ID)
    event["PhysicalResourceId"] = physical_id
    event["OldResourceProperties"] = old_props
    return event


def delete_event(physical_id: str, props: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a Delete event (of a resource with ``props``, by default :func:`properties`)."""
    event = _base_event("Delete", properties() if props is None else props, STACK_ID, LOGICAL_ID)
    event["PhysicalResourceId"] = physical_id
    return event


def is_complete_event(request_type: str, physical_id: str, **on_event_result: Any) -> dict[str, Any]:
    """Return the event the framework passes to is_complete: the request merged with on_event's result."""
    event = _base_event(request_type, properties(), STACK_ID, LOGICAL_ID)
    event["PhysicalResourceId"] = physical_id
    event.update(on_event_result)
    return event


def reference_name(event: dict[str, Any]) -> str:
    """Compute the job name from the documented recipe (sha256 of a canonical JSON, 8 hex)."""
    props = {key: value for key, value in event["ResourceProperties"].items() if key != "ServiceToken"}
    identity = {
        "LogicalResourceId": event["LogicalResourceId"],
        "ResourceProperties": props,
        "StackId": event["StackId"],
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    prefix = event["ResourceProperties"]["LabelingJobRequest"]["LabelingJobName"]
    return f"{prefix}-{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def artifact_uri(name: str, file_name: str, artifacts_prefix: str = ARTIFACTS_S3_URI) -> str:
    """Return the S3 URI the handler writes ``file_name`` of job ``name`` to."""
    return f"{artifacts_prefix}{name}/{file_name}"


def ownership_tags(stack_id: str = STACK_ID, logical_id: str = LOGICAL_ID) -> list[dict[str, str]]:
    """Return the two tags marking a job as owned by a resource."""
    return [{"Key": STACK_ID_TAG, "Value": stack_id}, {"Key": LOGICAL_ID_TAG, "Value": logical_id}]


def typed_request(
    name: str, *, with_artifacts: bool = True, artifacts_prefix: str = ARTIFACTS_S3_URI
) -> dict[str, Any]:
    """Return the CreateLabelingJob request the handler must send for :func:`properties`."""
    request: dict[str, Any] = {
        "LabelingJobName": name,
        "LabelAttributeName": "bbox",
        "InputConfig": {
            "DataSource": {"S3DataSource": {}},
            "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
        },
        "OutputConfig": {"S3OutputPath": OUTPUT_PATH},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/LabelingRole",
        "HumanTaskConfig": {
            "WorkteamArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/team",
            "UiConfig": {},
            "PreHumanTaskLambdaArn": PRE_LAMBDA,
            "TaskTitle": "Draw boxes",
            "TaskDescription": "Draw a box around each car",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 864000,
            "MaxConcurrentTaskCount": 1000,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": ACS_LAMBDA},
        },
        "StoppingConditions": {"MaxPercentageOfInputDatasetLabeled": 100},
        "Tags": [{"Key": "project", "Value": "demo"}, *ownership_tags()],
    }
    if with_artifacts:
        uris = {file: artifact_uri(name, file, artifacts_prefix) for file in ARTIFACT_FILES}
        request["LabelCategoryConfigS3Uri"] = uris["label-categories.json"]
        request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = uris["template.liquid"]
        request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = uris["input.manifest"]
    return request


def job_arn(name: str) -> str:
    """Return the ARN of labeling job ``name``."""
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/{name}"


def describe_response(
    name: str,
    status: str,
    *,
    tags: list[dict[str, str]] | None = None,
    failure_reason: str | None = None,
    output: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Return a DescribeLabelingJob response (valid against the API model); ``output`` is its
    LabelingJobOutput."""
    now = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    response: dict[str, Any] = {
        "LabelingJobStatus": status,
        "LabelCounters": {"TotalLabeled": 0, "HumanLabeled": 0, "MachineLabeled": 0, "Unlabeled": 2},
        "CreationTime": now,
        "LastModifiedTime": now,
        "JobReferenceCode": "abcdef",
        "LabelingJobName": name,
        "LabelingJobArn": job_arn(name),
        "LabelAttributeName": "bbox",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": artifact_uri(name, "input.manifest")}}},
        "OutputConfig": {"S3OutputPath": OUTPUT_PATH},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/LabelingRole",
        "HumanTaskConfig": typed_request(name)["HumanTaskConfig"],
        "Tags": [{"Key": "project", "Value": "demo"}, *ownership_tags()] if tags is None else tags,
    }
    if failure_reason is not None:
        response["FailureReason"] = failure_reason
    if output is not None:
        response["LabelingJobOutput"] = output
    return response


def expect_describe(sagemaker: Stubber, name: str, status: str, **fields: Any) -> None:
    """Queue the DescribeLabelingJob response of job ``name`` in ``status``; ``fields`` go to
    :func:`describe_response`."""
    sagemaker.add_response(
        "describe_labeling_job", describe_response(name, status, **fields), {"LabelingJobName": name}
    )


def expect_no_job(sagemaker: Stubber, name: str, message: str = "none") -> None:
    """Queue DescribeLabelingJob failing with ResourceNotFound: there is no job ``name``."""
    sagemaker.add_client_error(
        "describe_labeling_job", "ResourceNotFound", message, 400, None, {"LabelingJobName": name}
    )


def expected_data(name: str, *, output_path: str = OUTPUT_PATH, region: str = REGION) -> dict[str, str]:
    """Return the Data the resource must expose for job ``name``."""
    return {
        "LabelingJobName": name,
        "LabelingJobArn": job_arn(name),
        "OutputManifestS3Uri": f"{output_path.rstrip('/')}/{name}/manifests/output/output.manifest",
        "ConsoleUrl": (
            f"https://{region}.console.aws.amazon.com/sagemaker/groundtruth?region={region}"
            f"#/labeling-jobs/details/{name}"
        ),
    }


def cloudformation_response(event: dict[str, Any], result: dict[str, Any] | None, reason: str = "") -> bytes:
    """Return the JSON body the Provider framework would send to CloudFormation (UTF-8, like Node's)."""
    body = {
        "Status": "FAILED" if reason else "SUCCESS",
        "Reason": reason + "\n\nLogs: /aws/lambda/LabelingJobProvider-onEventHandler0123456789AB\n",
        "PhysicalResourceId": (result or {}).get("PhysicalResourceId", event.get("PhysicalResourceId", "")),
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": (result or {}).get("Data", {}),
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------------------------------
# Automated data setup (the DataSetup property)
# --------------------------------------------------------------------------------------------------

DATA_BUCKET = "data-bucket"
#: Where the data setup tests build their manifest (a job's artifacts folder).
SETUP_FOLDER = "labeling/inputs/job-1/"
SETUP_MANIFEST_URI = f"s3://{ARTIFACTS_BUCKET}/{SETUP_FOLDER}input.manifest"


def prefix_setup(**fields: Any) -> str:
    """Return an S3Prefix DataSetup property as the construct serializes it (every field, nulls included)."""
    document: dict[str, Any] = {
        "Source": "S3Prefix",
        "Bucket": DATA_BUCKET,
        "Prefix": "data/",
        "DataType": "image",
        "OnMismatch": "fail",
        "SamplePercent": None,
        "Seed": "",
        "Include": [],
        "Exclude": [],
        "KeyPattern": None,
        "TextColumn": None,
        "MaxObjects": 100000,
        "MinObjects": None,
        "RecommendedObjects": None,
    }
    document.update(fields)
    return json.dumps(document)


def query_setup(uri: str, where: dict[str, Any], **limits: Any) -> str:
    """Return a ManifestQuery DataSetup property."""
    document: dict[str, Any] = {
        "Source": "ManifestQuery",
        "ManifestS3Uri": uri,
        "Where": where,
        "MaxObjects": 100000,
        "MinObjects": None,
        "RecommendedObjects": None,
    }
    document.update(limits)
    return json.dumps(document)


def put_objects(s3: Any, keys: list[str], body: bytes = b"", bucket: str = DATA_BUCKET) -> None:
    """Put ``keys`` (each with ``body``) into ``bucket``."""
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=body)


def read_text(s3: Any, uri: str) -> str:
    """Return an S3 object's content as text."""
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body.decode("utf-8")


def manifest_lines(s3: Any, uri: str = SETUP_MANIFEST_URI) -> list[dict[str, Any]]:
    """Return the JSON objects of a manifest, in order."""
    return [json.loads(line) for line in read_text(s3, uri).splitlines()]


def source_refs(keys: list[str], bucket: str = DATA_BUCKET) -> list[dict[str, str]]:
    """Return the manifest lines expected for ``keys`` (source-ref lines, in key order)."""
    return [{"source-ref": f"s3://{bucket}/{key}"} for key in sorted(keys)]


# --------------------------------------------------------------------------------------------------
# Chained jobs (FollowsJob) and streaming jobs
# --------------------------------------------------------------------------------------------------

PREVIOUS_JOB = "my-project-review-0a1b2c3d"
PENDING_URI = f"s3://{ARTIFACTS_BUCKET}/labeling/pending/{LOGICAL_ID}.json"
PREVIOUS_OUTPUT_MANIFEST = f"{OUTPUT_PATH}{PREVIOUS_JOB}/manifests/output/output.manifest"
PREVIOUS_MODEL = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/{PREVIOUS_JOB}-final-model"
PENDING_KEY = PENDING_URI.removeprefix(f"s3://{ARTIFACTS_BUCKET}/")
ALGORITHM_SPEC = f"arn:aws:sagemaker:{REGION}:027400017018:labeling-job-algorithm-specification/object-detection"
INPUT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:labeling-input"
OUTPUT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:labeling-output"


def chained_properties(
    *, use_output_manifest: Any = "true", use_final_model: Any = "false", **overrides: Any
) -> dict[str, Any]:
    """Return the properties of a job following :data:`PREVIOUS_JOB` (by default on its output manifest,
    so without ManifestLines); with ``use_final_model``, the request has automated data labeling."""
    string_request = copy.deepcopy(STRING_REQUEST)
    if use_final_model not in ("false", False):
        string_request["LabelingJobAlgorithmsConfig"] = {"LabelingJobAlgorithmSpecificationArn": ALGORITHM_SPEC}
    values: dict[str, Any] = {
        "LabelingJobRequest": string_request,
        "ManifestLines": None,
        "FollowsJob": {
            "LabelingJobName": PREVIOUS_JOB,
            "UseOutputManifest": use_output_manifest,
            "UseFinalModel": use_final_model,
        },
        "PendingRequestS3Uri": PENDING_URI,
    }
    values.update(overrides)
    return properties(**values)


def pending_request(name: str, *, model: bool = False) -> dict[str, Any]:
    """Return the complete request stored while waiting: artifacts written, no manifest or model yet
    (``model``: the request has automated data labeling)."""
    request = typed_request(name)
    request["InputConfig"]["DataSource"]["S3DataSource"] = {}
    if model:
        request["LabelingJobAlgorithmsConfig"] = {"LabelingJobAlgorithmSpecificationArn": ALGORITHM_SPEC}
    return request


def pending_document(s3: Any) -> dict[str, Any] | None:
    """Return the stored pending request, or None when there is none."""
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET).get("Contents", [])]
    if PENDING_KEY not in keys:
        return None
    document: dict[str, Any] = json.loads(read_text(s3, PENDING_URI))
    return document


def previous_output(*, model: bool = True) -> dict[str, str]:
    """Return the LabelingJobOutput of the completed previous job (with or without a final model)."""
    output = {"OutputDatasetS3Uri": PREVIOUS_OUTPUT_MANIFEST}
    if model:
        output["FinalActiveLearningModelArn"] = PREVIOUS_MODEL
    return output


def completion_event(name: str = PREVIOUS_JOB) -> dict[str, Any]:
    """Return the EventBridge event of job ``name`` changing to Completed."""
    return {
        "version": "0",
        "id": "4c5d6e7f-8091-a2b3-c4d5-e6f708192a3b",
        "detail-type": "SageMaker Ground Truth Labeling Job State Change",
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "time": "2025-01-02T03:04:05Z",
        "region": REGION,
        "resources": [job_arn(name)],
        "detail": {"LabelingJobStatus": "Completed"},
    }


def streaming_string_request(*, s3_data_source: Any = None) -> dict[str, Any]:
    """Return a streaming job's string request: an SNS input topic, an SNS output topic; ``s3_data_source``
    (when given) is the S3DataSource kept beside the topic."""
    string_request = copy.deepcopy(STRING_REQUEST)
    data_source: dict[str, Any] = {"SnsDataSource": {"SnsTopicArn": INPUT_TOPIC}}
    if s3_data_source is not None:
        data_source["S3DataSource"] = s3_data_source
    string_request["InputConfig"]["DataSource"] = data_source
    string_request["OutputConfig"]["SnsTopicArn"] = OUTPUT_TOPIC
    del string_request["StoppingConditions"]
    return string_request


def streaming_queue(name: str) -> str:
    """Return the SQS queue Ground Truth creates for streaming job ``name`` (documented: lower case)."""
    return f"GroundTruth-{name.lower()}"


# --------------------------------------------------------------------------------------------------
# Chained jobs following the jobs of a name prefix (FollowsJob.LabelingJobNamePrefix)
# --------------------------------------------------------------------------------------------------

#: The name prefix of the earlier resource: :data:`PREVIOUS_JOB` is one of its jobs.
EARLIER_PREFIX = "my-project-review"


def prefix_chained_properties(
    *, use_output_manifest: Any = "true", use_final_model: Any = "false", prefix: str = EARLIER_PREFIX, **overrides: Any
) -> dict[str, Any]:
    """Return :func:`chained_properties` following the newest job of ``prefix`` instead of a named job."""
    props = chained_properties(use_output_manifest=use_output_manifest, use_final_model=use_final_model, **overrides)
    props["FollowsJob"] = {
        "LabelingJobNamePrefix": prefix,
        "UseOutputManifest": use_output_manifest,
        "UseFinalModel": use_final_model,
    }
    return props


def job_summary(name: str, status: str = "InProgress", *, minutes_ago: int = 0) -> dict[str, Any]:
    """Return one LabelingJobSummary of ListLabelingJobs (valid against the API model)."""
    created = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
    return {
        "LabelingJobName": name,
        "LabelingJobArn": job_arn(name),
        "CreationTime": created,
        "LastModifiedTime": created,
        "LabelingJobStatus": status,
        "LabelCounters": {"TotalLabeled": 0, "HumanLabeled": 0, "MachineLabeled": 0, "Unlabeled": 2},
        "WorkteamArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/team",
    }


def list_jobs_params(prefix: str = EARLIER_PREFIX, token: str | None = None) -> dict[str, Any]:
    """Return the ListLabelingJobs parameters the handler sends to find the newest job of ``prefix``."""
    params: dict[str, Any] = {
        "NameContains": prefix,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": 100,
    }
    if token is not None:
        params["NextToken"] = token
    return params


def list_jobs_response(*names: str, next_token: str | None = None) -> dict[str, Any]:
    """Return a ListLabelingJobs page listing ``names`` newest first."""
    response: dict[str, Any] = {
        "LabelingJobSummaryList": [job_summary(name, minutes_ago=index) for index, name in enumerate(names)]
    }
    if next_token is not None:
        response["NextToken"] = next_token
    return response


def job_output(name: str, *, model: bool = False) -> dict[str, str]:
    """Return the LabelingJobOutput of completed job ``name`` (its output manifest, and a final model)."""
    output = {"OutputDatasetS3Uri": f"{OUTPUT_PATH}{name}/manifests/output/output.manifest"}
    if model:
        output["FinalActiveLearningModelArn"] = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/{name}-final-model"
    return output
