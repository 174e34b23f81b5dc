"""Small builders for construct tests: a stack, and a valid job whose arguments a test overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from groundtruth_cdk import (
    ContentClassifier,
    InlineManifest,
    Instructions,
    LabelingBuckets,
    LabelingJob,
    TaskType,
    Workforce,
)
from groundtruth_cdk.task_types import Media

ACCOUNT = "123456789012"
PRIVATE_TEAM = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/labelers"
#: The key policy statement of a created KMS key that lets the account (its IAM policies) use the key.
ACCOUNT_ROOT_KEY_STATEMENT = {
    "Action": "kms:*",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:<AWS::Partition>:iam::{ACCOUNT}:root"},
    "Resource": "*",
}


#: The app's feature flags (``cdk.json``), for tests that synthesize under cdk-nag like the app does.
CDK_CONTEXT = json.loads((Path(__file__).resolve().parent.parent / "cdk.json").read_text())["context"]


def synth_under_cdk_nag(app: cdk.App, outdir: Path) -> None:
    """Synthesize ``app`` (built with cdk-nag plugins, writing to ``outdir``); fail listing every finding."""
    try:
        app.synth()
    except RuntimeError as error:
        report = outdir / "validation-report.json"
        if not report.exists():
            raise
        findings = sorted(
            {
                f"{violation['ruleName']} on {construct['constructPath']}"
                for plugin in json.loads(report.read_text())["pluginReports"]
                for violation in plugin["violations"]
                for construct in violation["violatingConstructs"]
            }
        )
        pytest.fail(f"unacknowledged cdk-nag findings ({error}):\n" + "\n".join(findings[:200]))


def stack(region: str | None = "us-east-1", account: str | None = ACCOUNT, id: str = "Test") -> cdk.Stack:
    """A stack in ``region`` (``None``: region-agnostic) in its own app."""
    env = cdk.Environment(account=account, region=region) if region or account else None
    return cdk.Stack(cdk.App(), id, env=env)


def labels_for(task_type: TaskType) -> list[str]:
    """A valid label list for ``task_type``."""
    spec = task_type.spec
    return [f"label{n}" for n in range(max(spec.min_labels, 2))]


def manifest_for(task_type: TaskType) -> InlineManifest:
    """A two-object manifest with the task type's data key."""
    if task_type.spec.manifest_key == "source":
        return InlineManifest.from_texts(["great product", "broke after a day"])
    return InlineManifest(({"source-ref": "s3://data-bucket/a.jpg"}, {"source-ref": "s3://data-bucket/b.jpg"}))


