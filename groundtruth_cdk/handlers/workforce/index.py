"""Deploy-time Lambda code for a Ground Truth private workforce: three entry points.

- :func:`discover`: the CloudFormation custom resource ``Custom::GroundTruthWorkforce`` (CDK Provider
  framework, on_event only). ``Mode=adopt`` finds the account's existing private workforce in the region
  and exposes its attributes; ``Mode=guard`` fails a deployment that would create a second workforce
  (AWS allows one per account and region) with a message that says to adopt the existing one.
- :func:`configure_client`: the custom resource ``Custom::GroundTruthWorkforceClient``: makes a Cognito
  app client fit for Ground Truth once the workforce exists (its portal domain is only known then),
  keeping every other setting of the client.
- :func:`custom_message`: a Cognito ``CustomMessage`` trigger that writes the invitation a new worker
  receives, with the labeling portal's URL read from an SSM parameter.

Nothing here ever deletes a workforce or an app client: Delete is always a no-op.

Runs on the Lambda Python runtime with the standard library and boto3/botocore only.
"""

from __future__ import annotations

import copy
import functools
import html
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped,unused-ignore]
from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]

try:  # as the package (tests, tools); in Lambda the folder itself is the code root
    from . import aws_calls
except ImportError:
    import aws_calls  # type: ignore[no-redef,import-not-found]

__all__ = [
    "DATA_KEYS",
    "GUARD_PHYSICAL_ID",
    "INVITATION_SUBJECT",
    "PORTAL_URL_PARAMETER_ENV",
    "ClientSettings",
    "WorkforceError",
    "client_update_request",
    "configure_client",
    "custom_message",
    "discover",
    "invitation_email",
    "invitation_sms",
]

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

Event = Mapping[str, Any]
Response = dict[str, Any]
Handler = Callable[[Event, object], Response]
_T = TypeVar("_T")

#: Physical id of the guard resource (it stands for no AWS resource).
GUARD_PHYSICAL_ID = "groundtruth-workforce-guard"

#: The attributes ``discover`` returns in adopt mode; every one is always present (Fn::GetAtt fails on a
#: missing key), "" when it does not apply.
DATA_KEYS = ("WorkforceName", "WorkforceArn", "SubDomain", "PortalUrl", "IdentityProvider", "UserPool", "ClientId")

#: Identity provider names as the resource properties and the Data spell them.
COGNITO = "cognito"
OIDC = "oidc"
_IDENTITY_LABELS = {COGNITO: "Amazon Cognito", OIDC: "an OIDC identity provider"}

#: Environment variable naming the SSM parameter that holds the labeling portal URL (custom_message).
PORTAL_URL_PARAMETER_ENV = "PORTAL_URL_PARAMETER"
#: How long a container reuses the portal URL it read (a re-created workforce gets a new domain).
PORTAL_URL_CACHE_SECONDS = 300.0

ADMIN_CREATE_USER = "CustomMessage_AdminCreateUser"
INVITATION_SUBJECT = "You are invited to label data with Amazon SageMaker Ground Truth"
#: Cognito's limit on an SMS message; the portal URL is left out of the SMS when it would not fit.
MAX_SMS_LENGTH = 140

MAX_MESSAGE_BYTES = aws_calls.MAX_MESSAGE_BYTES

#: ListWorkforces page size (the API's maximum).
LIST_PAGE_SIZE = 100
#: UpdateUserPoolClient accepts at most this many callback URLs (and as many logout URLs).
MAX_CLIENT_URLS = 100

#: The shared retry policy (aws_calls): attempts per call.
MAX_ATTEMPTS = aws_calls.MAX_ATTEMPTS


#: Cognito's answer when the client changed between our describe and our update (SageMaker edits the
#: client too): the describe-then-update pair is repeated.
CONCURRENT_MODIFICATION = "ConcurrentModificationException"

NETWORK_ERRORS = aws_calls.NETWORK_ERRORS

# Patched by the tests: no real sleeping, no real randomness, a controllable clock.
_sleep: Callable[[float], None] = time.sleep
_jitter: Callable[[], float] = random.random
_monotonic: Callable[[], float] = time.monotonic

