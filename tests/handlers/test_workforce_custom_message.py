"""custom_message (Cognito CustomMessage trigger): the invitation carries the placeholders and the portal URL.

The portal URL comes from SSM (moto). Whatever goes wrong, the user's creation must never fail.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.stub import Stubber  # type: ignore[import-untyped,unused-ignore]
from moto import mock_aws

from groundtruth_cdk.handlers.workforce import index

from .workforce_builders import REGION, SUB_DOMAIN, trigger_event

PARAMETER = "/groundtruth/workforce/portal-url"
PORTAL = f"https://{SUB_DOMAIN}"
INVITATION = "CustomMessage_AdminCreateUser"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Replace the handler's clock (the portal URL cache expires on it)."""
    fake = Clock()
    monkeypatch.setattr(index, "_monotonic", fake)
    return fake


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record any backoff sleep (the trigger must never sleep)."""
    recorded: list[float] = []
    monkeypatch.setattr(index, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def ssm(
    monkeypatch: pytest.MonkeyPatch, clock: Clock, slept: list[float], boto_session: boto3.session.Session
) -> Iterator[Any]:
    """Give the handler a fresh moto SSM client (configured as its own), an empty cache and the env var."""
    with mock_aws():
        client = boto_session.client("ssm", region_name=REGION, config=index._client_config("ssm"))
        monkeypatch.setattr(index, "_CLIENTS", {"ssm": client})
        monkeypatch.setattr(index, "_PORTAL_URL_CACHE", {})
        monkeypatch.setenv("PORTAL_URL_PARAMETER", PARAMETER)
        yield client


def _put_portal(ssm: Any, value: str = PORTAL) -> None:
    ssm.put_parameter(Name=PARAMETER, Value=value, Type="String", Overwrite=True)


def test_the_invitation_has_both_placeholders_and_the_portal_url(ssm: Any, slept: list[float]) -> None:
    _put_portal(ssm)
    event = trigger_event(INVITATION)

    result = index.custom_message(event, None)

    response = result["response"]
    assert response["emailSubject"] == "You are invited to label data with Amazon SageMaker Ground Truth"
    email = response["emailMessage"]
    assert "{username}" in email
    assert "{####}" in email
    assert f'href="{PORTAL}"' in email
    assert email.startswith("<p>")
    assert "{username}" in response["smsMessage"]
    assert "{####}" in response["smsMessage"]
    assert len(response["smsMessage"]) <= index.MAX_SMS_LENGTH
    assert result["request"] == trigger_event(INVITATION)["request"]
    assert slept == []


def test_the_placeholders_come_from_the_event(ssm: Any) -> None:
    _put_portal(ssm)
    event = trigger_event(INVITATION)
    event["request"]["usernameParameter"] = "{user-name-here}"
    event["request"]["codeParameter"] = "{code-here}"

    response = index.custom_message(event, None)["response"]

    for message in (response["emailMessage"], response["smsMessage"]):
        assert "{user-name-here}" in message
        assert "{code-here}" in message


def test_the_sms_carries_the_portal_url_when_it_fits(ssm: Any) -> None:
    _put_portal(ssm)

    sms = index.custom_message(trigger_event(INVITATION), None)["response"]["smsMessage"]

    assert PORTAL in sms


def test_the_sms_leaves_out_a_url_too_long_for_it(ssm: Any) -> None:
    long_url = "https://" + "x" * 120 + ".example.com"
    _put_portal(ssm, long_url)

    response = index.custom_message(trigger_event(INVITATION), None)["response"]

    assert long_url not in response["smsMessage"]
    assert len(response["smsMessage"]) <= index.MAX_SMS_LENGTH
    assert long_url in response["emailMessage"]


def test_a_bare_domain_gets_https(ssm: Any) -> None:
    _put_portal(ssm, SUB_DOMAIN)

    email = index.custom_message(trigger_event(INVITATION), None)["response"]["emailMessage"]

    assert f'href="{PORTAL}"' in email


def test_the_url_is_cached_per_container_for_a_while(ssm: Any, clock: Clock) -> None:
    _put_portal(ssm)
    index.custom_message(trigger_event(INVITATION), None)
    ssm.delete_parameter(Name=PARAMETER)

    cached = index.custom_message(trigger_event(INVITATION), None)["response"]["emailMessage"]
    clock.now += index.PORTAL_URL_CACHE_SECONDS + 1
    _put_portal(ssm, "https://new.labeling.eu-west-1.sagemaker.aws")
    refreshed = index.custom_message(trigger_event(INVITATION), None)["response"]["emailMessage"]

    assert PORTAL in cached
    assert "https://new.labeling.eu-west-1.sagemaker.aws" in refreshed


def test_a_missing_parameter_still_sends_the_invitation(ssm: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        response = index.custom_message(trigger_event(INVITATION), None)["response"]

    assert "{username}" in response["emailMessage"]
    assert "{####}" in response["emailMessage"]
    assert "https://" not in response["emailMessage"]
    assert "https://" not in response["smsMessage"]
    assert response["emailSubject"]
    assert any(PARAMETER in record.getMessage() for record in caplog.records if record.levelno == logging.WARNING)


def test_a_failure_is_not_cached(ssm: Any) -> None:
    index.custom_message(trigger_event(INVITATION), None)
    _put_portal(ssm)

    email = index.custom_message(trigger_event(INVITATION), None)["response"]["emailMessage"]

    assert PORTAL in email


def test_an_unset_environment_variable_still_sends_the_invitation(
    ssm: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _put_portal(ssm)
    monkeypatch.delenv("PORTAL_URL_PARAMETER")

    with caplog.at_level(logging.WARNING):
        response = index.custom_message(trigger_event(INVITATION), None)["response"]

    assert "{username}" in response["emailMessage"]
    assert PORTAL not in response["emailMessage"]
    assert any("PORTAL_URL_PARAMETER" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException", "InternalServerError"])
def test_an_ssm_error_is_tried_once_and_the_invitation_goes_out(ssm: Any, slept: list[float], code: str) -> None:
    with Stubber(ssm) as stubber:
        stubber.add_client_error("get_parameter", code, "no", 400, None, {"Name": PARAMETER})

        response = index.custom_message(trigger_event(INVITATION), None)["response"]

        stubber.assert_no_pending_responses()
    assert "{####}" in response["emailMessage"]
    assert "https://" not in response["emailMessage"]
    assert slept == []


def test_the_ssm_client_answers_within_cognitos_five_seconds() -> None:
    config = index._client_config("ssm")

    assert config.retries["total_max_attempts"] == 1
    assert config.connect_timeout + config.read_timeout < 5


@pytest.mark.parametrize(
    "trigger_source",
    [
        "CustomMessage_SignUp",
        "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword",
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
        "CustomMessage_Authentication",
    ],
)
def test_other_trigger_sources_are_returned_unchanged(ssm: Any, trigger_source: str) -> None:
    _put_portal(ssm)
    event = trigger_event(trigger_source)
    original = copy.deepcopy(event)

    assert index.custom_message(event, None) == original


def test_an_event_without_placeholders_is_returned_unchanged(ssm: Any) -> None:
    event = trigger_event(INVITATION)
    event["request"]["usernameParameter"] = None
    original = copy.deepcopy(event)

    assert index.custom_message(event, None) == original


def test_an_unexpected_error_never_fails_the_user_creation(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(index, "invitation_email", broken)
    event = trigger_event(INVITATION)
    original = copy.deepcopy(event)

    assert index.custom_message(event, None) == original
