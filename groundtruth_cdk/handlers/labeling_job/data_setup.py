"""Automated data setup for ``Custom::LabelingJob``: build the job's input manifest from S3 at deploy time.

The resource property ``DataSetup`` is a JSON string with one of two sources:

``S3Prefix``
    List ``s3://<Bucket>/<Prefix>`` and turn the objects of one data type into manifest lines: images
    and video clips one ``source-ref`` line per object, text one ``source`` line per non-empty line of
    each ``.txt``/``.csv`` object, video frames one sequence file (and one ``source-ref`` line) per
    sub-folder of frame images. Globs, a key pattern and a reproducible sample select the objects;
    objects of another type fail the setup (or are skipped and counted).
``ManifestQuery``
    Keep the lines of an existing JSON Lines manifest whose fields match conditions.

Everything streams: the listing is read a page at a time, objects a chunk at a time, and the manifest is
written with an S3 multipart upload in parts of :data:`PART_SIZE` (a small manifest with one PutObject).
Any failure aborts the upload, so a failed setup never leaves a partial manifest behind.

Loaded as ``groundtruth_cdk.handlers.labeling_job.data_setup`` by the tests and as the top-level module
``data_setup`` by Lambda, so it imports nothing from its package: the handler passes in its S3 client,
its retry helper and the job's region. Standard library and boto3/botocore only.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any, Protocol, TypeVar

from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "DataSetupError",
    "Destination",
    "ManifestQuery",
    "Outcome",
    "PrefixSource",
    "build_manifest",
    "parse_setup",
]

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

_T = TypeVar("_T")

#: Suffixes (compared in lower case) of each data type; video frames are images in sub-folders.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
VIDEO_CLIP_SUFFIXES = (".mp4", ".webm", ".ogg")
TEXT_SUFFIXES = (".txt", ".csv")
DATA_TYPES = ("image", "text", "video-clip", "video-frames")

#: Ground Truth's limit on one manifest attribute (a text's ``source``), in characters.
MAX_ATTRIBUTE_CHARS = 20_000
#: Longest CSV field read (csv's default, 131,072, would make a long text an error even in skip mode).
MAX_CSV_FIELD_CHARS = 16 * 1024 * 1024
#: Ground Truth's limit on the frames of one video frame sequence.
MAX_FRAMES_PER_SEQUENCE = 2_000
#: Default MaxObjects: Ground Truth's dataset quota for most task types.
DEFAULT_MAX_OBJECTS = 100_000

#: Size of the manifest's multipart upload parts (S3 needs at least 5 MiB but for the last); the tests
#: lower it. A manifest smaller than one part is written with a single PutObject.
PART_SIZE = 8 * 1024 * 1024
#: Keys per ListObjectsV2 page (S3's maximum).
LIST_PAGE_SIZE = 1000
#: Bytes read at a time from a text object or a source manifest.
READ_CHUNK_BYTES = 1024 * 1024
#: Lines collected before they are handed to the manifest writer.
WRITE_BATCH_LINES = 1000
#: Example keys quoted in a mismatch error, and the characters kept of each.
MAX_EXAMPLES = 10
MAX_EXAMPLE_CHARS = 80
#: The data setup stops this long before the Lambda time limit: what follows it (the other artifacts,
#: CreateLabelingJob with up to ~106 s of retry back-off) must still fit, and the error must get out.
DEADLINE_MARGIN_SECONDS = 150.0
#: Log progress every this many listed objects.
PROGRESS_EVERY = 100_000

MANIFEST_FILE = "input.manifest"
SEQUENCES_FOLDER = "sequences/"
MANIFEST_CONTENT_TYPE = "application/jsonl"

_PREFIX_FIELDS = frozenset(
    {
        "Source",
        "Bucket",
        "Prefix",
        "DataType",
        "OnMismatch",
        "SamplePercent",
        "Seed",
        "Include",
        "Exclude",
        "KeyPattern",
        "TextColumn",
        "MaxObjects",
        "MinObjects",
        "RecommendedObjects",
    }
)
_QUERY_FIELDS = frozenset({"Source", "ManifestS3Uri", "Where", "MaxObjects", "MinObjects", "RecommendedObjects"})
#: S3 error codes worth explaining (the rest propagate as they are).
_EXPLAINED_ERRORS = {
    "NoSuchBucket": "the bucket does not exist",
    "NoSuchKey": "the object does not exist",
    "AccessDenied": "access denied (the custom resource's role lacks the permission, or a bucket policy or "
    "KMS key policy denies it)",
}
_S3_OBJECT_URI = re.compile(r"s3://(?P<bucket>[^/]+)/(?P<key>.+)", re.DOTALL)
_INTEGER = re.compile(r"[0-9]+")


class DataSetupError(Exception):
    """A data setup failure: the message says what was found and what to change."""


class Retry(Protocol):
    """The handler's retry helper: ``retry(call, description)`` returns ``call()``, retrying throttling."""

    def __call__(self, call: Callable[[], _T], description: str, /) -> _T:
        """Return ``call()``, retrying transient failures; ``description`` names the call in errors."""
        ...


