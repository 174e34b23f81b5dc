"""restore_types: CloudFormation's all-string values back to the types of botocore's API model."""

from __future__ import annotations

import copy
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.model import ShapeResolver
from hypothesis import given
from hypothesis import strategies as st

from groundtruth_cdk.handlers.labeling_job import index
from groundtruth_cdk.handlers.labeling_job.index import LabelingJobError, restore_types

from .builders import STRING_REQUEST, typed_request

_SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")


def _input_shape(operation: str) -> Any:
    return _SAGEMAKER.operation_model(operation).input_shape


CREATE_LABELING_JOB = _input_shape("CreateLabelingJob")


def test_the_realistic_request_gets_its_integers_back() -> None:
    expected = typed_request("my-project-job", with_artifacts=False)
    expected["Tags"] = expected["Tags"][:1]

    assert restore_types(STRING_REQUEST, CREATE_LABELING_JOB, "Request") == expected


def test_the_input_is_not_modified() -> None:
    original = copy.deepcopy(STRING_REQUEST)

    restore_types(STRING_REQUEST, CREATE_LABELING_JOB, "Request")

    assert original == STRING_REQUEST


def test_every_nested_number_of_create_labeling_job() -> None:
    request = {
        "HumanTaskConfig": {
            "NumberOfHumanWorkersPerDataObject": "5",
            "PublicWorkforceTaskPrice": {
                "AmountInUsd": {"Dollars": "0", "Cents": "3", "TenthFractionsOfACent": "6"},
            },
            "TaskKeywords": ["Images", "bounding boxes"],
        },
        "StoppingConditions": {
            "MaxHumanLabeledObjectCount": "1250",
            "MaxPercentageOfInputDatasetLabeled": "90",
        },
        "LabelingJobAlgorithmsConfig": {
            "LabelingJobAlgorithmSpecificationArn": "arn:aws:sagemaker:us-east-1:027400017018:"
            "labeling-job-algorithm-specification/object-detection",
            "LabelingJobResourceConfig": {
                "VolumeKmsKeyId": "1234",
                "VpcConfig": {"SecurityGroupIds": ["sg-1", "sg-2"], "Subnets": ["subnet-1"]},
            },
        },
        "Tags": [{"Key": "count", "Value": "3"}],
    }

    restored = restore_types(request, CREATE_LABELING_JOB, "Request")

    assert restored == {
        "HumanTaskConfig": {
            "NumberOfHumanWorkersPerDataObject": 5,
            "PublicWorkforceTaskPrice": {"AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}},
            "TaskKeywords": ["Images", "bounding boxes"],
        },
        "StoppingConditions": {"MaxHumanLabeledObjectCount": 1250, "MaxPercentageOfInputDatasetLabeled": 90},
        "LabelingJobAlgorithmsConfig": request["LabelingJobAlgorithmsConfig"],
        "Tags": [{"Key": "count", "Value": "3"}],
    }


def test_booleans_floats_and_lists_of_structures_in_another_operation() -> None:
    request = {
        "EndpointConfigName": "cfg",
        "ProductionVariants": [
            {
                "VariantName": "a",
                "InitialInstanceCount": "2",
                "InitialVariantWeight": "0.25",
                "EnableSSMAccess": "true",
            },
            {"VariantName": "b", "InitialVariantWeight": "1", "EnableSSMAccess": "FALSE"},
        ],
        "DataCaptureConfig": {"EnableCapture": "false", "InitialSamplingPercentage": "20"},
    }

    restored = restore_types(request, _input_shape("CreateEndpointConfig"), "Request")

    assert restored == {
        "EndpointConfigName": "cfg",
        "ProductionVariants": [
            {
                "VariantName": "a",
                "InitialInstanceCount": 2,
                "InitialVariantWeight": 0.25,
                "EnableSSMAccess": True,
            },
            {"VariantName": "b", "InitialVariantWeight": 1.0, "EnableSSMAccess": False},
        ],
        "DataCaptureConfig": {"EnableCapture": False, "InitialSamplingPercentage": 20},
    }


def test_longs_and_string_maps_in_another_operation() -> None:
    request = {
        "HyperParameters": {"epochs": "10", "verbose": "true"},
        "InputDataConfig": [{"ChannelName": "train", "ShuffleConfig": {"Seed": "12345678901"}}],
        "EnableNetworkIsolation": "True",
    }

    restored = restore_types(request, _input_shape("CreateTrainingJob"), "Request")

    assert restored == {
        "HyperParameters": {"epochs": "10", "verbose": "true"},
        "InputDataConfig": [{"ChannelName": "train", "ShuffleConfig": {"Seed": 12345678901}}],
        "EnableNetworkIsolation": True,
    }


_SYNTHETIC_SHAPES = {
    "Root": {
        "type": "structure",
        "members": {
            "Counts": {"shape": "CountMap"},
            "Ratio": {"shape": "Ratio"},
            "When": {"shape": "When"},
            "Matrix": {"shape": "Matrix"},
        },
    },
    "CountMap": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Count"}},
    "Matrix": {"type": "list", "member": {"shape": "Row"}},
    "Row": {"type": "list", "member": {"shape": "Ratio"}},
    "Name": {"type": "string"},
    "Count": {"type": "integer"},
    "Ratio": {"type": "double"},
    "When": {"type": "timestamp"},
}


def test_maps_of_numbers_nested_lists_and_untouched_timestamps() -> None:
    shape = ShapeResolver(_SYNTHETIC_SHAPES).get_shape_by_name("Root")

    restored = restore_types(
        {
            "Counts": {"a": "1", "b": "-2"},
            "Ratio": "1e-3",
            "When": "2025-01-01T00:00:00Z",
            "Matrix": [["1.5"], []],
        },
        shape,
        "Root",
    )

    assert restored == {
        "Counts": {"a": 1, "b": -2},
        "Ratio": 0.001,
        "When": "2025-01-01T00:00:00Z",
        "Matrix": [[1.5], []],
    }


def test_typed_values_unknown_members_and_odd_containers_are_kept() -> None:
    request = {
        "HumanTaskConfig": {"NumberOfHumanWorkersPerDataObject": 3, "SomethingNew": "7"},
        "StoppingConditions": "not-an-object",
        "Tags": {"not": "a list"},
    }

    assert restore_types(request, CREATE_LABELING_JOB, "Request") == request


@pytest.mark.parametrize(
    ("operation", "request_", "message"),
    [
        (
            "CreateLabelingJob",
            {"HumanTaskConfig": {"TaskTimeLimitInSeconds": "3.5"}},
            "Request.HumanTaskConfig.TaskTimeLimitInSeconds must be an integer, got '3.5'",
        ),
        (
            "CreateLabelingJob",
            {"HumanTaskConfig": {"PublicWorkforceTaskPrice": {"AmountInUsd": {"Cents": ""}}}},
            "Request.HumanTaskConfig.PublicWorkforceTaskPrice.AmountInUsd.Cents must be an integer, got ''",
        ),
        (
            "CreateEndpointConfig",
            {"ProductionVariants": [{"VariantName": "a"}, {"EnableSSMAccess": "yes"}]},
            "Request.ProductionVariants[1].EnableSSMAccess must be true or false, got 'yes'",
        ),
        (
            "CreateEndpointConfig",
            {"ProductionVariants": [{"InitialVariantWeight": "heavy"}]},
            "Request.ProductionVariants[0].InitialVariantWeight must be a number, got 'heavy'",
        ),
    ],
)
def test_unconvertible_leaves_fail_with_their_path(operation: str, request_: dict[str, Any], message: str) -> None:
    with pytest.raises(LabelingJobError) as raised:
        restore_types(request_, _input_shape(operation), "Request")

    assert str(raised.value) == message


_INTEGER_FIELDS = [
    ("HumanTaskConfig", "NumberOfHumanWorkersPerDataObject"),
    ("HumanTaskConfig", "TaskTimeLimitInSeconds"),
    ("HumanTaskConfig", "TaskAvailabilityLifetimeInSeconds"),
    ("HumanTaskConfig", "MaxConcurrentTaskCount"),
    ("StoppingConditions", "MaxHumanLabeledObjectCount"),
    ("StoppingConditions", "MaxPercentageOfInputDatasetLabeled"),
]


@given(values=st.lists(st.integers(min_value=-(2**40), max_value=2**40), min_size=6, max_size=6))
def test_stringified_integers_round_trip(values: list[int]) -> None:
    typed: dict[str, Any] = {"HumanTaskConfig": {}, "StoppingConditions": {}}
    for (structure, field), value in zip(_INTEGER_FIELDS, values, strict=True):
        typed[structure][field] = value
    as_cloudformation_sends_it = {
        structure: {field: str(value) for field, value in members.items()} for structure, members in typed.items()
    }

    assert restore_types(as_cloudformation_sends_it, CREATE_LABELING_JOB, "Request") == typed


def test_the_handler_clients_leave_retries_to_the_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "_CLIENTS", {})

    client = index._client("sagemaker")

    assert client.meta.config.retries["total_max_attempts"] == 1
    assert index._client("sagemaker") is client


def test_the_longest_possible_backoff_stays_within_two_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "_jitter", lambda: 1.0)

    total = sum(index._backoff_delay(retry) for retry in range(index.MAX_ATTEMPTS - 1))

    assert total <= 120


def test_network_errors_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(index, "_sleep", sleeps.append)
    outcomes: list[Exception | str] = [
        EndpointConnectionError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com"),
        "done",
    ]

    def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert index._with_retries(call, "Call", index._is_transient) == "done"
    assert len(sleeps) == 2