def job_kwargs(task_type: TaskType = TaskType.IMAGE_BOUNDING_BOX, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments of a valid ``LabelingJob`` of ``task_type`` (``buckets`` excluded)."""
    spec = task_type.spec
    kwargs: dict[str, Any] = {
        "task_type": task_type,
        "workforce": Workforce.private_team(PRIVATE_TEAM),
        "input": manifest_for(task_type),
        "labels": labels_for(task_type),
        "instructions": Instructions(short="<p>Short</p>", full="<p>Full</p>"),
        "task_title": "Label the data",
        "task_description": "Label each object carefully",
    }
    if spec.reviews_labels:
        kwargs["reviewed_label_attribute_name"] = "earlier-labels-ref"
    if spec.media is Media.CUSTOM:
        kwargs["ui_template"] = "<crowd-form>{{ task.input.taskObject }}</crowd-form>"
        kwargs["pre_annotation_lambda_arn"] = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-pre"
        kwargs["annotation_consolidation_lambda_arn"] = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-acs"
    kwargs.update(overrides)
    return kwargs


def add_job(
    scope: cdk.Stack, id: str = "Job", task_type: TaskType = TaskType.IMAGE_BOUNDING_BOX, **overrides: Any
) -> LabelingJob:
    """Buckets and a valid job of ``task_type`` in ``scope``; ``overrides`` replace job arguments."""
    buckets = overrides.pop("buckets", None) or LabelingBuckets(scope, f"{id}Data", task_type=task_type)
    return LabelingJob(scope, id, buckets=buckets, **job_kwargs(task_type, **overrides))


def mturk(price: str = "0.036") -> dict[str, Any]:
    """Overrides for a Mechanical Turk job."""
    return {
        "workforce": Workforce.mechanical_turk(price),
        "content_classifiers": [ContentClassifier.FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION],
    }


def resources_of(template: Template, type_: str) -> dict[str, Any]:
    """Logical id → resource of ``type_``."""
    return dict(template.find_resources(type_))


def flat(scope: cdk.Stack, value: Any) -> Any:
    """``value`` resolved, with each token-bearing string flattened to text (``<AWS::Region>``, ``<Id.Arn>``)."""
    return _flat(scope.resolve(value))


def flat_resolved(resolved: Any) -> Any:
    """Like :func:`flat` for a value that is already resolved (e.g. read from a synthesized template)."""
    return _flat(resolved)


def _flat(resolved: Any) -> Any:
    if isinstance(resolved, list):
        return [_flat(item) for item in resolved]
    if isinstance(resolved, dict):
        if len(resolved) == 1:
            ((key, argument),) = resolved.items()
            if key == "Ref":
                return f"<{argument}>"
            if key == "Fn::GetAtt":
                return f"<{argument[0]}.{argument[1]}>"
            if key == "Fn::Join":
                return str(argument[0]).join(str(_flat(part)) for part in argument[1])
            if key == "Fn::FindInMap":
                return f"<FindInMap {argument[0]} {_flat(argument[1])} {argument[2]}>"
        return {key: _flat(item) for key, item in resolved.items()}
    return resolved


def as_cloudformation_sends(template: dict[str, Any], value: Any) -> Any:
    """Evaluate Ref/Fn::Join/Fn::FindInMap like CloudFormation in us-east-1, then stringify leaves."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            resource = template.get("Resources", {}).get(value["Ref"])
            if resource is not None:
                return _physical_id(resource["Type"], value["Ref"])
            return {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": ACCOUNT}[value["Ref"]]
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(as_cloudformation_sends(template, part) for part in parts)
        if set(value) == {"Fn::FindInMap"}:
            name, key, attribute = (as_cloudformation_sends(template, v) for v in value["Fn::FindInMap"])
            return template["Mappings"][name][key][attribute]
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            resource_type = template.get("Resources", {}).get(logical_id, {}).get("Type")
            if resource_type == "AWS::KMS::Key" and attribute == "Arn":
                return f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
            if resource_type == "AWS::IAM::Role" and attribute == "Arn":
                return f"arn:aws:iam::{ACCOUNT}:role/{logical_id}"
            return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:framework"
        return {k: as_cloudformation_sends(template, v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_sends(template, v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _physical_id(resource_type: str, logical_id: str) -> str:
    """What ``Ref`` gives for a resource of the template (the kinds job requests refer to)."""
    if resource_type == "AWS::SNS::Topic":
        return f"arn:aws:sns:us-east-1:{ACCOUNT}:{logical_id}"
    if resource_type == "AWS::S3::Bucket":
        return logical_id.lower()
    return logical_id


# -- helpers of the issue-6 construct tests (auto-labeling, keys, streaming, chains, notifications) ------


def synthesized(scope: cdk.Stack) -> dict[str, Any]:
    """The synthesized template of ``scope``, flattened like :func:`flat_resolved`."""
    return dict(flat_resolved(Template.from_stack(scope).to_json()))


def of_type(template: dict[str, Any], type_: str, logical_prefix: str = "") -> dict[str, dict[str, Any]]:
    """Logical id → resource of ``type_`` whose logical id starts with ``logical_prefix``."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == type_ and logical_id.startswith(logical_prefix)
    }


def one_of_type(template: dict[str, Any], type_: str, logical_prefix: str = "") -> tuple[str, dict[str, Any]]:
    """The logical id and resource of the only resource of ``type_`` starting with ``logical_prefix``."""
    found = of_type(template, type_, logical_prefix)
    assert len(found) == 1, f"{len(found)} {type_} resources start with {logical_prefix!r}: {sorted(found)}"
    ((logical_id, resource),) = found.items()
    return logical_id, resource


def statements(template: dict[str, Any], logical_prefix: str) -> list[dict[str, Any]]:
    """The statements of the only IAM policy whose logical id starts with ``logical_prefix``."""
    _, policy = one_of_type(template, "AWS::IAM::Policy", logical_prefix)
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def all_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement of every IAM policy in the template."""
    return [
        statement
        for policy in of_type(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def actions_of(statement: dict[str, Any]) -> list[str]:
    """A statement's actions as a list."""
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def job_properties(template: dict[str, Any], logical_prefix: str = "Job") -> dict[str, Any]:
    """The properties of the only ``Custom::LabelingJob`` whose logical id starts with ``logical_prefix``."""
    _, resource = one_of_type(template, "Custom::LabelingJob", logical_prefix)
    return dict(resource["Properties"])


def outputs_of(template: dict[str, Any], logical_prefix: str) -> dict[str, Any]:
    """Output id (without ``logical_prefix`` and the hash) → value, for outputs starting with ``logical_prefix``."""
    return {
        output_id[len(logical_prefix) : -8]: output["Value"]
        for output_id, output in template.get("Outputs", {}).items()
        if output_id.startswith(logical_prefix) and not output_id.startswith("ExportsOutput")
    }


def job_error(task_type: TaskType = TaskType.IMAGE_BOUNDING_BOX, **overrides: Any) -> str:
    """The message of the ``ValueError`` that a job of ``task_type`` with ``overrides`` raises at synth."""
    scope = overrides.pop("scope", None) or stack()
    try:
        add_job(scope, task_type=task_type, **overrides)
    except ValueError as error:
        return str(error)
    raise AssertionError("the job was accepted")


def acknowledged_rules(construct: Any) -> set[str]:
    """The cdk-nag rule ids acknowledged (``cdk.Validations``) on ``construct``."""
    return {
        key.removeprefix("Annotation::")
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for key in entry.data
    }


def ssl_only_statement(topic: str) -> dict[str, Any]:
    """The topic policy statement that denies publishing to ``topic`` (a resolved reference) without TLS."""
    return {
        "Action": "sns:Publish",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": "*",
        "Resource": topic,
        "Sid": "AllowPublishThroughSSLOnly",
    }
