"""configure_client (Custom::GroundTruthWorkforceClient): Ground Truth's OAuth settings, nothing else lost.

Runs against moto's Cognito. Real UpdateUserPoolClient resets every field it is not given; moto merges
instead, so the ``cognito`` fixture makes moto reset the client before each update, as Cognito does:
a field the handler failed to pass back would then be lost here too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped,unused-ignore]
from botocore.validate import validate_parameters  # type: ignore[import-untyped,unused-ignore]
from moto import mock_aws
from moto.cognitoidp.models import cognitoidp_backends

from groundtruth_cdk.handlers.workforce import index

from .workforce_builders import ACCOUNT, REGION, SUB_DOMAIN, client_event

SAGEMAKER_CALLBACK = f"https://{SUB_DOMAIN}/oauth2/idpresponse"
SAGEMAKER_LOGOUT = f"https://{SUB_DOMAIN}/logout"
PORTAL = f"https://{SUB_DOMAIN}"

#: What moto gives a client that was created (or reset) without settings.
_MOTO_CLIENT_DEFAULTS = {
    "AllowedOAuthFlowsUserPoolClient": False,
    "AuthSessionValidity": 3,
    "EnablePropagateAdditionalUserContextData": False,
    "EnableTokenRevocation": True,
    "RefreshTokenValidity": 30,
}

#: The client's settings before the resource runs: none of them is a default.
NON_DEFAULT_SETTINGS: dict[str, Any] = {
    "ClientName": "groundtruth-workforce",
    "RefreshTokenValidity": 7,
    "AccessTokenValidity": 2,
    "IdTokenValidity": 3,
    "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
    "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
    "ReadAttributes": ["email", "name"],
    "WriteAttributes": ["name"],
    "PreventUserExistenceErrors": "ENABLED",
    "EnableTokenRevocation": False,
    "AuthSessionValidity": 10,
    "EnablePropagateAdditionalUserContextData": True,
    "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
}


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the handler's backoff sleeps instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(index, "_sleep", recorded.append)
    return recorded


class Cognito:
    """The handler's Cognito client under moto, with the requests it sent."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("provide-client-params.cognito-idp.*", self._record)
        client.meta.events.register("before-call.cognito-idp.UpdateUserPoolClient", self._reset_like_cognito)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, copy.deepcopy(params)))

    def _reset_like_cognito(self, params: dict[str, Any], **_: Any) -> None:
        body = json.loads(params["body"])
        pool_id, client_id = body["UserPoolId"], body["ClientId"]
        backend = cognitoidp_backends[ACCOUNT][REGION]
        backend.user_pools[pool_id].clients[client_id].extended_config = dict(_MOTO_CLIENT_DEFAULTS)

    def updates(self) -> list[dict[str, Any]]:
        """Return the UpdateUserPoolClient requests sent so far."""
        return [params for name, params in self.calls if name == "UpdateUserPoolClient"]

    def create_client(self, **settings: Any) -> tuple[str, str]:
        """Create a user pool and an app client; return their ids."""
        pool_id = self.client.create_user_pool(PoolName="workers")["UserPool"]["Id"]
        created = self.client.create_user_pool_client(UserPoolId=pool_id, GenerateSecret=True, **settings)
        self.calls.clear()
        return pool_id, created["UserPoolClient"]["ClientId"]

    def describe(self, pool_id: str, client_id: str) -> dict[str, Any]:
        """Return the client as DescribeUserPoolClient sees it (not recorded)."""
        calls = list(self.calls)
        described = self.client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        self.calls[:] = calls
        client: dict[str, Any] = described["UserPoolClient"]
        return client


@pytest.fixture
def cognito(
    monkeypatch: pytest.MonkeyPatch, slept: list[float], boto_session: boto3.session.Session
) -> Iterator[Cognito]:
    """Give the handler a fresh moto Cognito client (configured as its own)."""
    with mock_aws():
        client = boto_session.client("cognito-idp", region_name=REGION, config=index._client_config("cognito-idp"))
        monkeypatch.setattr(index, "_CLIENTS", {"cognito-idp": client})
        yield Cognito(client)


@pytest.fixture
def sagemaker_client(cognito: Cognito) -> tuple[str, str]:
    """A pool and a client as SageMaker leaves them: non-default settings and SageMaker's own URLs."""
    return cognito.create_client(
        **NON_DEFAULT_SETTINGS,
        CallbackURLs=[SAGEMAKER_CALLBACK],
        LogoutURLs=[SAGEMAKER_LOGOUT],
        SupportedIdentityProviders=["COGNITO"],
    )


