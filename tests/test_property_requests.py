"""Property: any input either fails at synth with ValueError, or deploys a request the API accepts.

Each example goes the whole way a deploy goes: the construct synthesizes a template, CloudFormation's
evaluation of intrinsics and its stringification of every property are emulated, the real handler
builds the request (moto S3 for its writes) and botocore's Stubber validates it against the
CreateLabelingJob model. On top of botocore's checks (types, required members, minimums) every string
is checked against the model's maximum length and pattern, which botocore leaves to the service.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from botocore.model import Shape
from botocore.stub import Stubber
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from groundtruth_cdk import (
    AutoLabeling,
    AutoLabelingVpc,
    ContentClassifier,
    InlineManifest,
    Instructions,
    LabelingBuckets,
    LabelingJob,
    ManifestInput,
    StoppingConditions,
    Streaming,
    TaskType,
    Workforce,
)
from groundtruth_cdk.handlers.labeling_job import index
from groundtruth_cdk.task_types import RefSuffix
from tests.builders import as_cloudformation_sends

ACCOUNT = "123456789012"
STACK_ID = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/prop/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/LabelingRole"
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ "
#: The tag pattern uses Java's Unicode classes; checked by category instead.
TAG_PATTERN = "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0xD7FF)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=140)
KEY_IDS = ("1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890ab")
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0fedcba9876543210", "subnet-12345678")
GROUPS = ("sg-0123456789abcdef0", "sg-12345678")


def _mostly(draw: st.DrawFn, valid: st.SearchStrategy[Any], anything: st.SearchStrategy[Any]) -> Any:
    """Usually a valid value, sometimes (1 in 25) any value: most examples reach the API check."""
    return draw(st.integers(0, 24).flatmap(lambda n: anything if n == 0 else valid))


@st.composite
def job_arguments(draw: st.DrawFn) -> dict[str, Any]:
    task_type = draw(st.sampled_from(list(TaskType)))
    spec = task_type.spec
    custom = spec.lambda_suffix is None
    public = spec.mechanical_turk and draw(st.booleans())
    team = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/{{}}-crowd/team-1"
    valid_workforce = (
        st.sampled_from(spec.mechanical_turk_prices).map(Workforce.mechanical_turk)
        if public
        else st.sampled_from([Workforce.private_team(team.format("private")), Workforce.vendor(team.format("vendor"))])
    )
    any_workforce = st.sampled_from(
        [Workforce.mechanical_turk(Decimal(p)) for p in ("0.012", "0.036", "0.840", "0.037", "2.500")]
        + [Workforce.private_team(team.format("vendor")), Workforce.vendor("arn:aws:sagemaker:x")]
    )
    name = st.text(alphabet=NAME_CHARS, min_size=0, max_size=70)
    valid_name = st.from_regex(r"\A[a-z0-9](-?[a-z0-9]){0,20}\Z")
    ref = "-ref" if spec.label_attribute_ref is RefSuffix.REQUIRED else ""
    word = st.text(alphabet="abcXYZ019", min_size=1, max_size=9)
    max_labels = spec.max_labels or 6
    valid_labels = st.lists(
        st.text(alphabet="abcdefgh XYZé", min_size=1, max_size=8),
        min_size=spec.min_labels,
        max_size=max_labels,
        unique=True,
    )
    max_availability = 12 * 3600 if public else 30 * 24 * 3600
    seconds = st.integers(min_value=0, max_value=40 * 24 * 3600)
    data_key = spec.manifest_key
    objects = st.lists(st.text(alphabet="abc/ .é", min_size=1, max_size=20), min_size=1, max_size=4).map(
        lambda keys: InlineManifest(
            tuple({data_key: f"s3://data-bucket/data/{k}" if data_key == "source-ref" else k} for k in keys)
        )
    )
    any_objects = st.lists(
        st.sampled_from([{"source": "x"}, {"source-ref": "s3://data-bucket/a"}, {"$x": 1}]), max_size=3
    ).map(lambda lines: InlineManifest(tuple(lines)))
    manifest = st.just(ManifestInput("s3://data-bucket/data/input.manifest"))
    classifiers = [ContentClassifier.FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION] if public else []
    key_arn = st.sampled_from([f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{uuid}" for uuid in KEY_IDS])
    vpc = st.builds(
        AutoLabelingVpc,
        subnet_ids=st.lists(st.sampled_from(SUBNETS), min_size=1, max_size=3, unique=True).map(tuple),
        security_group_ids=st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True).map(tuple),
    )
    auto_labeling = st.builds(
        AutoLabeling,
        initial_model=st.one_of(st.none(), st.just(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/earlier-model")),
        volume_kms_key_arn=st.one_of(st.none(), key_arn),
        vpc=st.one_of(st.none(), vpc),
    )
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:labeled-objects"
    streaming = st.builds(
        Streaming,
        input_topic_arn=st.one_of(st.none(), st.just(f"arn:aws:sns:us-east-1:{ACCOUNT}:objects-to-label")),
        output_topic=st.sampled_from([False, True, topic]),
    )
    lambdas = (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:pre", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:acs")
    template = "<crowd-form>{{ task.input.taskObject }}</crowd-form>"
    any_arn = st.sampled_from([None, lambdas[0]])
    return {
        "task_type": task_type,
        "workforce": _mostly(draw, valid_workforce, any_workforce),
        "input": _mostly(draw, st.one_of(objects, manifest), any_objects),
        "labels": _mostly(draw, valid_labels, st.lists(st.text(alphabet="ab", max_size=300), max_size=55)),
        "instructions": Instructions(short=draw(TEXT), full=draw(TEXT)),
        "task_title": _mostly(draw, st.text(alphabet=PRINTABLE, min_size=1, max_size=128), st.text(max_size=140)),
        "task_description": _mostly(draw, st.text(alphabet=PRINTABLE, min_size=1, max_size=255), st.text(max_size=270)),
        "task_keywords": _mostly(
            draw,
            st.lists(st.lists(word, min_size=1, max_size=3).map(" ".join).filter(lambda k: len(k) <= 30), max_size=5),
            st.lists(st.text(alphabet="ab 1!", max_size=32), max_size=6),
        ),
        "label_attribute_name": _mostly(
            draw,
            st.one_of(st.none(), valid_name.map(lambda n: n + ref)),
            st.one_of(name, name.map(lambda n: n + "-ref"), name.map(lambda n: n + "-metadata")),
        ),
        "job_name_prefix": _mostly(draw, st.one_of(st.none(), valid_name), name),
        "workers_per_object": _mostly(draw, st.integers(1, 9), st.integers(-1, 11)),
        "task_time_limit": cdk.Duration.seconds(_mostly(draw, st.integers(30, spec.max_task_time_seconds), seconds)),
        "task_availability_lifetime": _mostly(
            draw,
            st.one_of(st.none(), st.integers(60, max_availability).map(cdk.Duration.seconds)),
            seconds.map(cdk.Duration.seconds),
        ),
        "max_concurrent_task_count": _mostly(draw, st.one_of(st.none(), st.integers(1, 5000)), st.integers(-1, 6000)),
        "stopping_conditions": _mostly(
            draw,
            st.one_of(
                st.none(),
                st.builds(
                    StoppingConditions,
                    max_human_labeled_objects=st.one_of(st.none(), st.integers(1, 10**6)),
                    max_percentage_labeled=st.one_of(st.none(), st.integers(1, 100)),
                ),
            ),
            st.builds(
                StoppingConditions,
                max_human_labeled_objects=st.integers(-1, 2),
                max_percentage_labeled=st.integers(99, 101),
            ),
        ),
        "content_classifiers": _mostly(
            draw,
            st.just(classifiers),
            st.lists(st.sampled_from(list(ContentClassifier)), max_size=2, unique=True),
        ),
        "reviewed_label_attribute_name": _mostly(
            draw, st.just("earlier-labels-ref") if spec.reviews_labels else st.none(), st.one_of(st.none(), name)
        ),
        "ui_template": _mostly(
            draw,
            st.just(template) if custom else st.none(),
            st.sampled_from([None, template]),
        ),
        "pre_annotation_lambda_arn": _mostly(draw, st.just(lambdas[0] if custom else None), any_arn),
        "annotation_consolidation_lambda_arn": _mostly(draw, st.just(lambdas[1] if custom else None), any_arn),
        "auto_labeling": _mostly(
            draw, st.one_of(st.none(), auto_labeling) if spec.auto_labeling else st.none(), auto_labeling
        ),
        "output_kms_key_arn": draw(st.one_of(st.none(), key_arn)),
        "streaming": _mostly(draw, st.one_of(st.none(), streaming), streaming),
        "tags": _mostly(
            draw,
            st.dictionaries(
                st.text(alphabet="abc -é", min_size=1, max_size=5), st.text(alphabet="xyz:1", max_size=5), max_size=3
            ),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        ),
    }


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[str, Any]]:
    with mock_aws():
        session = boto3.session.Session()
        created = {
            service: session.client(service, region_name="us-east-1", config=index._CLIENT_CONFIG)
            for service in ("s3", "sagemaker")
        }
        created["s3"].create_bucket(Bucket="data-bucket")
        yield created


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(arguments=job_arguments())
def test_synthesizes_a_valid_request_or_fails_at_synth(
    arguments: dict[str, Any], clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = cdk.Stack(cdk.App(), "Prop", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    data = s3.Bucket.from_bucket_name(stack, "DataBucket", "data-bucket")
    buckets = LabelingBuckets(
        stack, "Data", task_type=arguments["task_type"], input_bucket=data, output_bucket=data, input_prefix="data/"
    )
    try:
        job = LabelingJob(stack, "Job", buckets=buckets, role=ROLE, **arguments)
    except ValueError as error:
        rejection = str(error)
    else:
        rejection = None
    if rejection is not None:
        assert rejection.startswith("LabelingJob Prop/Job: ")
        event("rejected at synth")
        return
    event("deployed")
    request = _request_the_handler_sends(stack, job, clients, monkeypatch)
    for feature, present in (
        ("streaming", "SnsDataSource" in request["InputConfig"]["DataSource"]),
        ("output key", "KmsKeyId" in request["OutputConfig"]),
        ("auto-labeling resources", "LabelingJobResourceConfig" in request.get("LabelingJobAlgorithmsConfig", {})),
    ):
        if present:
            event(f"deployed with {feature}")


def _every_option_job(stack: cdk.Stack, **overrides: Any) -> LabelingJob:
    """A bounding box job with automated data labeling in a VPC, a volume key, an initial model and an output key."""
    data = s3.Bucket.from_bucket_name(stack, "DataBucket", "data-bucket")
    buckets = LabelingBuckets(
        stack, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_bucket=data, input_prefix="data/"
    )
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_IDS[0]}"
    arguments: dict[str, Any] = {
        "task_type": TaskType.IMAGE_BOUNDING_BOX,
        "workforce": Workforce.private_team(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:workteam/private-crowd/team-1"),
        "input": ManifestInput("s3://data-bucket/data/input.manifest"),
        "labels": ["car", "bus"],
        "instructions": Instructions(short="Box them.", full="Box every vehicle."),
        "task_title": "Boxes",
        "task_description": "Draw boxes",
        "auto_labeling": AutoLabeling(
            initial_model=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/earlier-model",
            volume_kms_key_arn=key,
            vpc=AutoLabelingVpc(subnet_ids=SUBNETS, security_group_ids=GROUPS),
        ),
        "output_kms_key_arn": key,
        **overrides,
    }
    return LabelingJob(stack, "Job", buckets=buckets, **arguments)


def test_every_auto_labeling_and_key_option_reaches_a_valid_request(
    clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = cdk.Stack(cdk.App(), "Options", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    request = _request_the_handler_sends(stack, _every_option_job(stack), clients, monkeypatch)
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_IDS[0]}"
    assert request["LabelingJobAlgorithmsConfig"] == {
        "LabelingJobAlgorithmSpecificationArn": "arn:aws:sagemaker:us-east-1:027400017018:"
        "labeling-job-algorithm-specification/object-detection",
        "InitialActiveLearningModelArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/earlier-model",
        "LabelingJobResourceConfig": {
            "VolumeKmsKeyId": key,
            "VpcConfig": {"SecurityGroupIds": list(GROUPS), "Subnets": list(SUBNETS)},
        },
    }
    assert request["OutputConfig"]["KmsKeyId"] == key


def test_a_streaming_job_with_created_topics_reaches_a_valid_request(
    clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = cdk.Stack(cdk.App(), "Stream", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    job = _every_option_job(stack, input=None, auto_labeling=None, streaming=Streaming(output_topic=True))
    request = _request_the_handler_sends(stack, job, clients, monkeypatch)
    (source,) = request["InputConfig"]["DataSource"].items()
    assert source[0] == "SnsDataSource"
    assert source[1]["SnsTopicArn"].startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:JobStreamingInput")
    assert request["OutputConfig"]["SnsTopicArn"].startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:JobStreamingOutput")


def _request_the_handler_sends(
    stack: cdk.Stack, job: LabelingJob, clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Synthesize, send the resource's properties as CloudFormation does through the real handler into the
    Stubber (which validates the request against the API model), check the model's maximums and patterns
    botocore leaves out, and return the request."""
    template = Template.from_stack(stack).to_json()
    logical_id = stack.get_logical_id(job.resource.node.default_child)  # type: ignore[arg-type]
    properties = as_cloudformation_sends(template, template["Resources"][logical_id]["Properties"])

    monkeypatch.setattr(index, "_CLIENTS", clients)
    sent: list[dict[str, Any]] = []
    clients["sagemaker"].meta.events.register(
        "provide-client-params.sagemaker.CreateLabelingJob", lambda params, **_: sent.append(params)
    )
    with Stubber(clients["sagemaker"]) as stubber:
        stubber.add_response(
            "create_labeling_job", {"LabelingJobArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:labeling-job/x"}, None
        )
        index.on_event(
            {
                "RequestType": "Create",
                "RequestId": "r-1",
                "StackId": STACK_ID,
                "LogicalResourceId": logical_id,
                "ResourceType": "Custom::LabelingJob",
                "ResourceProperties": properties,
            },
            None,
        )
        stubber.assert_no_pending_responses()
    clients["sagemaker"].meta.events.unregister("provide-client-params.sagemaker.CreateLabelingJob")
    (request,) = sent
    shape = clients["sagemaker"].meta.service_model.operation_model("CreateLabelingJob").input_shape
    assert _beyond_botocore(request, shape, "") == []
    return request


