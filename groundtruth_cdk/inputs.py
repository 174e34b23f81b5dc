"""What a labeling job labels: an existing input manifest, or a small list of objects given in code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_s3 as s3

from groundtruth_cdk.validation import Problems, is_token

#: Manifest limits (SageMaker Developer Guide, "Input data quotas").
MAX_LINE_CHARS = 100_000
MAX_ATTRIBUTE_CHARS = 20_000
#: Objects given in code travel in the template and through the deploy's Step Functions waiter (whose
#: input is limited to 256 KB); larger sets belong in a manifest in S3.
MAX_INLINE_OBJECTS = 1_000
MAX_INLINE_CHARS = 100_000
_S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$")


@dataclass(frozen=True)
class ManifestInput:
    """An input manifest that is already in S3: the console's manual data setup.

    Args:
        s3_uri: ``s3://bucket/key`` of a JSON Lines manifest (``source-ref`` or ``source`` per line).
            The job's role gets read access to it when it is outside the input prefix.
    """

    s3_uri: str

    def check(self, problems: Problems) -> None:
        """Add a problem when ``s3_uri`` is not an ``s3://bucket/key`` URI."""
        if not is_token(self.s3_uri) and not _S3_URI.match(self.s3_uri):
            problems.add("input.s3_uri", self.s3_uri, "must be an S3 URI like s3://bucket/path/input.manifest")

    def bucket_and_key(self) -> tuple[str, str] | None:
        """The bucket name and key, or ``None`` when the URI is a token."""
        match = _S3_URI.match(self.s3_uri) if not is_token(self.s3_uri) else None
        return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class InlineManifest:
    """Up to 1,000 data objects (100,000 characters of JSON) given in code; the deploy writes them as the
    job's input manifest.

    Each object is one manifest line: a mapping with the task type's data key (``source-ref`` for
    images, video and point clouds, ``source`` for text) and any extra keys you want carried to the
    output. Build it with :meth:`from_s3_keys` or :meth:`from_texts`, or give the objects directly.
    """

    objects: Sequence[Mapping[str, Any]] = field(default_factory=tuple)

    @classmethod
    def from_s3_keys(cls, bucket: s3.IBucket, keys: Iterable[str]) -> InlineManifest:
        """One ``source-ref`` line per key in ``bucket``."""
        return cls(tuple({"source-ref": f"s3://{bucket.bucket_name}/{key}"} for key in keys))

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> InlineManifest:
        """One ``source`` line per text (text classification and named entity recognition)."""
        return cls(tuple({"source": text} for text in texts))

    def check(self, problems: Problems, manifest_keys: Sequence[str]) -> None:
        """Check count, the data key of every line, and the manifest's size limits."""
        count = len(self.objects)
        if not 1 <= count <= MAX_INLINE_OBJECTS:
            problems.add(
                "input.objects",
                f"{count} objects",
                f"give 1..{MAX_INLINE_OBJECTS} objects in code; put larger data sets in an S3 manifest (ManifestInput)",
            )
        total = sum(len(json.dumps(line, ensure_ascii=False, default=str)) + 1 for line in self.objects)
        if total > MAX_INLINE_CHARS:
            problems.add(
                "input.objects",
                f"{total} characters of JSON",
                f"objects given in code hold at most {MAX_INLINE_CHARS} characters in all; put larger data sets "
                "in an S3 manifest (ManifestInput)",
            )
        reported = 0
        for index, line in enumerate(self.objects):
            problem = _line_problem(line, manifest_keys)
            if problem is not None:
                if reported < 5:
                    problems.add(f"input.objects[{index}]", _preview(line), problem)
                reported += 1
        if reported > 5:
            problems.add("input.objects", f"{reported} invalid lines", "(only the first 5 are listed)")


def _line_problem(line: Mapping[str, Any], manifest_keys: Sequence[str]) -> str | None:
    if not isinstance(line, Mapping):
        return "each object must be a mapping (one JSON object per manifest line)"
    if not any(key in line for key in manifest_keys):
        return f"each line needs the key {' or '.join(map(repr, manifest_keys))} for this task type"
    for key, value in line.items():
        if not isinstance(key, str) or key.startswith("$"):
            return "keys must be strings that do not start with '$'"
        if isinstance(value, str) and not is_token(value) and len(value) > MAX_ATTRIBUTE_CHARS:
            return f"{key!r} is {len(value)} characters; an attribute holds at most {MAX_ATTRIBUTE_CHARS}"
    try:
        size = len(json.dumps(line, ensure_ascii=False))
    except (TypeError, ValueError):
        return "the line must be JSON-serialisable (strings, numbers, booleans, lists, mappings)"
    if size > MAX_LINE_CHARS:
        return f"the line is {size} characters of JSON; a manifest line holds at most {MAX_LINE_CHARS}"
    return None


def _preview(line: Any) -> str:
    text = repr(line)
    return text if len(text) <= 60 else text[:57] + "..."
