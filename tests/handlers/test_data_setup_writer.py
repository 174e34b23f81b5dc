"""Writing the manifest: one PutObject when small, a multipart upload in parts otherwise, aborted on error."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import moto.s3.models
import pytest
from botocore.exceptions import ClientError

from groundtruth_cdk.handlers.labeling_job import data_setup

from .builders import (
    ARTIFACTS_BUCKET,
    SETUP_FOLDER,
    SETUP_MANIFEST_URI,
    manifest_lines,
    prefix_setup,
    put_objects,
    read_text,
    source_refs,
)

Build = Callable[..., data_setup.Outcome]

PART_SIZE = 1024
IMAGES = [f"data/image-{index:04d}.jpg" for index in range(120)]  # ~50 bytes a line: 6 KB of manifest


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the manifest in 1 KiB parts (moto accepts parts that small)."""
    monkeypatch.setattr(data_setup, "PART_SIZE", PART_SIZE)
    monkeypatch.setattr(data_setup, "LIST_PAGE_SIZE", 10)
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", PART_SIZE)


@pytest.fixture
def calls(s3: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict[str, Any]]]:
    """Record the S3 write calls to the artifacts bucket (they still reach moto)."""
    recorded: dict[str, list[dict[str, Any]]] = {}
    for operation in (
        "put_object",
        "create_multipart_upload",
        "upload_part",
        "complete_multipart_upload",
        "abort_multipart_upload",
    ):
        recorded[operation] = []
        monkeypatch.setattr(s3, operation, _recording(getattr(s3, operation), recorded[operation]))
    return recorded


def _recording(real: Callable[..., Any], log: list[dict[str, Any]]) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        if kwargs["Bucket"] == ARTIFACTS_BUCKET:
            log.append(kwargs)
        return real(**kwargs)

    return call


def _failing_on(real: Callable[..., Any], number: int, error: ClientError) -> Callable[..., Any]:
    """Return ``real`` failing with ``error`` on its ``number``-th call (1-based)."""
    count = [0]

    def call(**kwargs: Any) -> Any:
        count[0] += 1
        if count[0] == number:
            raise error
        return real(**kwargs)

    return call


def _error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "X")


def _manifest_exists(s3: Any) -> bool:
    listing = s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET, Prefix=f"{SETUP_FOLDER}input.manifest")
    return bool(listing.get("Contents"))


def test_a_small_manifest_is_one_put_object(s3: Any, build: Build, calls: dict[str, list[Any]]) -> None:
    put_objects(s3, IMAGES[:3])

    build(prefix_setup())

    assert len(calls["put_object"]) == 1
    assert calls["create_multipart_upload"] == []
    assert manifest_lines(s3) == source_refs(IMAGES[:3])


def test_a_large_manifest_is_uploaded_in_parts(
    s3: Any, build: Build, small_parts: None, calls: dict[str, list[Any]], no_uploads_left: None
) -> None:
    put_objects(s3, IMAGES)

    outcome = build(prefix_setup())

    parts = calls["upload_part"]
    assert len(parts) >= 5
    assert [part["PartNumber"] for part in parts] == list(range(1, len(parts) + 1))
    assert all(len(part["Body"]) >= PART_SIZE for part in parts[:-1])
    assert 0 < len(parts[-1]["Body"]) <= 2 * PART_SIZE
    assert calls["put_object"] == []
    assert len(calls["complete_multipart_upload"]) == 1
    assert calls["create_multipart_upload"][0]["ContentType"] == "application/jsonl"
    expected = "".join(f'{{"source-ref":"s3://data-bucket/{key}"}}\n' for key in IMAGES)
    assert read_text(s3, SETUP_MANIFEST_URI) == expected
    assert b"".join(part["Body"] for part in parts) == expected.encode()
    assert outcome.object_count == len(IMAGES)


def test_exactly_one_part_of_lines_is_one_part(
    s3: Any, build: Build, monkeypatch: pytest.MonkeyPatch, calls: dict[str, list[Any]]
) -> None:
    put_objects(s3, IMAGES[:10])
    line_bytes = len('{"source-ref":"s3://data-bucket/data/image-0000.jpg"}\n')
    monkeypatch.setattr(data_setup, "PART_SIZE", 10 * line_bytes)

    build(prefix_setup())

    assert len(calls["upload_part"]) == 1
    assert len(calls["complete_multipart_upload"]) == 1
    assert manifest_lines(s3) == source_refs(IMAGES[:10])


def test_a_limit_reached_after_some_parts_aborts_the_upload(
    s3: Any, build: Build, small_parts: None, calls: dict[str, list[Any]], no_uploads_left: None
) -> None:
    put_objects(s3, IMAGES)

    with pytest.raises(data_setup.DataSetupError, match="More than 100 data objects"):
        build(prefix_setup(MaxObjects=100))

    assert len(calls["upload_part"]) >= 3
    assert len(calls["abort_multipart_upload"]) == 1
    assert calls["complete_multipart_upload"] == []
    assert not _manifest_exists(s3)


def test_an_s3_error_mid_way_aborts_the_upload(
    s3: Any,
    build: Build,
    small_parts: None,
    calls: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    no_uploads_left: None,
) -> None:
    put_objects(s3, IMAGES)
    monkeypatch.setattr(s3, "upload_part", _failing_on(s3.upload_part, 3, _error("InvalidRequest", 400)))

    with pytest.raises(ClientError, match="InvalidRequest"):
        build(prefix_setup())

    assert len(calls["abort_multipart_upload"]) == 1
    assert not _manifest_exists(s3)


def test_a_failed_completion_aborts_the_upload(
    s3: Any,
    build: Build,
    small_parts: None,
    calls: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    no_uploads_left: None,
) -> None:
    put_objects(s3, IMAGES)
    failing = _failing_on(s3.complete_multipart_upload, 1, _error("InvalidPart", 400))
    monkeypatch.setattr(s3, "complete_multipart_upload", failing)

    with pytest.raises(ClientError, match="InvalidPart"):
        build(prefix_setup())

    assert len(calls["abort_multipart_upload"]) == 1
    assert not _manifest_exists(s3)


def test_a_mismatch_found_after_some_parts_aborts_the_upload(
    s3: Any, build: Build, small_parts: None, calls: dict[str, list[Any]], no_uploads_left: None
) -> None:
    put_objects(s3, [*IMAGES, "data/zz-readme.md"])

    with pytest.raises(data_setup.DataSetupError, match="1 of the objects"):
        build(prefix_setup())

    assert len(calls["upload_part"]) >= 3
    assert not _manifest_exists(s3)


def test_throttled_part_uploads_are_retried(
    s3: Any,
    build: Build,
    small_parts: None,
    calls: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    sleeps: list[float],
) -> None:
    put_objects(s3, IMAGES)
    monkeypatch.setattr(s3, "upload_part", _failing_on(s3.upload_part, 2, _error("SlowDown", 503)))

    build(prefix_setup())

    assert len(sleeps) == 1
    assert manifest_lines(s3) == source_refs(IMAGES)


def test_a_failed_abort_is_logged_and_the_original_error_kept(
    s3: Any,
    build: Build,
    small_parts: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    put_objects(s3, IMAGES)
    monkeypatch.setattr(s3, "abort_multipart_upload", _failing_on(s3.abort_multipart_upload, 1, _error("Boom", 400)))

    with caplog.at_level(logging.WARNING), pytest.raises(data_setup.DataSetupError, match="More than 50"):
        build(prefix_setup(MaxObjects=50))

    assert "Could not abort the multipart upload" in caplog.text