def _beyond_botocore(value: Any, shape: Shape, path: str) -> list[str]:
    """Maximums and patterns of the API model, which botocore's validator does not check."""
    problems: list[str] = []
    metadata = shape.metadata
    if shape.type_name == "structure":
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if name in value:
                problems += _beyond_botocore(value[name], member, f"{path}.{name}")
    elif shape.type_name == "list":
        if "max" in metadata and len(value) > metadata["max"]:
            problems.append(f"{path}: {len(value)} items > {metadata['max']}")
        for index_, item in enumerate(value):
            problems += _beyond_botocore(item, shape.member, f"{path}[{index_}]")  # type: ignore[attr-defined]
    elif shape.type_name == "string":
        if "max" in metadata and len(value) > metadata["max"]:
            problems.append(f"{path}: {len(value)} characters > {metadata['max']}")
        pattern = _python_pattern(metadata.get("pattern"))
        if metadata.get("pattern") == TAG_PATTERN:
            if not all(unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@" for c in value):
                problems.append(f"{path}: {value!r} does not match {TAG_PATTERN}")
        elif pattern is not None and not pattern.fullmatch(value):
            problems.append(f"{path}: {value!r} does not match {metadata['pattern']}")
    elif shape.type_name in ("integer", "long") and "max" in metadata and value > metadata["max"]:
        problems.append(f"{path}: {value} > {metadata['max']}")
    return problems


def _python_pattern(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None or "\\p" in pattern or "\\P" in pattern:
        return None  # Java Unicode classes: not expressible in Python's re
    try:
        return re.compile(pattern)  # like Java's, '.' stops at line breaks
    except re.error:
        return None
