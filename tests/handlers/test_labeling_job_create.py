"""on_event Create and Update: artifacts, the typed request, job names, ownership and retries."""

from __future__ import annotations

import copy
import json
import re
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from groundtruth_cdk.handlers.labeling_job import index

from .builders import (
    ARTIFACTS_BUCKET,
    LABEL_CATEGORIES,
    LOGICAL_ID,
    MANIFEST_OBJECTS,
    NAME_PATTERN,
    OTHER_STACK_ID,
    STACK_ID,
    STRING_REQUEST,
    UI_TEMPLATE,
    artifact_uri,
    cloudformation_response,
    create_event,
    describe_response,
    expected_data,
    job_arn,
    ownership_tags,
    properties,
    reference_name,
    typed_request,
    update_event,
)

THROTTLING_CODES = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServerError",
]

ROLE_PROPAGATION_MESSAGES = [
    "Could not assume role arn:aws:iam::123456789012:role/LabelingRole. Please ensure that the role exists "
    "and allows principal 'sagemaker.amazonaws.com' to assume the role.",
    "User: arn:aws:sts::123456789012:assumed-role/LabelingRole/SageMaker is not authorized to perform: s3:GetObject",
    "The role arn:aws:iam::123456789012:role/LabelingRole does not have permission to read the manifest.",
    "Access Denied: s3://artifacts-bucket/labeling/inputs/input.manifest",
]


def _request(name: str, **changes: Any) -> dict[str, Any]:
    """Return the expected typed request with top-level fields replaced."""
    request = typed_request(name)
    request.update(changes)
    return request


def _read(s3: Any, uri: str) -> str:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body.decode("utf-8")


def _artifact_keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET).get("Contents", [])]


# --------------------------------------------------------------------------------------------------
# Create
# --------------------------------------------------------------------------------------------------


