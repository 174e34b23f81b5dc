"""What every deploy-time handler does around AWS calls: one retry policy, bounded error messages.

Shared by the handler folders through a symbolic link in each (``labeling_job/aws_calls.py``,
``workforce/aws_calls.py``): each Lambda asset stays one self-contained folder (the assets follow the
link and copy this file). Standard library and botocore only.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]
from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
    ConnectionError as BotocoreConnectionError,
)

_T = TypeVar("_T")
_Handler = Callable[[Any, object], Any]

#: Bound on any message raised to CloudFormation, in bytes once JSON-encoded as UTF-8 (the whole
#: response must stay under 4,096 bytes).
MAX_MESSAGE_BYTES = 1000

#: Retry policy: up to MAX_ATTEMPTS calls, sleeping min(MAX_DELAY, BASE * 2**n) scaled by a jitter
#: factor in [0.5, 1) between them: at most 1+2+4+8+16+25+25+25 = 106 s of sleep per call.
MAX_ATTEMPTS = 9
BASE_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 25.0

#: Error codes that mean "try again later" (HTTP 5xx responses are retried too).
TRANSIENT_ERROR_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServerError",
        "InternalErrorException",
        "SlowDown",
    }
)

#: botocore's network failures (no response from the service): always worth retrying.
NETWORK_ERRORS = (HTTPClientError, BotocoreConnectionError)

#: botocore's own retries are off: the handlers' policy below is the only one.
CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, user_agent_extra="groundtruth-cdk")


def json_size(text: str) -> int:
    """Return the size in bytes of ``text`` inside a UTF-8 JSON document (escapes included)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


def truncate(message: str, limit: int = MAX_MESSAGE_BYTES) -> str:
    """Return ``message`` cut to ``limit`` JSON-encoded UTF-8 bytes, marking a cut with an ellipsis."""
    if json_size(message) <= limit:
        return message
    budget = limit - len("...")
    kept = []
    for character in message:
        budget -= json_size(character)
        if budget < 0:
            break
        kept.append(character)
    return "".join(kept) + "..."


def error_code(error: Exception) -> str:
    """Return the service error code of a botocore ClientError ("" for other errors)."""
    if not isinstance(error, ClientError):
        return ""
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: Exception) -> str:
    """Return the service error message of a botocore ClientError ("" for other errors)."""
    if not isinstance(error, ClientError):
        return ""
    return str(error.response.get("Error", {}).get("Message", ""))


def is_transient(error: Exception) -> bool:
    """Return whether ``error`` is throttling, a server-side failure or a network failure."""
    if isinstance(error, NETWORK_ERRORS):
        return True
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error_code(error) in TRANSIENT_ERROR_CODES or (isinstance(status, int) and status >= 500)


def backoff_delay(retry: int, jitter: float) -> float:
    """Return the sleep before retry number ``retry`` (0-based): capped exponential, scaled by
    ``0.5 + 0.5 * jitter`` for a ``jitter`` in [0, 1)."""
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0**retry)
    return ceiling * (0.5 + 0.5 * jitter)


def with_retries(
    call: Callable[[], _T],
    description: str,
    retryable: Callable[[Exception], bool],
    *,
    sleep: Callable[[float], None],
    jitter: Callable[[], float],
    failure: Callable[[str], Exception],
    logger: logging.Logger,
) -> _T:
    """Return ``call()``, retrying the errors ``retryable`` accepts with bounded exponential backoff.

    Other errors propagate unchanged; after :data:`MAX_ATTEMPTS` attempts ``failure(message)`` is raised.
    """
    slept = 0.0
    attempt = 1
    while True:
        try:
            return call()
        except (ClientError, *NETWORK_ERRORS) as error:
            if not retryable(error):
                raise
            if attempt == MAX_ATTEMPTS:
                raise failure(
                    f"{description} still failing after {attempt} attempts over {slept:.0f} s: {error}"
                ) from error
            delay = backoff_delay(attempt - 1, jitter())
            logger.warning("%s failed (attempt %d), retrying in %.1f s: %s", description, attempt, delay, error)
            sleep(delay)
            slept += delay
            attempt += 1


def reported_as(error_type: Callable[[str], Exception]) -> Callable[[_Handler], _Handler]:
    """Decorate an entry point so any error escaping it is re-raised as ``error_type`` (whose message the
    handler bounds for CloudFormation); errors already of that type pass unchanged."""

    def decorate(handler: _Handler) -> _Handler:
        @functools.wraps(handler)
        def wrapper(event: Any, context: object) -> Any:
            try:
                return handler(event, context)
            except Exception as error:
                if isinstance(error, error_type):  # type: ignore[arg-type]
                    raise
                raise error_type(str(error) or type(error).__name__) from error

        return wrapper

    return decorate