_CLIENT_CONFIG = aws_calls.CLIENT_CONFIG
#: The Cognito trigger must answer within 5 seconds: one short attempt, never a retry loop.
_TRIGGER_CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1},
    connect_timeout=1,
    read_timeout=2,
    user_agent_extra="groundtruth-cdk",
)
_CLIENT_CONFIGS = {"ssm": _TRIGGER_CLIENT_CONFIG}
_CLIENTS: dict[str, Any] = {}

#: Portal URL read by custom_message, per parameter name: (url, monotonic time it was read).
_PORTAL_URL_CACHE: dict[str, tuple[str, float]] = {}


class WorkforceError(Exception):
    """A failure reported to CloudFormation; the message is truncated to stay within its limits."""

    def __init__(self, message: str) -> None:
        """Create the error with ``message`` cut to :data:`MAX_MESSAGE_BYTES` (JSON, UTF-8)."""
        super().__init__(_truncate(message))


_truncate = aws_calls.truncate


def _client_config(service: str) -> Any:
    """Return the botocore configuration this module uses for ``service``."""
    return _CLIENT_CONFIGS.get(service, _CLIENT_CONFIG)


def _client(service: str) -> Any:
    """Return the module's shared client for ``service``, created on first use.

    botocore's own retries are off: this module's retry policy is the only one.
    """
    client = _CLIENTS.get(service)
    if client is None:
        client = boto3.client(service, config=_client_config(service))
        _CLIENTS[service] = client
    return client


_reported_errors = aws_calls.reported_as(WorkforceError)


def _log_event(event: Event) -> None:
    """Log which request this is (never the properties: they are not secret, but they are noise)."""
    LOGGER.info(
        "%s %s %s (physical id %s)",
        event.get("RequestType"),
        event.get("ResourceType"),
        event.get("LogicalResourceId"),
        event.get("PhysicalResourceId"),
    )


def _check_request_type(request_type: object) -> str:
    """Return ``request_type`` if CloudFormation can send it, else fail."""
    if request_type not in ("Create", "Update", "Delete"):
        raise WorkforceError(f"Unsupported RequestType {request_type!r}")
    return str(request_type)


# --------------------------------------------------------------------------------------------------
# Custom::GroundTruthWorkforce: adopt or guard
# --------------------------------------------------------------------------------------------------


@_reported_errors
def discover(event: Event, context: object) -> Response:
    """Handle ``Custom::GroundTruthWorkforce``: adopt the region's private workforce, or guard against one.

    Resource properties: ``Mode`` (``adopt`` or ``guard``) and, for adopt, ``ExpectedIdentity``
    (``cognito`` or ``oidc``).

    - adopt, Create and Update: find the one private workforce of the account in the region, check its
      identity provider and return its attributes (:data:`DATA_KEYS`); the physical id is its ARN.
    - guard, Create (and an Update that switches to guard): fail if a private workforce exists already;
      other Updates succeed without a call (the stack's own workforce exists by then).
    - Delete, either mode: nothing, ever (a stack never deletes a workforce it did not create).

    Args:
        event: the custom-resource event passed on by the Provider framework.
        context: the Lambda context (unused).

    Returns:
        ``{"PhysicalResourceId": ..., "Data": {...}}`` (no Data for Delete).

    Raises:
        WorkforceError: nothing to adopt, a workforce of the other identity type, or (guard) a workforce
            that already exists; the message says what to declare instead.
    """
    _log_event(event)
    request_type = _check_request_type(event.get("RequestType"))
    if request_type == "Delete":
        LOGGER.info("Delete: a workforce this resource only adopted or guarded is left alone")
        return {"PhysicalResourceId": event.get("PhysicalResourceId", "")}
    properties = event.get("ResourceProperties") or {}
    mode = properties.get("Mode")
    region = _region(event)
    if mode == "adopt":
        return _adopt(properties, region)
    if mode == "guard":
        return _guard(event, region)
    raise WorkforceError(f"Property Mode must be 'adopt' or 'guard', not {mode!r}")


def _region(event: Event) -> str:
    """Return the stack's region (from the StackId ARN), or the Lambda's own region."""
    parts = str(event.get("StackId", "")).split(":")
    if len(parts) >= 4 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "this region"