def test_create_writes_artifacts_and_sends_the_typed_request(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": expected_data(name), "AdoptedExistingJob": False}
    assert json.loads(_read(s3, artifact_uri(name, "label-categories.json"))) == json.loads(LABEL_CATEGORIES)
    assert _read(s3, artifact_uri(name, "template.liquid")) == UI_TEMPLATE
    manifest = _read(s3, artifact_uri(name, "input.manifest"))
    assert manifest == '{"source-ref":"s3://in-bucket/images/1.jpg"}\n' + (
        '{"source-ref":"s3://in-bucket/images/2.jpg","note":"café ☕"}\n'
    )
    assert [json.loads(line) for line in manifest.splitlines()] == MANIFEST_OBJECTS


def test_create_without_optional_properties_writes_nothing(handler: ModuleType, sagemaker: Stubber, s3: Any) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = "s3://in/manifest.jsonl"
    string_request["HumanTaskConfig"]["UiConfig"]["HumanTaskUiArn"] = (
        "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/PointCloudObjectDetection"
    )
    string_request["LabelCategoryConfigS3Uri"] = "s3://in/labels.json"
    props = properties(LabelingJobRequest=string_request, LabelCategoryConfig=None, UiTemplate=None, ManifestLines=None)
    event = create_event(props)
    name = reference_name(event)
    expected = typed_request(name, with_artifacts=False)
    expected["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = "s3://in/manifest.jsonl"
    expected["HumanTaskConfig"]["UiConfig"]["HumanTaskUiArn"] = string_request["HumanTaskConfig"]["UiConfig"][
        "HumanTaskUiArn"
    ]
    expected["LabelCategoryConfigS3Uri"] = "s3://in/labels.json"
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    assert handler.on_event(event, None)["PhysicalResourceId"] == name
    assert _artifact_keys(s3) == []


def test_create_needs_no_artifacts_location_when_there_is_nothing_to_write(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = "s3://in/manifest.jsonl"
    props = properties(
        LabelingJobRequest=string_request,
        ArtifactsS3Uri=None,
        LabelCategoryConfig=None,
        UiTemplate=None,
        ManifestLines=None,
    )
    event = create_event(props)
    name = reference_name(event)
    expected = typed_request(name, with_artifacts=False)
    expected["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = "s3://in/manifest.jsonl"
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    assert handler.on_event(event, None)["PhysicalResourceId"] == name


def test_create_builds_missing_nested_structures_for_the_manifest_uri(handler: ModuleType, sagemaker: Stubber) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    del string_request["InputConfig"]["DataSource"]
    event = create_event(properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    handler.on_event(event, None)


@pytest.mark.parametrize(
    ("artifacts_uri", "expected_prefix"),
    [
        ("s3://artifacts-bucket/labeling/inputs", "s3://artifacts-bucket/labeling/inputs/"),
        ("s3://artifacts-bucket/", "s3://artifacts-bucket/"),
        ("s3://artifacts-bucket", "s3://artifacts-bucket/"),
    ],
)
def test_artifacts_location_is_normalised(
    handler: ModuleType, sagemaker: Stubber, s3: Any, artifacts_uri: str, expected_prefix: str
) -> None:
    event = create_event(properties(ArtifactsS3Uri=artifacts_uri))
    name = reference_name(event)
    expected = typed_request(name, artifacts_prefix=expected_prefix)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, expected)

    handler.on_event(event, None)

    assert _read(s3, f"{expected_prefix}{name}/template.liquid") == UI_TEMPLATE


def test_user_tags_are_kept_and_ownership_tags_cannot_be_spoofed(handler: ModuleType, sagemaker: Stubber) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["Tags"] = [
        {"Key": "project", "Value": "demo"},
        {"Key": "groundtruth-cdk:stack-id", "Value": "someone-else"},
    ]
    event = create_event(properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    sagemaker.add_response(
        "create_labeling_job",
        {"LabelingJobArn": job_arn(name)},
        _request(name, Tags=[{"Key": "project", "Value": "demo"}, *ownership_tags()]),
    )

    handler.on_event(event, None)


def test_create_without_user_tags_adds_only_the_ownership_tags(handler: ModuleType, sagemaker: Stubber) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    del string_request["Tags"]
    event = create_event(properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    sagemaker.add_response(
        "create_labeling_job", {"LabelingJobArn": job_arn(name)}, _request(name, Tags=ownership_tags())
    )

    handler.on_event(event, None)


@pytest.mark.parametrize(
    ("region", "partition", "console_host"),
    [
        ("eu-west-1", "aws", "eu-west-1.console.aws.amazon.com"),
        ("cn-north-1", "aws-cn", "cn-north-1.console.amazonaws.cn"),
        ("us-gov-west-1", "aws-us-gov", "us-gov-west-1.console.amazonaws-us-gov.com"),
    ],
)
def test_console_url_follows_the_stack_region_and_partition(
    handler: ModuleType, sagemaker: Stubber, region: str, partition: str, console_host: str
) -> None:
    stack_id = f"arn:{partition}:cloudformation:{region}:123456789012:stack/demo/guid"
    event = create_event(stack_id=stack_id)
    name = reference_name(event)
    request = typed_request(name)
    request["Tags"][1]["Value"] = stack_id
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, request)

    data = handler.on_event(event, None)["Data"]

    assert data["ConsoleUrl"] == (
        f"https://{console_host}/sagemaker/groundtruth?region={region}#/labeling-jobs/details/{name}"
    )


@pytest.mark.parametrize("output_path", ["s3://out-bucket/labels", "s3://out-bucket/labels/", "s3://out-bucket"])
def test_output_manifest_uri_has_no_double_slash(handler: ModuleType, sagemaker: Stubber, output_path: str) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["OutputConfig"]["S3OutputPath"] = output_path
    event = create_event(properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    sagemaker.add_response(
        "create_labeling_job",
        {"LabelingJobArn": job_arn(name)},
        _request(name, OutputConfig={"S3OutputPath": output_path}),
    )

    data = handler.on_event(event, None)["Data"]

    assert data["OutputManifestS3Uri"] == f"{output_path.rstrip('/')}/{name}/manifests/output/output.manifest"


def test_response_stays_under_the_cloudformation_limit_with_the_longest_output_path(
    handler: ModuleType, sagemaker: Stubber
) -> None:
    output_path = "s3://out-bucket/" + "p" * 1000 + "/"
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["OutputConfig"]["S3OutputPath"] = output_path
    event = create_event(properties(LabelingJobRequest=string_request))
    name = reference_name(event)
    sagemaker.add_response(
        "create_labeling_job",
        {"LabelingJobArn": job_arn(name)},
        _request(name, OutputConfig={"S3OutputPath": output_path}),
    )

    result = handler.on_event(event, None)

    assert len(cloudformation_response(event, result)) < 4096


# --------------------------------------------------------------------------------------------------
# Job names
# --------------------------------------------------------------------------------------------------


def _name(handler: ModuleType, event: dict[str, Any]) -> str:
    props = event["ResourceProperties"]
    name: str = handler.job_name(
        props["LabelingJobRequest"]["LabelingJobName"],
        props,
        stack_id=event["StackId"],
        logical_id=event["LogicalResourceId"],
    )
    return name


def test_name_is_the_prefix_and_8_hex_of_the_documented_hash(handler: ModuleType) -> None:
    event = create_event()

    name = _name(handler, event)

    assert name == reference_name(event)
    assert re.fullmatch(r"my-project-job-[0-9a-f]{8}", name)


def test_same_event_twice_gives_the_same_name(handler: ModuleType) -> None:
    assert _name(handler, create_event()) == _name(handler, create_event())


def test_service_token_does_not_change_the_name(handler: ModuleType) -> None:
    moved = create_event(properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:other"))

    assert _name(handler, moved) == _name(handler, create_event())


def _with_leaf(path: tuple[str, ...], value: str) -> dict[str, Any]:
    string_request = copy.deepcopy(STRING_REQUEST)
    node = string_request
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return properties(LabelingJobRequest=string_request)


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(_with_leaf(("HumanTaskConfig", "TaskTimeLimitInSeconds"), "301"), id="nested-number"),
        pytest.param(_with_leaf(("HumanTaskConfig", "TaskTitle"), "Draw boxes!"), id="nested-text"),
        pytest.param(properties(UiTemplate=UI_TEMPLATE + " "), id="ui-template"),
        pytest.param(properties(ManifestLines=json.dumps(MANIFEST_OBJECTS[:1])), id="manifest"),
        pytest.param(properties(LabelCategoryConfig=None), id="dropped-property"),
        pytest.param(properties(ArtifactsS3Uri="s3://artifacts-bucket/other/"), id="artifacts-location"),
    ],
)
def test_any_property_change_gives_a_new_name(handler: ModuleType, changed: dict[str, Any]) -> None:
    assert _name(handler, create_event(changed)) != _name(handler, create_event())


def test_a_recreated_stack_gives_a_new_name(handler: ModuleType) -> None:
    assert _name(handler, create_event(stack_id=OTHER_STACK_ID)) != _name(handler, create_event())


def test_another_logical_id_gives_a_new_name(handler: ModuleType) -> None:
    assert _name(handler, create_event(logical_id="OtherJob5E6F7A8B")) != _name(handler, create_event())


_PREFIXES = st.from_regex(r"[a-z0-9](-?[a-z0-9]){0,26}", fullmatch=True).filter(lambda prefix: len(prefix) <= 54)


@given(
    prefix=_PREFIXES,
    title=st.text(max_size=40),
    stack_suffix=st.uuids(),
)
def test_names_are_valid_job_names(prefix: str, title: str, stack_suffix: object) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["LabelingJobName"] = prefix
    string_request["HumanTaskConfig"]["TaskTitle"] = title
    stack_id = f"arn:aws:cloudformation:us-east-1:123456789012:stack/s/{stack_suffix}"

    name = index.job_name(prefix, properties(LabelingJobRequest=string_request), stack_id=stack_id, logical_id="Job")

    assert len(name) <= 63
    assert re.fullmatch(NAME_PATTERN, name)


def test_the_longest_prefix_gives_a_63_character_name(handler: ModuleType) -> None:
    prefix = "a" * 27 + "-" + "b" * 26

    name = handler.job_name(prefix, properties(), stack_id=STACK_ID, logical_id=LOGICAL_ID)

    assert len(prefix) == 54
    assert len(name) == 63
    assert re.fullmatch(NAME_PATTERN, name)


@pytest.mark.parametrize("prefix", ["a" * 55, "-leading-hyphen", "under_score", "dot.ted", ""])
def test_an_invalid_prefix_fails_before_any_call(handler: ModuleType, sagemaker: Stubber, prefix: str) -> None:
    string_request = copy.deepcopy(STRING_REQUEST)
    string_request["LabelingJobName"] = prefix

    with pytest.raises(handler.LabelingJobError, match=r"LabelingJobName|job name"):
        handler.on_event(create_event(properties(LabelingJobRequest=string_request)), None)


# --------------------------------------------------------------------------------------------------
# Update
# --------------------------------------------------------------------------------------------------


def test_update_creates_a_new_job_under_a_new_physical_id(handler: ModuleType, sagemaker: Stubber) -> None:
    old_props = properties()
    old_name = reference_name(create_event(old_props))
    new_props = properties(
        LabelingJobRequest=_with_leaf(("StoppingConditions", "MaxPercentageOfInputDatasetLabeled"), "50")[
            "LabelingJobRequest"
        ]
    )
    event = update_event(new_props, old_props, old_name)
    new_name = reference_name(event)
    expected = typed_request(new_name)
    expected["StoppingConditions"] = {"MaxPercentageOfInputDatasetLabeled": 50}
    sagemaker.add_client_error(
        "describe_labeling_job", "ResourceNotFound", "no job", 400, None, {"LabelingJobName": new_name}
    )
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(new_name)}, expected)

    result = handler.on_event(event, None)

    assert new_name != old_name
    assert result == {
        "PhysicalResourceId": new_name,
        "Data": expected_data(new_name),
        "AdoptedExistingJob": False,
    }


def test_update_changing_only_the_service_token_keeps_the_job(handler: ModuleType, sagemaker: Stubber) -> None:
    old_props = properties(ServiceToken="arn:aws:lambda:us-east-1:123456789012:function:old-provider")
    name = reference_name(create_event(old_props))
    event = update_event(properties(), old_props, name)
    sagemaker.add_response("describe_labeling_job", describe_response(name, "Completed"), {"LabelingJobName": name})

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": expected_data(name), "AdoptedExistingJob": True}


def test_a_rollback_to_a_running_job_adopts_it_without_rewriting_its_inputs(
    handler: ModuleType, sagemaker: Stubber, s3: Any
) -> None:
    props = properties()
    name = reference_name(create_event(props))
    newer = properties(LabelingJobRequest=_with_leaf(("TaskTitle",), "Newer title")["LabelingJobRequest"])
    event = update_event(props, newer, reference_name(create_event(newer)))
    sagemaker.add_response("describe_labeling_job", describe_response(name, "InProgress"), {"LabelingJobName": name})

    result = handler.on_event(event, None)

    assert result == {"PhysicalResourceId": name, "Data": expected_data(name), "AdoptedExistingJob": False}
    assert s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET).get("KeyCount", 0) == 0, "inputs were not rewritten"


@pytest.mark.parametrize("status", ["Stopped", "Stopping", "Completed", "Failed"])
def test_returning_to_the_properties_of_a_replaced_job_needs_a_new_name(
    handler: ModuleType, sagemaker: Stubber, status: str
) -> None:
    first = properties()
    name = reference_name(create_event(first))
    second = properties(LabelingJobRequest=_with_leaf(("TaskTitle",), "Second")["LabelingJobRequest"])
    event = update_event(first, second, reference_name(create_event(second)))
    sagemaker.add_response("describe_labeling_job", describe_response(name, status), {"LabelingJobName": name})

    with pytest.raises(handler.LabelingJobError, match="already ran a labeling job with these exact properties"):
        handler.on_event(event, None)


def test_a_create_whose_earlier_job_already_ran_needs_a_new_name(handler: ModuleType, sagemaker: Stubber) -> None:
    name = reference_name(create_event())
    sagemaker.add_client_error("create_labeling_job", "ResourceInUse", "in use", 400, None, typed_request(name))
    sagemaker.add_response("describe_labeling_job", describe_response(name, "Completed"), {"LabelingJobName": name})

    with pytest.raises(handler.LabelingJobError, match="Change any property"):
        handler.on_event(create_event(), None)


# --------------------------------------------------------------------------------------------------
# Name already in use
# --------------------------------------------------------------------------------------------------


def test_a_retried_create_adopts_its_own_job(handler: ModuleType, sagemaker: Stubber) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))
    sagemaker.add_client_error(
        "create_labeling_job",
        "ResourceInUse",
        f"Labeling job {name} already exists",
        400,
        None,
        typed_request(name),
    )
    sagemaker.add_response("describe_labeling_job", describe_response(name, "Initializing"), {"LabelingJobName": name})

    first = handler.on_event(event, None)
    second = handler.on_event(create_event(), None)

    assert first["PhysicalResourceId"] == second["PhysicalResourceId"] == name
    assert second == {"PhysicalResourceId": name, "Data": expected_data(name), "AdoptedExistingJob": False}


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param(ownership_tags(stack_id=OTHER_STACK_ID), id="other-stack"),
        pytest.param(ownership_tags(logical_id="OtherJob"), id="other-logical-id"),
        pytest.param([ownership_tags()[0]], id="only-stack-tag"),
        pytest.param([], id="untagged"),
    ],
)
def test_a_name_taken_by_a_foreign_job_fails_clearly(
    handler: ModuleType, sagemaker: Stubber, tags: list[dict[str, str]]
) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_client_error("create_labeling_job", "ResourceInUse", "in use", 400, None, typed_request(name))
    sagemaker.add_response(
        "describe_labeling_job", describe_response(name, "Completed", tags=tags), {"LabelingJobName": name}
    )

    with pytest.raises(handler.LabelingJobError) as raised:
        handler.on_event(event, None)

    message = str(raised.value)
    assert f"{name} is taken by a job this resource does not own" in message
    assert "never allows a labeling job name to be reused" in message