# --------------------------------------------------------------------------------------------------
# The DataSetup property
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Bounds on the number of manifest lines."""

    max_objects: int = DEFAULT_MAX_OBJECTS
    min_objects: int | None = None
    recommended_objects: int | None = None


@dataclass(frozen=True)
class Selection:
    """Which keys (relative to the prefix) pass the filters: Include globs, Exclude globs, KeyPattern."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    key_pattern: str | None = None
    _include: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _exclude: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Compile the globs (case-sensitive fnmatch) and the pattern once."""
        object.__setattr__(self, "_include", _glob_regex(self.include))
        object.__setattr__(self, "_exclude", _glob_regex(self.exclude))
        if self.key_pattern is not None:
            object.__setattr__(self, "_pattern", re.compile(self.key_pattern))

    @property
    def filters(self) -> bool:
        """Whether any filter is set."""
        return bool(self.include or self.exclude or self.key_pattern is not None)

    def selects(self, relative_key: str) -> bool:
        """Return whether ``relative_key`` matches an Include (if any), no Exclude and the KeyPattern."""
        if self._include is not None and self._include.match(relative_key) is None:
            return False
        if self._exclude is not None and self._exclude.match(relative_key) is not None:
            return False
        return self._pattern is None or self._pattern.search(relative_key) is not None

    def describe(self) -> str:
        """Return the filters as the construct's property names, for messages."""
        parts = []
        if self.include:
            parts.append(f"include={list(self.include)}")
        if self.exclude:
            parts.append(f"exclude={list(self.exclude)}")
        if self.key_pattern is not None:
            parts.append(f"key_pattern={self.key_pattern!r}")
        return ", ".join(parts) or "no filters"


def _glob_regex(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one regex matching any of ``globs`` (fnmatch syntax, case-sensitive), None for no globs."""
    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs))


@dataclass(frozen=True)
class PrefixSource:
    """``Source: S3Prefix``: the objects of one data type under a bucket prefix."""

    bucket: str
    prefix: str
    data_type: str
    skip_mismatches: bool = False
    sample_percent: float | None = None
    seed: str = ""
    selection: Selection = field(default_factory=Selection)
    text_column: str | None = None
    limits: Limits = field(default_factory=Limits)

    @property
    def uri(self) -> str:
        """The listed location."""
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class ManifestQuery:
    """``Source: ManifestQuery``: the lines of an existing manifest where every condition holds."""

    bucket: str
    key: str
    where: tuple[tuple[str, Any], ...] = ()
    limits: Limits = field(default_factory=Limits)

    @property
    def uri(self) -> str:
        """The source manifest."""
        return f"s3://{self.bucket}/{self.key}"


Setup = PrefixSource | ManifestQuery


def parse_setup(value: object) -> Setup:
    """Parse and validate the ``DataSetup`` property (a JSON string).

    Raises:
        DataSetupError: the property is not valid; the message names the field.
    """
    if not isinstance(value, str):
        raise DataSetupError(f"Property DataSetup must be a JSON string, not {type(value).__name__}")
    try:
        document = json.loads(value)
    except ValueError as error:
        raise DataSetupError(f"Property DataSetup is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise DataSetupError("Property DataSetup must be a JSON object")
    source = document.get("Source")
    if source == "S3Prefix":
        return _parse_prefix_source(document)
    if source == "ManifestQuery":
        return _parse_manifest_query(document)
    raise DataSetupError(f"Property DataSetup.Source must be 'S3Prefix' or 'ManifestQuery', not {source!r}")


def _parse_prefix_source(document: Mapping[str, Any]) -> PrefixSource:
    """Validate an ``S3Prefix`` document."""
    _reject_unknown(document, _PREFIX_FIELDS)
    data_type = _choice(document, "DataType", DATA_TYPES, None)
    on_mismatch = _choice(document, "OnMismatch", ("fail", "skip"), "fail")
    prefix = _string(document, "Prefix", default="")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    sample = _number(document, "SamplePercent")
    if sample is not None and not 0 < sample <= 100:
        raise DataSetupError(f"Property DataSetup.SamplePercent must be > 0 and <= 100, not {sample}")
    key_pattern = _optional_string(document, "KeyPattern")
    if key_pattern is not None:
        try:
            re.compile(key_pattern)
        except re.error as error:
            raise DataSetupError(f"Property DataSetup.KeyPattern is not a valid regular expression: {error}") from error
    text_column = _optional_string(document, "TextColumn")
    if text_column is not None and data_type != "text":
        raise DataSetupError("Property DataSetup.TextColumn only applies to DataType 'text'")
    return PrefixSource(
        bucket=_string(document, "Bucket"),
        prefix=prefix,
        data_type=data_type,
        skip_mismatches=on_mismatch == "skip",
        sample_percent=None if sample is None or sample == 100 else sample,
        seed=_string(document, "Seed", default=""),
        selection=Selection(
            include=_string_list(document, "Include"),
            exclude=_string_list(document, "Exclude"),
            key_pattern=key_pattern,
        ),
        text_column=text_column,
        limits=_limits(document),
    )


def _parse_manifest_query(document: Mapping[str, Any]) -> ManifestQuery:
    """Validate a ``ManifestQuery`` document."""
    _reject_unknown(document, _QUERY_FIELDS)
    uri = _string(document, "ManifestS3Uri")
    location = _S3_OBJECT_URI.fullmatch(uri)
    if location is None:
        raise DataSetupError(f"Property DataSetup.ManifestS3Uri must be s3://bucket/key, not {uri!r}")
    where = document.get("Where") or {}
    if not isinstance(where, dict):
        raise DataSetupError("Property DataSetup.Where must be an object of field paths to values")
    for path in where:
        if not path or "" in path.split("."):
            raise DataSetupError(f"Property DataSetup.Where has an invalid field path {path!r}")
    return ManifestQuery(
        bucket=location["bucket"],
        key=location["key"],
        where=tuple(where.items()),
        limits=_limits(document),
    )


def _reject_unknown(document: Mapping[str, Any], known: frozenset[str]) -> None:
    """Fail on fields this handler does not know (a construct/handler mismatch)."""
    unknown = sorted(set(document) - known)
    if unknown:
        raise DataSetupError(f"Property DataSetup has unknown fields {unknown} for Source {document['Source']}")


def _string(document: Mapping[str, Any], name: str, *, default: str | None = None) -> str:
    """Return a string field; a missing or null field takes ``default`` (required when None)."""
    value = document.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or (default is None and not value):
        raise DataSetupError(f"Property DataSetup.{name} must be a non-empty string, not {value!r}")
    return value


def _optional_string(document: Mapping[str, Any], name: str) -> str | None:
    """Return a string field, None when missing, null or empty."""
    value = document.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DataSetupError(f"Property DataSetup.{name} must be a string, not {value!r}")
    return value


def _choice(document: Mapping[str, Any], name: str, choices: tuple[str, ...], default: str | None) -> str:
    """Return a field that must be one of ``choices`` (``default`` when missing, required when None)."""
    value = document.get(name)
    if value is None and default is not None:
        return default
    if value not in choices:
        raise DataSetupError(f"Property DataSetup.{name} must be one of {list(choices)}, not {value!r}")
    return str(value)


def _string_list(document: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """Return a list-of-strings field (empty when missing or null)."""
    value = document.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise DataSetupError(f"Property DataSetup.{name} must be a list of non-empty strings, not {value!r}")
    return tuple(value)


def _number(document: Mapping[str, Any], name: str) -> float | None:
    """Return a number field (a numeric string is accepted: tokens), None when missing or null."""
    value = document.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DataSetupError(f"Property DataSetup.{name} must be a number, not {value!r}")
    try:
        return float(value)
    except ValueError as error:
        raise DataSetupError(f"Property DataSetup.{name} must be a number, not {value!r}") from error


def _integer(document: Mapping[str, Any], name: str) -> int | None:
    """Return a positive integer field (a digit string is accepted: tokens), None when missing or null."""
    value = document.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DataSetupError(f"Property DataSetup.{name} must be an integer >= 1, not {value!r}")
    return value


def _limits(document: Mapping[str, Any]) -> Limits:
    """Return the MaxObjects / MinObjects / RecommendedObjects fields."""
    maximum = _integer(document, "MaxObjects")
    return Limits(
        max_objects=DEFAULT_MAX_OBJECTS if maximum is None else maximum,
        min_objects=_integer(document, "MinObjects"),
        recommended_objects=_integer(document, "RecommendedObjects"),
    )


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """Where the job's generated inputs go: ``s3://<bucket>/<folder>`` (the folder ends with ``/``)."""

    bucket: str
    folder: str

    @property
    def manifest_key(self) -> str:
        """The manifest's key."""
        return f"{self.folder}{MANIFEST_FILE}"

    def uri(self, key: str) -> str:
        """Return the S3 URI of ``key`` in this bucket."""
        return f"s3://{self.bucket}/{key}"


@dataclass(frozen=True)
class Outcome:
    """What the data setup wrote."""

    manifest_uri: str
    object_count: int
    skipped_count: int
    notes: tuple[str, ...]


def build_manifest(
    setup: Setup,
    destination: Destination,
    *,
    s3: Any,
    retry: Retry,
    region: str,
    deadline: float | None = None,
) -> Outcome:
    """Build the input manifest ``setup`` describes and write it to ``destination``.

    Args:
        setup: the parsed ``DataSetup`` property (:func:`parse_setup`).
        destination: the job's artifacts folder; the manifest goes to ``input.manifest`` in it, video
            frame sequence files to ``sequences/<n>.json``.
        s3: a boto3 S3 client.
        retry: the handler's retry helper, wrapped around every S3 call.
        region: the labeling job's region: the data bucket must be in it.
        deadline: a ``time.monotonic()`` value after which the setup gives up with a clear error.

    Raises:
        DataSetupError: the data does not fit the setup (the message says why and what to change).
    """
    io = _S3(s3, retry, deadline)
    started = time.monotonic()
    with _ManifestWriter(io, destination.bucket, destination.manifest_key) as writer:
        if isinstance(setup, ManifestQuery):
            tally = _query_manifest(setup, io, writer)
        else:
            _check_region(setup.bucket, region, io)
            tally = _scan_prefix(setup, destination, io, writer)
        notes = tally.finish()
    LOGGER.info(
        "Wrote %s: %d lines, %d skipped, in %.1f s",
        destination.uri(destination.manifest_key),
        tally.lines,
        tally.skipped,
        time.monotonic() - started,
    )
    return Outcome(
        manifest_uri=destination.uri(destination.manifest_key),
        object_count=tally.lines,
        skipped_count=tally.skipped,
        notes=notes,
    )


# --------------------------------------------------------------------------------------------------
# S3 access
# --------------------------------------------------------------------------------------------------


class _S3:
    """The S3 client, the retry helper and the time budget."""

    def __init__(self, client: Any, retry: Retry, deadline: float | None) -> None:
        self.client = client
        self._retry = retry
        self._deadline = deadline

    def call(self, call: Callable[[], _T], description: str) -> _T:
        """Return ``call()`` through the retry helper; a missing bucket or object, or a denial, explained."""
        try:
            return self._retry(call, description)
        except ClientError as error:
            explanation = _EXPLAINED_ERRORS.get(str(error.response.get("Error", {}).get("Code")))
            if explanation is None:
                raise
            raise DataSetupError(f"{description} failed: {explanation}") from error

    def check_time(self, progress: Callable[[], str]) -> None:
        """Fail with a clear message (``progress()`` says how far it got) once the deadline has passed."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise DataSetupError(
                f"Data setup ran out of time after {progress()}; the handler must answer before its "
                "Lambda time limit. Narrow the prefix or the filters, or use sample_percent."
            )

    def list_keys(self, bucket: str, prefix: str, progress: Callable[[], str]) -> Iterator[list[str]]:
        """Yield the keys under ``prefix`` a ListObjectsV2 page at a time, in key (UTF-8 binary) order."""
        request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": LIST_PAGE_SIZE}
        description = f"ListObjectsV2 s3://{bucket}/{prefix}"
        client = self.client
        while True:
            self.check_time(progress)
            page = self.call(lambda: client.list_objects_v2(**request), description)
            yield [item["Key"] for item in page.get("Contents", ())]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return
            request["ContinuationToken"] = token

    def read_lines(self, bucket: str, key: str) -> Iterator[str]:
        """Yield the lines of an object, decoded as UTF-8 (a BOM dropped), each with its ``\\n``.

        Raises:
            DataSetupError: the object is not UTF-8 text.
        """
        client = self.client
        response = self.call(lambda: client.get_object(Bucket=bucket, Key=key), f"GetObject s3://{bucket}/{key}")
        body = response["Body"]
        try:
            yield from _split_lines(body.iter_chunks(READ_CHUNK_BYTES))
        except UnicodeDecodeError as error:
            raise DataSetupError(f"s3://{bucket}/{key} is not UTF-8 text: {error}") from error
        finally:
            body.close()

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        """Write one small object."""
        client = self.client
        self.call(
            lambda: client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type),
            f"PutObject s3://{bucket}/{key}",
        )


def _split_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decode UTF-8 ``chunks`` (dropping a leading BOM) and yield their lines, each ending with ``\\n``.

    Only ``\\n`` ends a line (``\\r\\n`` lines keep their ``\\r``); the last line may lack the ``\\n``.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending: list[str] = []
    for chunk in chunks:
        pieces = decoder.decode(chunk).split("\n")
        if len(pieces) == 1:
            pending.append(pieces[0])
            continue
        pending.append(pieces[0])
        yield "".join(pending) + "\n"
        for piece in pieces[1:-1]:
            yield piece + "\n"
        pending = [pieces[-1]]
    pending.append(decoder.decode(b"", final=True))
    last = "".join(pending)
    if last:
        yield last


def _check_region(bucket: str, region: str, io: _S3) -> None:
    """Fail unless ``bucket`` is in ``region`` (Ground Truth reads input data in the job's region only)."""
    client = io.client
    response = io.call(lambda: client.get_bucket_location(Bucket=bucket), f"GetBucketLocation {bucket}")
    location = response.get("LocationConstraint") or "us-east-1"
    if location == "EU":
        location = "eu-west-1"
    if location != region:
        raise DataSetupError(
            f"The data bucket {bucket} is in {location} but the labeling job is in {region}: Ground Truth "
            f"reads input data only from its own region. Copy the data to a bucket in {region}, or deploy "
            f"the stack in {location}."
        )


class _ManifestWriter:
    """Streams the manifest to S3: a multipart upload in parts of :data:`PART_SIZE`, or one PutObject.

    Used as a context manager: leaving the block normally completes the object, leaving it with an
    exception aborts the multipart upload, so no partial manifest is ever visible.
    """

    def __init__(self, io: _S3, bucket: str, key: str) -> None:
        self._io = io
        self._bucket = bucket
        self._key = key
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def __enter__(self) -> _ManifestWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is not None:
            self._abort()
            return
        try:
            self._finish()
        except BaseException:
            self._abort()
            raise

    def write(self, text: str) -> None:
        """Append ``text`` (whole manifest lines) to the manifest."""
        if not text:
            return
        data = text.encode("utf-8")
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered >= PART_SIZE:
            self._upload_part()

    def _upload_part(self) -> None:
        """Upload the buffered bytes as the next part (starting the multipart upload if needed)."""
        body = b"".join(self._chunks)
        self._chunks = []
        self._buffered = 0
        client, bucket, key = self._io.client, self._bucket, self._key
        if self._upload_id is None:
            response = self._io.call(
                lambda: client.create_multipart_upload(Bucket=bucket, Key=key, ContentType=MANIFEST_CONTENT_TYPE),
                f"CreateMultipartUpload s3://{bucket}/{key}",
            )
            self._upload_id = str(response["UploadId"])
        upload_id = self._upload_id
        number = len(self._parts) + 1
        response = self._io.call(
            lambda: client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body),
            f"UploadPart {number} of s3://{bucket}/{key}",
        )
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})
        LOGGER.info("Uploaded part %d of s3://%s/%s (%d bytes)", number, bucket, key, len(body))

    def _finish(self) -> None:
        """Write the rest: one PutObject if no part was uploaded, else the last part and the completion."""
        client, bucket, key = self._io.client, self._bucket, self._key
        if self._upload_id is None:
            self._io.put(bucket, key, b"".join(self._chunks), MANIFEST_CONTENT_TYPE)
            self._chunks = []
            return
        if self._buffered:
            self._upload_part()
        upload_id, parts = self._upload_id, self._parts
        self._io.call(
            lambda: client.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            ),
            f"CompleteMultipartUpload s3://{bucket}/{key}",
        )
        self._upload_id = None

    def _abort(self) -> None:
        """Abort the multipart upload, if one is under way (a failure to abort is only logged)."""
        self._chunks = []
        if self._upload_id is None:
            return
        client, bucket, key, upload_id = self._io.client, self._bucket, self._key, self._upload_id
        self._upload_id = None
        try:
            self._io.call(
                lambda: client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id),
                f"AbortMultipartUpload s3://{bucket}/{key}",
            )
            LOGGER.info("Aborted the multipart upload of s3://%s/%s", bucket, key)
        except Exception as error:  # a failed abort must not hide the error that caused it
            LOGGER.warning("Could not abort the multipart upload %s of s3://%s/%s: %s", upload_id, bucket, key, error)


# --------------------------------------------------------------------------------------------------
# Counting, limits and the end-of-setup checks
# --------------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    """What the setup saw and wrote; enforces the limits and builds the final messages."""

    where: str
    limits: Limits
    unit: str = "data objects"
    skip_mismatches: bool = False
    mismatch_advice: str = ""
    kind: str = ""
    listed: int = 0
    selected: int = 0
    matched: int = 0
    mismatched: int = 0
    examples: list[str] = field(default_factory=list)
    lines: int = 0
    long_texts: int = 0
    filters: str = ""

    @property
    def skipped(self) -> int:
        """Objects or lines left out because they did not fit (skip mode only)."""
        return self.mismatched + self.long_texts if self.skip_mismatches else 0

    def mismatch(self, relative_key: str) -> None:
        """Count an object that is not of the data type."""
        self.mismatched += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(_shorten(relative_key))

    def add_lines(self, count: int, last: str) -> None:
        """Count ``count`` manifest lines; fail as soon as the total passes MaxObjects."""
        self.lines += count
        if self.lines > self.limits.max_objects:
            raise DataSetupError(
                f"More than {self.limits.max_objects:,} {self.unit} selected from {self.where} (the job's limit), "
                f"stopped listing at {_shorten(last)!r}. Use sample_percent to label a reproducible "
                "subset, or narrow the prefix or the filters."
            )

    def progress(self) -> str:
        """Say how far the setup got, for the out-of-time error."""
        return f"listing {self.listed:,} objects and writing {self.lines:,} manifest lines from {self.where}"

    def finish(self) -> tuple[str, ...]:
        """Check mismatches, emptiness and MinObjects; return the notes (skips, RecommendedObjects)."""
        if self.mismatched and not self.skip_mismatches:
            examples = ", ".join(repr(example) for example in self.examples)
            raise DataSetupError(
                f"{self.mismatched:,} of the objects under {self.where} {'is' if self.mismatched == 1 else 'are'} "
                f"not {self.kind}: listed "
                f"{self.listed:,}, {self.selected:,} passed the filters, {self.matched:,} matched. "
                f"{self.mismatch_advice} Examples: {examples}"
            )
        if self.lines == 0:
            skipped = f", {self.skipped:,} skipped" if self.skipped else ""
            raise DataSetupError(
                f"No {self.unit} selected from {self.where} ({self.filters}): listed {self.listed:,}, "
                f"{self.selected:,} passed the filters, {self.matched:,} matched{skipped}. Check the bucket, "
                "the prefix, the data type and the filters."
            )
        minimum = self.limits.min_objects
        if minimum is not None and self.lines < minimum:
            raise DataSetupError(
                f"Only {self.lines:,} {self.unit} selected from {self.where}: auto-labeling needs at least "
                f"{minimum:,}. Add data, widen the selection or turn auto-labeling off."
            )
        notes = []
        if self.skip_mismatches and self.mismatched:
            which = "object that is" if self.mismatched == 1 else "objects that are"
            notes.append(f"skipped {self.mismatched:,} {which} not {self.kind}")
        if self.skip_mismatches and self.long_texts:
            notes.append(f"skipped {_plural(self.long_texts, 'text')} longer than {MAX_ATTRIBUTE_CHARS:,} characters")
        recommended = self.limits.recommended_objects
        if recommended is not None and self.lines < recommended:
            notes.append(f"only {self.lines:,} {self.unit}: auto-labeling works best with at least {recommended:,}")
        for note in notes:
            LOGGER.warning("Data setup: %s", note)
        return tuple(notes)


