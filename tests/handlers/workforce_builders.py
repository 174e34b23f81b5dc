"""Events and SageMaker responses for the workforce handler tests, written from the resources' contracts."""

from __future__ import annotations

import copy
import datetime
from typing import Any

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/groundtruth-workforce/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
SERVICE_TOKEN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Provider-framework-onEvent"
GUARD_PHYSICAL_ID = "groundtruth-workforce-guard"

WORKFORCE_NAME = "default"
WORKFORCE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workforce/{WORKFORCE_NAME}"
SUB_DOMAIN = "abcd1234ef.labeling.eu-west-1.sagemaker.aws"
USER_POOL = "eu-west-1_AbCdEfGhI"
COGNITO_CLIENT_ID = "1example23456789abcdefghij"
OIDC_CLIENT_ID = "oidc-client-id"

#: The seven attributes adopt mode always returns.
DATA_KEYS = {"WorkforceName", "WorkforceArn", "SubDomain", "PortalUrl", "IdentityProvider", "UserPool", "ClientId"}

_DATE = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


def discover_event(
    request_type: str,
    mode: str,
    *,
    expected_identity: str | None = None,
    physical_id: str | None = None,
    old_mode: str | None = None,
) -> dict[str, Any]:
    """Return a ``Custom::GroundTruthWorkforce`` event as the Provider framework passes it on."""
    properties: dict[str, Any] = {"ServiceToken": SERVICE_TOKEN, "Mode": mode}
    if expected_identity is not None:
        properties["ExpectedIdentity"] = expected_identity
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x",
        "StackId": STACK_ID,
        "RequestId": "5d5c2b4e-0000-4000-8000-000000000000",
        "LogicalResourceId": "WorkforceDiscovery1A2B3C4D",
        "ResourceType": "Custom::GroundTruthWorkforce",
        "ResourceProperties": properties,
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if old_mode is not None:
        event["OldResourceProperties"] = {**properties, "Mode": old_mode}
    return event


def cognito_workforce(name: str = WORKFORCE_NAME, status: str = "Active") -> dict[str, Any]:
    """Return DescribeWorkforce's ``Workforce`` for a Cognito workforce."""
    return {
        "WorkforceName": name,
        "WorkforceArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workforce/{name}",
        "LastUpdatedDate": _DATE,
        "SourceIpConfig": {"Cidrs": []},
        "SubDomain": SUB_DOMAIN,
        "CognitoConfig": {"UserPool": USER_POOL, "ClientId": COGNITO_CLIENT_ID},
        "CreateDate": _DATE,
        "Status": status,
    }


def oidc_workforce(name: str = WORKFORCE_NAME) -> dict[str, Any]:
    """Return DescribeWorkforce's ``Workforce`` for a workforce signing in through an OIDC provider."""
    issuer = "https://idp.example.com"
    return {
        "WorkforceName": name,
        "WorkforceArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workforce/{name}",
        "LastUpdatedDate": _DATE,
        "SourceIpConfig": {"Cidrs": ["10.0.0.0/16"]},
        "SubDomain": SUB_DOMAIN,
        "OidcConfig": {
            "ClientId": OIDC_CLIENT_ID,
            "Issuer": issuer,
            "AuthorizationEndpoint": f"{issuer}/authorize",
            "TokenEndpoint": f"{issuer}/token",
            "UserInfoEndpoint": f"{issuer}/userinfo",
            "LogoutEndpoint": f"{issuer}/logout",
            "JwksUri": f"{issuer}/jwks",
        },
        "CreateDate": _DATE,
        "Status": "Active",
    }


def list_response(*workforces: dict[str, Any], next_token: str | None = None) -> dict[str, Any]:
    """Return a ListWorkforces page listing ``workforces``."""
    response: dict[str, Any] = {"Workforces": [copy.deepcopy(workforce) for workforce in workforces]}
    if next_token is not None:
        response["NextToken"] = next_token
    return response


def client_event(request_type: str, properties: dict[str, Any], *, physical_id: str | None = None) -> dict[str, Any]:
    """Return a ``Custom::GroundTruthWorkforceClient`` event."""
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/y",
        "StackId": STACK_ID,
        "RequestId": "6e6d3c5f-0000-4000-8000-000000000000",
        "LogicalResourceId": "WorkforceClientConfig5E6F7A8B",
        "ResourceType": "Custom::GroundTruthWorkforceClient",
        "ResourceProperties": {"ServiceToken": SERVICE_TOKEN, **properties},
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event


def trigger_event(trigger_source: str, user_pool_id: str = USER_POOL) -> dict[str, Any]:
    """Return a Cognito CustomMessage trigger event as Cognito sends it (response fields still null)."""
    return {
        "version": "1",
        "triggerSource": trigger_source,
        "region": REGION,
        "userPoolId": user_pool_id,
        "userName": "worker-1",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "CLIENT_ID_NOT_APPLICABLE"},
        "request": {
            "userAttributes": {"sub": "7f0e6c2a-0000-4000-8000-000000000000", "email": "worker@example.com"},
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": "{username}",
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }
