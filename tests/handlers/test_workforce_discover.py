"""discover (Custom::GroundTruthWorkforce): adopt the region's private workforce, or guard against a second one.

SageMaker is stubbed with botocore's Stubber (it validates every request against the real API model); a
Stubber with nothing queued proves that no call was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped,unused-ignore]

from groundtruth_cdk.handlers.workforce import index

from .workforce_builders import (
    COGNITO_CLIENT_ID,
    DATA_KEYS,
    GUARD_PHYSICAL_ID,
    OIDC_CLIENT_ID,
    REGION,
    SUB_DOMAIN,
    USER_POOL,
    WORKFORCE_ARN,
    WORKFORCE_NAME,
    cognito_workforce,
    discover_event,
    list_response,
    oidc_workforce,
)

FIRST_PAGE = {"MaxResults": 100}


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the handler's backoff sleeps instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(index, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def sagemaker(
    monkeypatch: pytest.MonkeyPatch, slept: list[float], boto_session: boto3.session.Session
) -> Iterator[Stubber]:
    """Give the handler a fresh SageMaker client (configured as its own) and stub it; all stubs must be used."""
    client = boto_session.client("sagemaker", region_name=REGION, config=index._client_config("sagemaker"))
    monkeypatch.setattr(index, "_CLIENTS", {"sagemaker": client})
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _expect_list(sagemaker: Stubber, *workforces: dict[str, Any]) -> None:
    sagemaker.add_response("list_workforces", list_response(*workforces), FIRST_PAGE)


def _expect_describe(sagemaker: Stubber, workforce: dict[str, Any]) -> None:
    sagemaker.add_response(
        "describe_workforce", {"Workforce": workforce}, {"WorkforceName": workforce["WorkforceName"]}
    )


def _error_message(excinfo: pytest.ExceptionInfo[index.WorkforceError]) -> str:
    return str(excinfo.value)


# --------------------------------------------------------------------------------------------------
# adopt
# --------------------------------------------------------------------------------------------------


def test_adopting_a_cognito_workforce_returns_its_attributes(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, cognito_workforce())
    _expect_describe(sagemaker, cognito_workforce())

    result = index.discover(discover_event("Create", "adopt", expected_identity="cognito"), None)

    assert result == {
        "PhysicalResourceId": WORKFORCE_ARN,
        "Data": {
            "WorkforceName": WORKFORCE_NAME,
            "WorkforceArn": WORKFORCE_ARN,
            "SubDomain": SUB_DOMAIN,
            "PortalUrl": f"https://{SUB_DOMAIN}",
            "IdentityProvider": "cognito",
            "UserPool": USER_POOL,
            "ClientId": COGNITO_CLIENT_ID,
        },
    }


def test_adopting_an_oidc_workforce_has_every_key_with_empty_cognito_values(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, oidc_workforce())
    _expect_describe(sagemaker, oidc_workforce())

    result = index.discover(discover_event("Create", "adopt", expected_identity="oidc"), None)

    data = result["Data"]
    assert set(data) == DATA_KEYS
    assert all(isinstance(value, str) for value in data.values())
    assert data["IdentityProvider"] == "oidc"
    assert data["UserPool"] == ""
    assert data["ClientId"] == ""
    assert OIDC_CLIENT_ID not in data.values()
    assert data["PortalUrl"] == f"https://{SUB_DOMAIN}"
    assert result["PhysicalResourceId"] == WORKFORCE_ARN


def test_adopt_fails_when_a_cognito_workforce_was_declared_oidc(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, cognito_workforce())
    _expect_describe(sagemaker, cognito_workforce())

    with pytest.raises(index.WorkforceError) as excinfo:
        index.discover(discover_event("Create", "adopt", expected_identity="oidc"), None)

    message = _error_message(excinfo)
    assert f"'{WORKFORCE_NAME}'" in message
    assert "Amazon Cognito" in message
    assert "declared 'oidc'" in message
    assert "declare the identity 'cognito'" in message


def test_adopt_fails_when_an_oidc_workforce_was_declared_cognito(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, oidc_workforce())
    _expect_describe(sagemaker, oidc_workforce())

    with pytest.raises(index.WorkforceError) as excinfo:
        index.discover(discover_event("Create", "adopt", expected_identity="cognito"), None)

    message = _error_message(excinfo)
    assert "OIDC identity provider" in message
    assert "declared 'cognito'" in message
    assert "declare the identity 'oidc'" in message


def test_adopt_fails_when_there_is_no_workforce(sagemaker: Stubber) -> None:
    _expect_list(sagemaker)

    with pytest.raises(index.WorkforceError) as excinfo:
        index.discover(discover_event("Create", "adopt", expected_identity="cognito"), None)

    message = _error_message(excinfo)
    assert f"No private workforce exists in {REGION} of this account" in message
    assert "PrivateWorkforce(...) instead of PrivateWorkforce.adopt(...)" in message


def test_adopt_reads_every_page_of_list_workforces(sagemaker: Stubber) -> None:
    sagemaker.add_response("list_workforces", list_response(next_token="page-2"), FIRST_PAGE)
    sagemaker.add_response("list_workforces", list_response(cognito_workforce()), {**FIRST_PAGE, "NextToken": "page-2"})
    _expect_describe(sagemaker, cognito_workforce())

    result = index.discover(discover_event("Create", "adopt", expected_identity="cognito"), None)

    assert result["PhysicalResourceId"] == WORKFORCE_ARN


def test_the_same_create_twice_gives_the_same_result(sagemaker: Stubber) -> None:
    for _ in range(2):
        _expect_list(sagemaker, cognito_workforce())
        _expect_describe(sagemaker, cognito_workforce())
    event = discover_event("Create", "adopt", expected_identity="cognito")

    first = index.discover(event, None)
    second = index.discover(event, None)

    assert first == second


def test_adopt_update_discovers_again(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, cognito_workforce())
    _expect_describe(sagemaker, cognito_workforce())
    event = discover_event("Update", "adopt", expected_identity="cognito", physical_id=WORKFORCE_ARN)

    result = index.discover(event, None)

    assert result["PhysicalResourceId"] == WORKFORCE_ARN
    assert result["Data"]["UserPool"] == USER_POOL


def test_adopt_fails_for_a_workforce_being_deleted(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, cognito_workforce())
    _expect_describe(sagemaker, cognito_workforce(status="Deleting"))

    with pytest.raises(index.WorkforceError, match="is being deleted"):
        index.discover(discover_event("Create", "adopt", expected_identity="cognito"), None)


@pytest.mark.parametrize("expected", [None, "", "COGNITO", "saml"])
def test_adopt_fails_for_an_invalid_expected_identity(sagemaker: Stubber, expected: str | None) -> None:
    with pytest.raises(index.WorkforceError, match="ExpectedIdentity must be 'cognito' or 'oidc'"):
        index.discover(discover_event("Create", "adopt", expected_identity=expected), None)


@pytest.mark.parametrize("mode", ["adopt", "guard"])
def test_delete_never_calls_sagemaker(sagemaker: Stubber, mode: str) -> None:
    event = discover_event("Delete", mode, expected_identity="cognito", physical_id=WORKFORCE_ARN)

    assert index.discover(event, None) == {"PhysicalResourceId": WORKFORCE_ARN}


def test_throttling_is_retried(sagemaker: Stubber, slept: list[float]) -> None:
    sagemaker.add_client_error("list_workforces", "ThrottlingException", "Rate exceeded", 400, None, FIRST_PAGE)
    _expect_list(sagemaker, cognito_workforce())
    sagemaker.add_client_error(
        "describe_workforce", "ThrottlingException", "Rate exceeded", 400, None, {"WorkforceName": WORKFORCE_NAME}
    )
    _expect_describe(sagemaker, cognito_workforce())

    result = index.discover(discover_event("Create", "adopt", expected_identity="cognito"), None)

    assert result["PhysicalResourceId"] == WORKFORCE_ARN
    assert len(slept) == 2


def test_persistent_throttling_fails_with_a_bounded_message(sagemaker: Stubber, slept: list[float]) -> None:
    for _ in range(index.MAX_ATTEMPTS):
        sagemaker.add_client_error("list_workforces", "ThrottlingException", "Rate exceeded", 400, None, FIRST_PAGE)

    with pytest.raises(index.WorkforceError, match="ListWorkforces still failing after 9 attempts"):
        index.discover(discover_event("Create", "guard"), None)
    assert len(slept) == index.MAX_ATTEMPTS - 1


def test_access_denied_is_not_retried(sagemaker: Stubber, slept: list[float]) -> None:
    sagemaker.add_client_error("list_workforces", "AccessDeniedException", "not authorized", 400, None, FIRST_PAGE)

    with pytest.raises(index.WorkforceError, match="AccessDeniedException"):
        index.discover(discover_event("Create", "guard"), None)
    assert slept == []


def test_the_region_falls_back_to_the_lambda_region(sagemaker: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    _expect_list(sagemaker)
    event = {**discover_event("Create", "adopt", expected_identity="cognito"), "StackId": "not-an-arn"}

    with pytest.raises(index.WorkforceError, match="No private workforce exists in ap-southeast-2"):
        index.discover(event, None)


# --------------------------------------------------------------------------------------------------
# guard
# --------------------------------------------------------------------------------------------------


def test_guard_succeeds_when_there_is_no_workforce(sagemaker: Stubber) -> None:
    _expect_list(sagemaker)

    assert index.discover(discover_event("Create", "guard"), None) == {
        "PhysicalResourceId": GUARD_PHYSICAL_ID,
        "Data": {},
    }


def test_guard_fails_when_a_workforce_exists_and_says_to_adopt_it(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, cognito_workforce(name="team-workforce"))

    with pytest.raises(index.WorkforceError) as excinfo:
        index.discover(discover_event("Create", "guard"), None)

    message = _error_message(excinfo)
    assert f"A private workforce 'team-workforce' already exists in {REGION}" in message
    assert "one per account and region" in message
    assert "adopt it with PrivateWorkforce.adopt(...)" in message
    assert "delete it first" in message


@pytest.mark.parametrize("request_type", ["Update", "Delete"])
def test_guard_update_and_delete_make_no_call(sagemaker: Stubber, request_type: str) -> None:
    event = discover_event(request_type, "guard", physical_id=GUARD_PHYSICAL_ID, old_mode="guard")

    assert index.discover(event, None)["PhysicalResourceId"] == GUARD_PHYSICAL_ID


def test_an_update_switching_from_adopt_to_guard_checks(sagemaker: Stubber) -> None:
    _expect_list(sagemaker, cognito_workforce())
    event = discover_event("Update", "guard", physical_id=WORKFORCE_ARN, old_mode="adopt")

    with pytest.raises(index.WorkforceError, match="already exists"):
        index.discover(event, None)


def test_an_unknown_mode_fails(sagemaker: Stubber) -> None:
    with pytest.raises(index.WorkforceError, match="Mode must be 'adopt' or 'guard', not 'create'"):
        index.discover(discover_event("Create", "create"), None)