def _adopt(properties: Mapping[str, Any], region: str) -> Response:
    """Describe the region's private workforce and return its attributes, checking its identity type."""
    expected = properties.get("ExpectedIdentity")
    if expected not in (COGNITO, OIDC):
        raise WorkforceError(f"Property ExpectedIdentity must be '{COGNITO}' or '{OIDC}', not {expected!r}")
    summaries = _list_workforces()
    if not summaries:
        raise WorkforceError(
            f"No private workforce exists in {region} of this account, so there is nothing to adopt: "
            "create one with PrivateWorkforce(...) instead of PrivateWorkforce.adopt(...)."
        )
    if len(summaries) > 1:
        names = ", ".join(repr(summary.get("WorkforceName")) for summary in summaries)
        raise WorkforceError(f"Expected one private workforce in {region}, found {len(summaries)}: {names}")
    name = str(summaries[0]["WorkforceName"])
    workforce = _describe_workforce(name)
    status = workforce.get("Status")
    if status == "Deleting":
        raise WorkforceError(
            f"The private workforce '{name}' in {region} is being deleted and cannot be adopted; once it is "
            "gone, create one with PrivateWorkforce(...) instead of PrivateWorkforce.adopt(...)."
        )
    identity = _identity_of(workforce, region)
    if identity != expected:
        raise WorkforceError(
            f"The private workforce '{name}' in {region} signs workers in with {_IDENTITY_LABELS[identity]} "
            f"({identity}), but PrivateWorkforce.adopt(...) declared '{expected}': declare the identity "
            f"'{identity}' to adopt it."
        )
    if status not in (None, "Active"):
        LOGGER.warning("Adopting workforce %s although its status is %s", name, status)
    data = _workforce_data(workforce, identity)
    LOGGER.info("Adopted private workforce %s (%s, %s)", name, identity, data["PortalUrl"])
    return {"PhysicalResourceId": data["WorkforceArn"], "Data": data}


def _identity_of(workforce: Mapping[str, Any], region: str) -> str:
    """Return ``cognito`` or ``oidc`` for a described workforce."""
    if workforce.get("CognitoConfig"):
        return COGNITO
    if workforce.get("OidcConfig"):
        return OIDC
    raise WorkforceError(
        f"The private workforce '{workforce.get('WorkforceName')}' in {region} has neither a CognitoConfig "
        "nor an OidcConfig: its identity provider is unknown"
    )


def _workforce_data(workforce: Mapping[str, Any], identity: str) -> dict[str, str]:
    """Return the Data of an adopted workforce: every key of :data:`DATA_KEYS`, all strings."""
    sub_domain = str(workforce.get("SubDomain") or "")
    cognito = workforce.get("CognitoConfig") or {}
    return {
        "WorkforceName": str(workforce["WorkforceName"]),
        "WorkforceArn": str(workforce["WorkforceArn"]),
        "SubDomain": sub_domain,
        "PortalUrl": f"https://{sub_domain}" if sub_domain else "",
        "IdentityProvider": identity,
        "UserPool": str(cognito.get("UserPool") or "") if identity == COGNITO else "",
        "ClientId": str(cognito.get("ClientId") or "") if identity == COGNITO else "",
    }


def _guard(event: Event, region: str) -> Response:
    """Fail when a private workforce exists already; only Create (or a switch to guard) looks."""
    old_mode = (event.get("OldResourceProperties") or {}).get("Mode")
    if event["RequestType"] == "Update" and old_mode == "guard":
        LOGGER.info("Update of the guard: the stack's own workforce exists by now, nothing to check")
        return {"PhysicalResourceId": GUARD_PHYSICAL_ID, "Data": {}}
    summaries = _list_workforces()
    if summaries:
        name = summaries[0].get("WorkforceName")
        raise WorkforceError(
            f"A private workforce '{name}' already exists in {region} (AWS allows one per account and "
            "region): adopt it with PrivateWorkforce.adopt(...) instead of creating one with "
            "PrivateWorkforce(...) (or delete it first)."
        )
    LOGGER.info("No private workforce in %s yet: the stack may create one", region)
    return {"PhysicalResourceId": GUARD_PHYSICAL_ID, "Data": {}}