def _plural(count: int, noun: str) -> str:
    """Return ``"1 object"``, ``"2 objects"``, ``"1,000 objects"``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _shorten(text: str, limit: int = MAX_EXAMPLE_CHARS) -> str:
    """Return ``text`` cut in the middle to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[-half:]}"


class _Sampler:
    """Keeps an item when a hash of (seed, item identity) falls under the percentage.

    The decision depends on nothing but the seed and the identity: stable across retries, independent
    of the listing order, and close to the percentage on large sets (the hash is uniform).
    """

    def __init__(self, percent: float, seed: str) -> None:
        self._threshold = int(percent / 100 * 2**64)
        self._seed = seed.encode("utf-8") + b"\x00"

    def keeps(self, identity: str) -> bool:
        """Return whether the item named ``identity`` is in the sample."""
        digest = hashlib.sha256(self._seed + identity.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") < self._threshold


# --------------------------------------------------------------------------------------------------
# S3Prefix
# --------------------------------------------------------------------------------------------------

_KIND = {
    "image": "images (.jpg, .jpeg, .png)",
    "video-clip": "video clips (.mp4, .webm, .ogg)",
    "text": "text (.txt, .csv)",
    "video-frames": "video frame images (.jpg, .jpeg, .png) in a sub-folder per sequence",
}


def _scan_prefix(source: PrefixSource, destination: Destination, io: _S3, writer: _ManifestWriter) -> _Tally:
    """List the prefix and write the manifest lines of its data type."""
    filters = source.selection.describe()
    if source.sample_percent is not None:
        filters += f", sample_percent={source.sample_percent:g} (seed {source.seed!r})"
    tally = _Tally(
        where=source.uri,
        limits=source.limits,
        unit="video frame sequences" if source.data_type == "video-frames" else "data objects",
        skip_mismatches=source.skip_mismatches,
        kind=_KIND[source.data_type],
        filters=filters,
        mismatch_advice=(
            f"Choose the data type that fits them (data type is {source.data_type!r}), narrow the prefix, "
            'leave them out with the include/exclude filters or key_pattern, or set on_mismatch="skip".'
        ),
    )
    sampler = None if source.sample_percent is None else _Sampler(source.sample_percent, source.seed)
    pages = io.list_keys(source.bucket, source.prefix, tally.progress)
    if source.data_type == "image":
        _write_objects(source, pages, tally, writer, sampler, IMAGE_SUFFIXES)
    elif source.data_type == "video-clip":
        _write_objects(source, pages, tally, writer, sampler, VIDEO_CLIP_SUFFIXES)
    elif source.data_type == "text":
        _write_texts(source, pages, tally, writer, sampler, io)
    else:
        _write_sequences(source, destination, pages, tally, writer, sampler, io)
    return tally


def _log_progress(tally: _Tally, before: int) -> None:
    """Log the listing's progress whenever it crosses a multiple of :data:`PROGRESS_EVERY`."""
    if tally.listed // PROGRESS_EVERY > before // PROGRESS_EVERY:
        LOGGER.info("Listed %d objects, %d manifest lines so far", tally.listed, tally.lines)


def _write_objects(
    source: PrefixSource,
    pages: Iterable[list[str]],
    tally: _Tally,
    writer: _ManifestWriter,
    sampler: _Sampler | None,
    suffixes: tuple[str, ...],
) -> None:
    """Write one ``source-ref`` line per object with one of ``suffixes`` (images, video clips).

    The per-key loop is the hot path of a large listing: it works on locals and batches a page.
    """
    selects = source.selection.selects if source.selection.filters else None
    keeps = None if sampler is None else sampler.keeps
    start = len(source.prefix)
    base = f"s3://{source.bucket}/"
    for keys in pages:
        lines = []
        listed = selected = matched = 0
        for key in keys:
            if key[-1:] == "/":
                continue
            listed += 1
            if selects is not None and not selects(key[start:]):
                continue
            selected += 1
            if not key.lower().endswith(suffixes):
                tally.mismatch(key[start:])
                continue
            matched += 1
            if keeps is None or keeps(key):
                lines.append('{"source-ref":' + encode_basestring(base + key) + "}\n")
        before = tally.listed
        tally.listed += listed
        tally.selected += selected
        tally.matched += matched
        if lines:
            writer.write("".join(lines))
            tally.add_lines(len(lines), keys[-1])
        _log_progress(tally, before)


def _write_texts(
    source: PrefixSource,
    pages: Iterable[list[str]],
    tally: _Tally,
    writer: _ManifestWriter,
    sampler: _Sampler | None,
    io: _S3,
) -> None:
    """Write one ``source`` line per non-empty line of each ``.txt`` object and CSV row of each ``.csv``."""
    for key in _matching_keys(source, pages, tally, lambda relative, key: key.lower().endswith(TEXT_SUFFIXES)):
        if tally.mismatched and not source.skip_mismatches:
            continue  # the setup fails once the listing ends: reading more would be wasted
        io.check_time(tally.progress)
        _write_text_object(source, key, tally, writer, sampler, io)


def _matching_keys(
    source: PrefixSource, pages: Iterable[list[str]], tally: _Tally, matches: Callable[[str, str], bool]
) -> Iterator[str]:
    """Yield each listed key that passes the filters and ``matches(key below the prefix, key)``.

    Counts what it lists, selects, matches and mismatches in ``tally`` and logs progress per page. (The
    objects writer, the hot path of a large listing, has this loop inlined.)
    """
    start = len(source.prefix)
    selection = source.selection
    for keys in pages:
        before = tally.listed
        for key in keys:
            if key.endswith("/"):
                continue
            tally.listed += 1
            relative = key[start:]
            if not selection.selects(relative):
                continue
            tally.selected += 1
            if not matches(relative, key):
                tally.mismatch(relative)
                continue
            tally.matched += 1
            yield key
        _log_progress(tally, before)


def _write_text_object(
    source: PrefixSource, key: str, tally: _Tally, writer: _ManifestWriter, sampler: _Sampler | None, io: _S3
) -> None:
    """Write the texts of one object."""
    uri = f"s3://{source.bucket}/{key}"
    lines = io.read_lines(source.bucket, key)
    if key.lower().endswith(".csv"):
        texts = _csv_texts(lines, source.text_column, uri)
    else:
        texts = ((number, line.rstrip("\r\n")) for number, line in enumerate(lines, start=1))
    batch: list[str] = []
    for number, text in texts:
        if not text.strip():
            continue
        if len(text) > MAX_ATTRIBUTE_CHARS:
            if not source.skip_mismatches:
                raise DataSetupError(
                    f"{uri} line {number} is {len(text):,} characters long: Ground Truth accepts at most "
                    f"{MAX_ATTRIBUTE_CHARS:,} characters per text. Shorten or split it, or set "
                    'on_mismatch="skip" to leave such texts out.'
                )
            tally.long_texts += 1
            continue
        if sampler is not None and not sampler.keeps(f"{key}\x00{number}"):
            continue
        batch.append('{"source":' + encode_basestring(text) + "}\n")
        if len(batch) >= WRITE_BATCH_LINES:
            writer.write("".join(batch))
            tally.add_lines(len(batch), f"{key} line {number}")
            batch = []
    if batch:
        writer.write("".join(batch))
        tally.add_lines(len(batch), key)


def _csv_texts(lines: Iterable[str], column: str | None, uri: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) for each CSV record: the named column, or the only column.

    Raises:
        DataSetupError: the named column is missing, a record has several columns and no column is
            named, or the file is not valid CSV.
    """
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    reader = csv.reader(lines)
    try:
        if column is None:
            for row in reader:
                if len(row) > 1:
                    raise DataSetupError(
                        f"{uri} has {len(row)} columns ({_columns(row)}) on line {reader.line_num}: a CSV file "
                        "without text_column must have exactly one column. Set text_column to the column "
                        "to label (its header)."
                    )
                yield reader.line_num, row[0] if row else ""
            return
        header = next(reader, None)
        if header is None:
            return
        if column not in header:
            raise DataSetupError(f"{uri} has no column {column!r} in its header (columns: {_columns(header)})")
        index = header.index(column)
        for row in reader:
            yield reader.line_num, row[index] if index < len(row) else ""
    except csv.Error as error:
        raise DataSetupError(f"{uri} line {reader.line_num} is not valid CSV: {error}") from error


def _columns(row: list[str]) -> str:
    """Return the first columns of a CSV row, shortened, for messages."""
    shown = ", ".join(repr(_shorten(value, 30)) for value in row[:8])
    return shown + (", ..." if len(row) > 8 else "")


def _write_sequences(
    source: PrefixSource,
    destination: Destination,
    pages: Iterable[list[str]],
    tally: _Tally,
    writer: _ManifestWriter,
    sampler: _Sampler | None,
    io: _S3,
) -> None:
    """Write one sequence file per sub-folder of frame images, and one manifest line per sequence file.

    A sub-folder's keys are contiguous in the listing (key order), so one sequence is held at a time.
    """
    start = len(source.prefix)
    folder: str | None = None
    frames: list[str] = []

    def flush() -> None:
        if folder is None or not frames or (tally.mismatched and not source.skip_mismatches):
            return
        if sampler is not None and not sampler.keeps(source.prefix + folder):
            return
        number = tally.lines + 1
        key = f"{destination.folder}{SEQUENCES_FOLDER}{number}.json"
        io.put(destination.bucket, key, _sequence_file(number, f"{source.uri}{folder}/", frames), "application/json")
        writer.write('{"source-ref":' + encode_basestring(destination.uri(key)) + "}\n")
        tally.add_lines(1, f"{folder}/")

    def is_frame(relative: str, key: str) -> bool:
        return "/" in relative and key.lower().endswith(IMAGE_SUFFIXES)

    for key in _matching_keys(source, pages, tally, is_frame):
        sub_folder, _, frame = key[start:].partition("/")
        if sub_folder != folder:
            flush()
            folder, frames = sub_folder, []
        frames.append(frame)
        if len(frames) > MAX_FRAMES_PER_SEQUENCE:
            raise DataSetupError(
                f"{source.uri}{folder}/ has more than {MAX_FRAMES_PER_SEQUENCE:,} frames: Ground Truth "
                "accepts at most that many per video frame sequence. Split the folder into several "
                "sequences, or leave frames out with the filters."
            )
    flush()


def _natural_key(name: str) -> list[str | int]:
    """Sort key putting ``frame2.jpg`` before ``frame10.jpg`` (digit runs compare as numbers)."""
    return [int(part) if index % 2 else part for index, part in enumerate(re.split(r"(\d+)", name))]


def _sequence_file(number: int, prefix: str, frames: list[str]) -> bytes:
    """Return a video frame sequence file: frames (names relative to ``prefix``) in natural order, so
    unpadded numbers (``frame2`` before ``frame10``) keep the video's order."""
    ordered = sorted(frames, key=_natural_key)
    document = {
        "seq-no": number,
        "prefix": prefix,
        "number-of-frames": len(ordered),
        "frames": [{"frame-no": index, "frame": frame} for index, frame in enumerate(ordered, start=1)],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------------------------------
# ManifestQuery
# --------------------------------------------------------------------------------------------------

_MISSING = object()


def _query_manifest(query: ManifestQuery, io: _S3, writer: _ManifestWriter) -> _Tally:
    """Copy the lines of the source manifest where every condition holds."""
    conditions = [(path.split("."), _matcher(expected)) for path, expected in query.where]
    shown = json.dumps(dict(query.where), ensure_ascii=False)
    tally = _Tally(where=query.uri, limits=query.limits, filters=f"where {_shorten(shown, 200)}")
    batch: list[str] = []
    for number, line in enumerate(io.read_lines(query.bucket, query.key), start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        tally.listed += 1
        document = _parse_line(text, number, query.uri)
        if all(matches(_lookup(document, path)) for path, matches in conditions):
            tally.selected += 1
            tally.matched += 1
            batch.append(text + "\n")
            if len(batch) >= WRITE_BATCH_LINES:
                writer.write("".join(batch))
                tally.add_lines(len(batch), f"line {number}")
                batch = []
        if number % PROGRESS_EVERY == 0:
            io.check_time(tally.progress)
    if batch:
        writer.write("".join(batch))
        tally.add_lines(len(batch), "the last line")
    return tally


def _parse_line(text: str, number: int, uri: str) -> dict[str, Any]:
    """Parse one manifest line, which must be a JSON object."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise DataSetupError(f"Line {number} of {uri} is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise DataSetupError(f"Line {number} of {uri} is not a JSON object")
    return document


def _lookup(document: Any, path: list[str]) -> Any:
    """Return the value at the dotted ``path`` in ``document``, or :data:`_MISSING`."""
    node = document
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _matcher(expected: Any) -> Callable[[Any], bool]:
    """Return the test of one condition: fnmatch for a string, JSON equality otherwise."""
    if isinstance(expected, str):
        match = re.compile(fnmatch.translate(expected)).match
        return lambda value: isinstance(value, str) and match(value) is not None
    return lambda value: value is not _MISSING and _same_json(value, expected)


def _same_json(left: Any, right: Any) -> bool:
    """Return whether two JSON values are equal, a boolean never equal to a number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same_json(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same_json(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)