# --------------------------------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "status"), [*((code, 400) for code in THROTTLING_CODES), ("Unknown", 503)])
def test_transient_errors_are_retried(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float], code: str, status: int
) -> None:
    event = create_event()
    name = reference_name(event)
    for _ in range(2):
        sagemaker.add_client_error("create_labeling_job", code, "slow down", status, None, typed_request(name))
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    assert handler.on_event(event, None)["PhysicalResourceId"] == name
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 2.0


def test_a_create_that_succeeded_before_a_transient_error_is_adopted(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float]
) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_client_error("create_labeling_job", "InternalFailure", "oops", 500, None, typed_request(name))
    sagemaker.add_client_error("create_labeling_job", "ResourceInUse", "exists", 400, None, typed_request(name))
    sagemaker.add_response("describe_labeling_job", describe_response(name, "Initializing"), {"LabelingJobName": name})

    assert handler.on_event(event, None)["Data"] == expected_data(name)
    assert len(sleeps) == 1


def test_throttling_gives_up_after_a_bounded_time(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handler, "_jitter", lambda: 0.999999)
    event = create_event()
    name = reference_name(event)
    for _ in range(handler.MAX_ATTEMPTS):
        sagemaker.add_client_error(
            "create_labeling_job", "ThrottlingException", "Rate exceeded", 400, None, typed_request(name)
        )

    with pytest.raises(handler.LabelingJobError, match=r"still failing after 9 attempts.*Rate exceeded"):
        handler.on_event(event, None)

    assert len(sleeps) == handler.MAX_ATTEMPTS - 1
    assert 100 <= sum(sleeps) <= 120


@pytest.mark.parametrize("message", ROLE_PROPAGATION_MESSAGES)
def test_role_propagation_errors_are_retried(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float], message: str
) -> None:
    event = create_event()
    name = reference_name(event)
    for _ in range(3):
        sagemaker.add_client_error(
            "create_labeling_job", "ValidationException", message, 400, None, typed_request(name)
        )
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    assert handler.on_event(event, None)["PhysicalResourceId"] == name
    assert len(sleeps) == 3


def test_role_propagation_errors_give_up_with_the_service_message(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float]
) -> None:
    event = create_event()
    name = reference_name(event)
    for _ in range(handler.MAX_ATTEMPTS):
        sagemaker.add_client_error(
            "create_labeling_job",
            "ValidationException",
            ROLE_PROPAGATION_MESSAGES[0],
            400,
            None,
            typed_request(name),
        )

    with pytest.raises(handler.LabelingJobError, match="Could not assume role"):
        handler.on_event(event, None)
    assert sum(sleeps) <= 120


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "LabelAttributeName must not end with -ref for BoundingBox"),
        ("ResourceLimitExceeded", "You have reached the limit of labeling jobs"),
        ("AccessDeniedException", "User is not authorized to perform sagemaker:CreateLabelingJob"),
    ],
)
def test_other_errors_fail_at_once(
    handler: ModuleType, sagemaker: Stubber, sleeps: list[float], code: str, message: str
) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_client_error("create_labeling_job", code, message, 400, None, typed_request(name))

    with pytest.raises(handler.LabelingJobError, match=re.escape(message)):
        handler.on_event(event, None)
    assert sleeps == []


