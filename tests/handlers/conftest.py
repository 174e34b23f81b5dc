"""Fixtures for the Lambda handler tests: fake AWS environment, moto S3, stubbed SageMaker, no sleeping."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from groundtruth_cdk.handlers.labeling_job import chain, data_setup, index

from .builders import ARTIFACTS_BUCKET, DATA_BUCKET, PENDING_URI, REGION, SETUP_FOLDER

_FAKE_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point boto3 at a fake region and fake credentials: nothing can reach real AWS."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for key, value in _FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the handler's backoff sleeps instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(index, "_sleep", recorded.append)
    return recorded


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One boto3 session for the run: it parses the (large) SageMaker API model only once."""
    return boto3.session.Session()


@pytest.fixture
def handler(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], boto_session: boto3.session.Session
) -> Iterator[ModuleType]:
    """Return the handler module with fresh clients (configured as its own), under moto, with a bucket."""
    with mock_aws():
        clients = {
            service: boto_session.client(service, region_name=REGION, config=index._CLIENT_CONFIG)
            for service in ("s3", "sagemaker")
        }
        monkeypatch.setattr(index, "_CLIENTS", clients)
        clients["s3"].create_bucket(Bucket=ARTIFACTS_BUCKET)
        yield index


@pytest.fixture
def sagemaker(handler: ModuleType) -> Iterator[Stubber]:
    """Stub the handler's SageMaker client; every queued response must be consumed."""
    with Stubber(handler._client("sagemaker")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def s3(handler: ModuleType) -> Any:
    """Return the handler's (moto) S3 client."""
    return handler._client("s3")


@pytest.fixture
def chain_function(handler: ModuleType, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Return the chain function's module, configured like its Lambda (it shares the handler's clients)."""
    monkeypatch.setenv("PENDING_REQUEST_URI", PENDING_URI)
    return chain


# --------------------------------------------------------------------------------------------------
# Automated data setup
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def data_bucket(s3: Any) -> str:
    """Create the (moto) data bucket, in the job's region."""
    s3.create_bucket(Bucket=DATA_BUCKET)
    return DATA_BUCKET


@pytest.fixture
def build(handler: ModuleType, data_bucket: str) -> Callable[..., data_setup.Outcome]:
    """Return ``build(setup_json, region=...)``: the data setup with the handler's client and retries."""

    def run(setup: str, *, region: str = REGION) -> data_setup.Outcome:
        return data_setup.build_manifest(
            data_setup.parse_setup(setup),
            data_setup.Destination(ARTIFACTS_BUCKET, SETUP_FOLDER),
            s3=handler._client("s3"),
            retry=handler._retry_transient,
            region=region,
        )

    return run


@pytest.fixture
def no_uploads_left(s3: Any) -> Iterator[None]:
    """Check, after the test, that no multipart upload was left pending in the artifacts bucket."""
    yield
    assert s3.list_multipart_uploads(Bucket=ARTIFACTS_BUCKET).get("Uploads", []) == []