def _properties(pool_id: str, client_id: str, **overrides: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "CallbackUrls": [SAGEMAKER_CALLBACK, "https://example.org/callback"],
        "LogoutUrls": [PORTAL],
        "OAuthFlows": ["code"],
        "OAuthScopes": ["email", "openid", "profile"],
        "IdentityProviders": ["COGNITO"],
        "Fingerprint": "3f2a9c",
    }
    properties.update(overrides)
    return properties


def test_create_sets_oauth_and_keeps_every_other_setting(cognito: Cognito, sagemaker_client: tuple[str, str]) -> None:
    pool_id, client_id = sagemaker_client

    result = index.configure_client(client_event("Create", _properties(pool_id, client_id)), None)

    assert result == {"PhysicalResourceId": client_id, "Data": {"UserPoolId": pool_id, "ClientId": client_id}}
    client = cognito.describe(pool_id, client_id)
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"] == ["email", "openid", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["CallbackURLs"] == [SAGEMAKER_CALLBACK, "https://example.org/callback"]
    assert client["LogoutURLs"] == [SAGEMAKER_LOGOUT, PORTAL]
    assert {key: client.get(key) for key in NON_DEFAULT_SETTINGS} == NON_DEFAULT_SETTINGS
    assert "ClientSecret" in client


def test_the_request_is_describe_then_one_update(cognito: Cognito, sagemaker_client: tuple[str, str]) -> None:
    pool_id, client_id = sagemaker_client

    index.configure_client(client_event("Create", _properties(pool_id, client_id)), None)

    assert [name for name, _ in cognito.calls] == ["DescribeUserPoolClient", "UpdateUserPoolClient"]
    update = cognito.updates()[0]
    assert {key: update[key] for key in NON_DEFAULT_SETTINGS} == NON_DEFAULT_SETTINGS


def test_running_twice_gives_the_same_client(cognito: Cognito, sagemaker_client: tuple[str, str]) -> None:
    pool_id, client_id = sagemaker_client
    event = client_event("Create", _properties(pool_id, client_id))

    first_result = index.configure_client(event, None)
    first = cognito.describe(pool_id, client_id)
    second_result = index.configure_client(event, None)
    second = cognito.describe(pool_id, client_id)

    assert first_result == second_result
    assert first == second
    first_update, second_update = cognito.updates()
    assert first_update == second_update


def test_update_with_new_urls_keeps_the_old_ones(cognito: Cognito, sagemaker_client: tuple[str, str]) -> None:
    pool_id, client_id = sagemaker_client
    index.configure_client(client_event("Create", _properties(pool_id, client_id)), None)
    properties = _properties(
        pool_id,
        client_id,
        CallbackUrls=["https://example.org/callback", "https://example.org/other"],
        LogoutUrls=["https://example.org/bye"],
        OAuthFlows=["code", "implicit"],
        Fingerprint="77aa01",
    )

    result = index.configure_client(client_event("Update", properties, physical_id=client_id), None)

    assert result["PhysicalResourceId"] == client_id
    client = cognito.describe(pool_id, client_id)
    assert client["CallbackURLs"] == [SAGEMAKER_CALLBACK, "https://example.org/callback", "https://example.org/other"]
    assert client["LogoutURLs"] == [SAGEMAKER_LOGOUT, PORTAL, "https://example.org/bye"]
    assert client["AllowedOAuthFlows"] == ["code", "implicit"]
    assert {key: client.get(key) for key in NON_DEFAULT_SETTINGS} == NON_DEFAULT_SETTINGS


def test_delete_leaves_the_client_untouched(cognito: Cognito, sagemaker_client: tuple[str, str]) -> None:
    pool_id, client_id = sagemaker_client
    before = cognito.describe(pool_id, client_id)

    result = index.configure_client(
        client_event("Delete", _properties(pool_id, client_id), physical_id=client_id), None
    )

    assert result == {"PhysicalResourceId": client_id}
    assert cognito.calls == []
    assert cognito.describe(pool_id, client_id) == before


def test_a_client_without_urls_gets_the_given_ones(cognito: Cognito) -> None:
    pool_id, client_id = cognito.create_client(ClientName="bare")

    index.configure_client(client_event("Create", _properties(pool_id, client_id, LogoutUrls=[])), None)

    client = cognito.describe(pool_id, client_id)
    assert client["CallbackURLs"] == [SAGEMAKER_CALLBACK, "https://example.org/callback"]
    assert client.get("LogoutURLs", []) == []
    assert client["ClientName"] == "bare"