def test_a_huge_service_message_is_truncated(handler: ModuleType, sagemaker: Stubber) -> None:
    event = create_event()
    name = reference_name(event)
    sagemaker.add_client_error("create_labeling_job", "ValidationException", "x" * 5000, 400, None, typed_request(name))

    with pytest.raises(handler.LabelingJobError) as raised:
        handler.on_event(event, None)

    reason = str(raised.value)
    assert reason.endswith("xxx...")
    assert len(reason) <= 1000
    assert len(cloudformation_response(event, None, reason)) < 4096


# --------------------------------------------------------------------------------------------------
# Invalid properties
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (properties(LabelingJobRequest=None), "Missing required property LabelingJobRequest"),
        (properties(LabelingJobRequest="{}"), "LabelingJobRequest must be an object"),
        (properties(ArtifactsS3Uri=None), "Missing required property ArtifactsS3Uri"),
        (properties(ArtifactsS3Uri="https://bucket/prefix/"), "ArtifactsS3Uri must be s3://"),
        (properties(ManifestLines="not json"), "ManifestLines is not valid JSON"),
        (properties(ManifestLines='{"source-ref": "s3://b/k"}'), "ManifestLines must be a JSON list"),
        (properties(ManifestLines="[]"), "ManifestLines must be a JSON list of one or more objects"),
        (properties(ManifestLines='["s3://b/k"]'), "ManifestLines must be a JSON list"),
        (properties(LabelCategoryConfig="[1, 2]"), "LabelCategoryConfig must be a JSON object"),
        (properties(UiTemplate={"not": "text"}), "UiTemplate must be a string"),
        (
            _with_leaf(("HumanTaskConfig", "TaskTimeLimitInSeconds"), "5 minutes"),
            "LabelingJobRequest.HumanTaskConfig.TaskTimeLimitInSeconds must be an integer, got '5 minutes'",
        ),
    ],
)
def test_invalid_properties_fail_before_any_call(
    handler: ModuleType, sagemaker: Stubber, s3: Any, props: dict[str, Any], message: str
) -> None:
    with pytest.raises(handler.LabelingJobError, match=re.escape(message)):
        handler.on_event(create_event(props), None)
    assert _artifact_keys(s3) == []


def test_an_unknown_request_type_fails(handler: ModuleType) -> None:
    with pytest.raises(handler.LabelingJobError, match="Unsupported RequestType 'Replace'"):
        handler.on_event({**create_event(), "RequestType": "Replace"}, None)