def _list_workforces() -> list[dict[str, Any]]:
    """Return every workforce summary ListWorkforces reports (all pages, transient errors retried)."""
    sagemaker = _client("sagemaker")
    summaries: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {"MaxResults": LIST_PAGE_SIZE}
        if token:
            request["NextToken"] = token
        page = _with_retries(functools.partial(sagemaker.list_workforces, **request), "ListWorkforces", _is_transient)
        summaries.extend(page.get("Workforces", []))
        token = page.get("NextToken")
        if not token:
            return summaries


def _describe_workforce(name: str) -> dict[str, Any]:
    """Return DescribeWorkforce's ``Workforce`` for ``name`` (transient errors retried)."""
    sagemaker = _client("sagemaker")
    response = _with_retries(
        lambda: sagemaker.describe_workforce(WorkforceName=name),
        f"DescribeWorkforce {name}",
        _is_transient,
    )
    workforce: dict[str, Any] = response["Workforce"]
    return workforce


# --------------------------------------------------------------------------------------------------
# Custom::GroundTruthWorkforceClient: the Cognito app client's OAuth settings
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientSettings:
    """What ``Custom::GroundTruthWorkforceClient`` sets on the app client."""

    user_pool_id: str
    client_id: str
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    oauth_flows: tuple[str, ...]
    oauth_scopes: tuple[str, ...]
    identity_providers: tuple[str, ...]

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> ClientSettings:
        """Read and check the resource properties; one error lists every problem."""
        problems: list[str] = []

        def text(key: str) -> str:
            value = properties.get(key)
            if not isinstance(value, str) or not value:
                problems.append(f"{key} must be a non-empty string, got {value!r}")
                return ""
            return value

        def strings(key: str, *, required: bool) -> tuple[str, ...]:
            value = properties.get(key, [] if not required else None)
            if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
                problems.append(f"{key} must be a list of non-empty strings, got {value!r}")
                return ()
            if required and not value:
                problems.append(f"{key} must not be empty")
            return tuple(value)

        settings = cls(
            user_pool_id=text("UserPoolId"),
            client_id=text("ClientId"),
            callback_urls=strings("CallbackUrls", required=True),
            logout_urls=strings("LogoutUrls", required=False),
            oauth_flows=strings("OAuthFlows", required=True),
            oauth_scopes=strings("OAuthScopes", required=True),
            identity_providers=strings("IdentityProviders", required=True),
        )
        if problems:
            raise WorkforceError("Invalid Custom::GroundTruthWorkforceClient properties: " + "; ".join(problems))
        return settings


@_reported_errors
def configure_client(event: Event, context: object) -> Response:
    """Handle ``Custom::GroundTruthWorkforceClient``: give the app client Ground Truth's OAuth settings.

    Create and Update describe the client and update it with every updatable setting it already has
    (UpdateUserPoolClient resets whatever it is not given), OAuth turned on with the given flows, scopes
    and identity providers, and as callback and logout URLs the union of the client's own (SageMaker adds
    some when it creates the workforce) and the given ones. Running it again changes nothing.
    Delete does nothing (the client goes with its own CloudFormation resource).

    Resource properties: ``UserPoolId``, ``ClientId``, ``CallbackUrls``, ``LogoutUrls``, ``OAuthFlows``,
    ``OAuthScopes``, ``IdentityProviders`` (lists of strings) and ``Fingerprint`` (ignored: it only makes
    CloudFormation run the resource again when the client resource changes).

    Args:
        event: the custom-resource event passed on by the Provider framework.
        context: the Lambda context (unused).

    Returns:
        ``{"PhysicalResourceId": <client id>, "Data": {"UserPoolId": ..., "ClientId": ...}}``.
    """
    _log_event(event)
    request_type = _check_request_type(event.get("RequestType"))
    if request_type == "Delete":
        LOGGER.info("Delete: the app client is left as it is")
        return {"PhysicalResourceId": event.get("PhysicalResourceId", "")}
    settings = ClientSettings.from_properties(event.get("ResourceProperties") or {})
    _with_retries(
        lambda: _configure_once(settings),
        f"Configuring app client {settings.client_id} of user pool {settings.user_pool_id}",
        _is_retryable_client_error,
    )
    return {
        "PhysicalResourceId": settings.client_id,
        "Data": {"UserPoolId": settings.user_pool_id, "ClientId": settings.client_id},
    }