def test_a_missing_client_fails_with_cognitos_message(cognito: Cognito, sagemaker_client: tuple[str, str]) -> None:
    pool_id, _ = sagemaker_client

    with pytest.raises(index.WorkforceError, match="ResourceNotFoundException"):
        index.configure_client(client_event("Create", _properties(pool_id, "nosuchclient")), None)


def test_invalid_properties_are_all_reported(cognito: Cognito) -> None:
    properties = {"UserPoolId": "", "ClientId": "abc", "CallbackUrls": "https://x", "OAuthFlows": []}

    with pytest.raises(index.WorkforceError) as excinfo:
        index.configure_client(client_event("Create", properties), None)

    message = str(excinfo.value)
    for fragment in (
        "UserPoolId must be",
        "CallbackUrls must be a list",
        "OAuthFlows must not be empty",
        "OAuthScopes",
    ):
        assert fragment in message
    assert cognito.calls == []


def test_throttling_and_concurrent_changes_repeat_describe_then_update(
    cognito: Cognito, sagemaker_client: tuple[str, str], slept: list[float]
) -> None:
    pool_id, client_id = sagemaker_client
    described = {"UserPoolClient": cognito.describe(pool_id, client_id)}
    ids = {"UserPoolId": pool_id, "ClientId": client_id}
    with Stubber(cognito.client) as stubber:
        stubber.add_client_error("describe_user_pool_client", "TooManyRequestsException", "slow down", 400, None, ids)
        stubber.add_response("describe_user_pool_client", described, ids)
        stubber.add_client_error("update_user_pool_client", "ConcurrentModificationException", "changed", 400)
        stubber.add_response("describe_user_pool_client", described, ids)
        stubber.add_response("update_user_pool_client", {})

        index.configure_client(client_event("Create", _properties(pool_id, client_id)), None)

        stubber.assert_no_pending_responses()
    assert len(slept) == 2


def test_the_update_carries_every_updatable_field_of_the_model(cognito: Cognito) -> None:
    model = cognito.client.meta.service_model
    update_shape = model.operation_model("UpdateUserPoolClient").input_shape
    described = {
        **NON_DEFAULT_SETTINGS,
        "UserPoolId": "eu-west-1_AbCdEfGhI",
        "ClientId": "1example23456789abcdefghij",
        "ClientSecret": "secret",
        "ClientType": "CONFIDENTIAL",
        "LastModifiedDate": "2024-05-01T12:00:00Z",
        "CreationDate": "2024-05-01T12:00:00Z",
        "SupportedIdentityProviders": ["COGNITO", "Google"],
        "CallbackURLs": [SAGEMAKER_CALLBACK],
        "LogoutURLs": [SAGEMAKER_LOGOUT],
        "DefaultRedirectURI": SAGEMAKER_CALLBACK,
        "AllowedOAuthFlows": ["implicit"],
        "AllowedOAuthScopes": ["openid"],
        "AllowedOAuthFlowsUserPoolClient": False,
        "AnalyticsConfiguration": {
            "ApplicationId": "0123456789abcdef0123456789abcdef",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/pinpoint",
            "ExternalId": "external",
            "UserDataShared": True,
        },
    }
    describe_shape = model.operation_model("DescribeUserPoolClient").output_shape.members["UserPoolClient"]
    assert set(described) == set(describe_shape.members), "the fixture should describe every field of the model"
    settings = index.ClientSettings.from_properties(_properties("eu-west-1_AbCdEfGhI", "1example23456789abcdefghij"))

    request = index.client_update_request(described, settings)

    assert set(request) == set(update_shape.members)
    validate_parameters(request, update_shape)
    for key in set(update_shape.members) - {
        "AllowedOAuthFlowsUserPoolClient",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
    }:
        assert request[key] == described[key], key
    assert request["DefaultRedirectURI"] in request["CallbackURLs"]
    assert request["SupportedIdentityProviders"] == ["COGNITO"]


def test_too_many_urls_fail_clearly(cognito: Cognito) -> None:
    settings = index.ClientSettings.from_properties(_properties("eu-west-1_AbCdEfGhI", "abc"))
    described = {"CallbackURLs": [f"https://example.org/{number}" for number in range(index.MAX_CLIENT_URLS)]}

    with pytest.raises(index.WorkforceError, match="would have 102 CallbackURLs"):
        index.client_update_request(described, settings)