def _configure_once(settings: ClientSettings) -> None:
    """Describe the client, then update it (one attempt of the pair)."""
    cognito = _client("cognito-idp")
    described = cognito.describe_user_pool_client(UserPoolId=settings.user_pool_id, ClientId=settings.client_id)
    request = client_update_request(described["UserPoolClient"], settings)
    cognito.update_user_pool_client(**request)
    LOGGER.info(
        "App client %s: OAuth flows %s, scopes %s, providers %s, callback URLs %s, logout URLs %s",
        settings.client_id,
        request["AllowedOAuthFlows"],
        request["AllowedOAuthScopes"],
        request["SupportedIdentityProviders"],
        request["CallbackURLs"],
        request["LogoutURLs"],
    )


def _updatable_client_fields() -> frozenset[str]:
    """Return the members of botocore's UpdateUserPoolClientRequest (this botocore version's model)."""
    model = _client("cognito-idp").meta.service_model
    return frozenset(model.operation_model("UpdateUserPoolClient").input_shape.members)


def client_update_request(client: Mapping[str, Any], settings: ClientSettings) -> dict[str, Any]:
    """Return the UpdateUserPoolClient request that applies ``settings`` to the described ``client``.

    Every field of the described client that UpdateUserPoolClient accepts is passed back unchanged (the
    list comes from botocore's model, so fields added to the API are kept too); only the OAuth settings
    change. Callback and logout URLs are the client's own followed by the given ones not already there.

    Args:
        client: DescribeUserPoolClient's ``UserPoolClient``.
        settings: the resource's settings.

    Raises:
        WorkforceError: the union has more URLs than Cognito accepts.
    """
    updatable = _updatable_client_fields()
    request = {key: copy.deepcopy(value) for key, value in client.items() if key in updatable}
    request.update(
        UserPoolId=settings.user_pool_id,
        ClientId=settings.client_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=list(settings.oauth_flows),
        AllowedOAuthScopes=list(settings.oauth_scopes),
        SupportedIdentityProviders=list(settings.identity_providers),
        CallbackURLs=_union(client.get("CallbackURLs") or [], settings.callback_urls, "CallbackURLs"),
        LogoutURLs=_union(client.get("LogoutURLs") or [], settings.logout_urls, "LogoutURLs"),
    )
    return request


def _union(existing: Iterable[str], added: Iterable[str], field: str) -> list[str]:
    """Return ``existing`` followed by the ``added`` items it lacks (first occurrence wins)."""
    merged = list(dict.fromkeys([*existing, *added]))
    if len(merged) > MAX_CLIENT_URLS:
        raise WorkforceError(
            f"The app client would have {len(merged)} {field} (Cognito allows {MAX_CLIENT_URLS}): "
            "remove unused URLs from the client"
        )
    return merged


def _is_retryable_client_error(error: Exception) -> bool:
    """Return whether a describe-then-update attempt is worth repeating."""
    return _is_transient(error) or _error_code(error) == CONCURRENT_MODIFICATION


# --------------------------------------------------------------------------------------------------
# Cognito CustomMessage trigger: the invitation
# --------------------------------------------------------------------------------------------------


def custom_message(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Cognito ``CustomMessage`` trigger: write the invitation of a worker an administrator created.

    For ``CustomMessage_AdminCreateUser`` it sets ``response.emailSubject``, ``response.emailMessage``
    (HTML with the user name and temporary password placeholders Cognito requires and the labeling
    portal URL) and ``response.smsMessage``. The portal URL is read from the SSM parameter named by the
    ``PORTAL_URL_PARAMETER`` environment variable (cached per container for a few minutes); when it
    cannot be read the invitation goes out without it. Nothing here ever fails the user's creation: on
    any problem the event is returned as received and Cognito sends its default invitation.

    Other trigger sources (sign-up, forgotten password, ...) are returned unchanged.

    Args:
        event: the Cognito trigger event.
        context: the Lambda context (unused).

    Returns:
        the event, its ``response`` filled in for an invitation.
    """
    if event.get("triggerSource") != ADMIN_CREATE_USER:
        return event
    try:
        _write_invitation(event)
    except Exception:
        LOGGER.exception("Could not write the invitation of %s; Cognito sends its default", event.get("userName"))
    return event


def _write_invitation(event: dict[str, Any]) -> None:
    """Fill in the event's response with the invitation e-mail and SMS."""
    request = event.get("request") or {}
    username = request.get("usernameParameter")
    code = request.get("codeParameter")
    if not (isinstance(username, str) and username and isinstance(code, str) and code):
        LOGGER.warning("The event lacks usernameParameter or codeParameter: Cognito sends its default invitation")
        return
    portal_url = _portal_url()
    response = dict(event.get("response") or {})
    response.update(
        emailSubject=INVITATION_SUBJECT,
        emailMessage=invitation_email(username, code, portal_url),
        smsMessage=invitation_sms(username, code, portal_url),
    )
    event["response"] = response
    LOGGER.info("Invitation of %s written (portal URL %s)", event.get("userName"), portal_url or "unknown")


def invitation_email(username: str, code: str, portal_url: str | None) -> str:
    """Return the invitation e-mail (HTML) with Cognito's two placeholders and, if known, the portal URL."""
    if portal_url:
        link = html.escape(portal_url, quote=True)
        where = f'Sign in to the labeling portal at <a href="{link}">{link}</a> with'
    else:
        where = "Sign in to the labeling portal (ask the person who invited you for its address) with"
    return (
        "<p>You are invited to label data with Amazon SageMaker Ground Truth.</p>"
        f"<p>{where}<br>user name: <b>{username}</b><br>temporary password: <b>{code}</b></p>"
        "<p>You will be asked to choose a new password the first time you sign in. "
        "The temporary password expires if it is not used in time.</p>"
    )


def invitation_sms(username: str, code: str, portal_url: str | None) -> str:
    """Return the invitation SMS; the portal URL is added only if the message stays short enough."""
    message = f"Ground Truth labeling: user {username}, temporary password {code}"
    with_url = f"{message}, sign in at {portal_url}"
    return with_url if portal_url and len(with_url) <= MAX_SMS_LENGTH else message


def _portal_url() -> str | None:
    """Return the labeling portal URL from the SSM parameter, or None if it cannot be read (logged)."""
    name = os.environ.get(PORTAL_URL_PARAMETER_ENV)
    if not name:
        LOGGER.warning("%s is not set: the invitation goes out without the portal URL", PORTAL_URL_PARAMETER_ENV)
        return None
    now = _monotonic()
    cached = _PORTAL_URL_CACHE.get(name)
    if cached is not None and now - cached[1] < PORTAL_URL_CACHE_SECONDS:
        return cached[0]
    try:
        value = _client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    except Exception as error:
        LOGGER.warning(
            "Could not read SSM parameter %s (%s): the invitation goes out without the portal URL", name, error
        )
        return None
    url = _normalized_url(value)
    if url is None:
        LOGGER.warning("SSM parameter %s holds no URL (%r): the invitation goes out without it", name, value)
        return None
    _PORTAL_URL_CACHE[name] = (url, now)
    return url


def _normalized_url(value: object) -> str | None:
    """Return the portal URL from a parameter value (a bare domain gets ``https://``), None if empty."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    return url if "://" in url else f"https://{url}"


# --------------------------------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------------------------------


_error_code = aws_calls.error_code


_is_transient = aws_calls.is_transient


def _backoff_delay(retry: int) -> float:
    """Return the sleep before retry number ``retry`` (0-based), with this module's jitter."""
    return aws_calls.backoff_delay(retry, _jitter())


def _with_retries(call: Callable[[], _T], description: str, retryable: Callable[[Exception], bool]) -> _T:
    """Return ``call()``, retrying the errors ``retryable`` accepts (the shared policy, this module's clock).

    Raises:
        WorkforceError: the call still failed after :data:`MAX_ATTEMPTS` attempts.
    """
    return aws_calls.with_retries(
        call, description, retryable, sleep=_sleep, jitter=_jitter, failure=WorkforceError, logger=LOGGER
    )
