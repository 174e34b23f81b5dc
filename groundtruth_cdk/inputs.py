"""What a labeling job labels: data found under an S3 prefix, an existing manifest, or objects given in code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_cdk import aws_s3 as s3

from groundtruth_cdk.task_types import REVIEWED_TASK_TYPE, DataType, TaskType, TaskTypeSpec
from groundtruth_cdk.validation import NAME_PATTERN, Problems, is_token

if TYPE_CHECKING:
    from groundtruth_cdk.buckets import LabelingBuckets
    from groundtruth_cdk.labeling_job import LabelingJob

#: Manifest limits (SageMaker Developer Guide, "Input data quotas").
MAX_LINE_CHARS = 100_000
MAX_ATTRIBUTE_CHARS = 20_000
#: Objects given in code travel in the template and through the deploy's Step Functions waiter (whose
#: input is limited to 256 KB); larger sets belong in a manifest in S3.
MAX_INLINE_OBJECTS = 1_000
#: Counted as ASCII-escaped JSON (the worst case): an Update's event carries the old objects as well,
#: and the whole event must fit the waiter's 256 KB input.
MAX_INLINE_BYTES = 60_000
_S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$")
#: ``s3://bucket/`` or ``s3://bucket/prefix/``.
_S3_PREFIX_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/((?:[^/]+/)*)$")


class OnMismatch(Enum):
    """What automated data setup does with objects that are not of the chosen data type."""

    #: Fail the deploy, naming examples (the default: the console's "input data setup error").
    FAIL = "fail"
    #: Leave them out; the count is in the job's ``SkippedObjectCount`` output.
    SKIP = "skip"


@dataclass(frozen=True)
class S3Data:
    """Automated data setup: at deploy, find the data under an S3 prefix and build the manifest from it.

    The deploy lists ``prefix`` (streaming, any size), keeps the objects of ``data_type`` that pass the
    filters and the sample, writes the manifest next to the job's other inputs and starts the job from
    it. Images and video clips give one data object per file, text files one per non-empty line (CSV: per
    row, of ``text_column`` or the only column), video frames one sequence per sub-folder of frames.

    Args:
        bucket: the bucket with the data (same region as the job).
        prefix: where the data is in the bucket. Default ``""``: the whole bucket.
        data_type: what to look for.
        on_mismatch: objects of another type fail the deploy (``FAIL``, default) or are skipped (``SKIP``).
        sample_percent: label only this percentage (0-100], chosen by a hash of ``seed`` and the key: the
            same objects on every deploy. Default: all.
        seed: changes which objects the sample picks. Default ``"groundtruth-cdk"``.
        include / exclude: globs on the key below ``prefix`` (``"*.jpg"``, ``"night/*"``). Default: all.
        key_pattern: a regular expression the key below ``prefix`` must contain. Default: any key.
        text_column: the CSV column holding the text (``TEXT`` only). Default: the file's only column.
    """

    bucket: s3.IBucket
    prefix: str = ""
    data_type: DataType = field(kw_only=True)
    on_mismatch: OnMismatch = field(default=OnMismatch.FAIL, kw_only=True)
    sample_percent: float | None = field(default=None, kw_only=True)
    seed: str = field(default="groundtruth-cdk", kw_only=True)
    include: Sequence[str] = field(default_factory=tuple, kw_only=True)
    exclude: Sequence[str] = field(default_factory=tuple, kw_only=True)
    key_pattern: str | None = field(default=None, kw_only=True)
    text_column: str | None = field(default=None, kw_only=True)

    def check(self, problems: Problems, spec: TaskTypeSpec) -> None:
        """Everything about the data setup that is knowable at synth."""
        if self.data_type not in spec.data_types:
            allowed = (
                "data types " + ", ".join(t.name for t in spec.data_types)
                if spec.data_types
                else "a manifest you provide (ManifestInput): automated data setup cannot build its input"
            )
            problems.add("input.data_type", self.data_type.name, f"{spec.title} jobs take {allowed}")
        if not is_token(self.prefix) and self.prefix.startswith("/"):
            problems.add("input.prefix", self.prefix, "a key prefix does not start with '/'")
        if self.sample_percent is not None and not 0 < self.sample_percent <= 100:
            problems.add("input.sample_percent", self.sample_percent, "must be more than 0 and at most 100")
        if self.key_pattern is not None:
            try:
                re.compile(self.key_pattern)
            except re.error as error:
                problems.add("input.key_pattern", self.key_pattern, f"is not a valid regular expression ({error})")
        if self.text_column is not None and self.data_type is not DataType.TEXT:
            problems.add("input.text_column", self.text_column, "only TEXT data has columns")
        for name, globs in (("input.include", self.include), ("input.exclude", self.exclude)):
            if isinstance(globs, str):
                problems.add(name, globs, "give a list of globs, e.g. ['*.jpg']")

    def data_setup(self, spec: TaskTypeSpec, *, auto_labeling: bool = False) -> dict[str, Any]:
        """The ``DataSetup`` property the deploy-time handler reads (unset options left out)."""
        setup = {
            "Source": "S3Prefix",
            "Bucket": self.bucket.bucket_name,
            "Prefix": self.prefix,
            "DataType": self.data_type.value,
            "OnMismatch": self.on_mismatch.value,
            "SamplePercent": self.sample_percent,
            "Seed": self.seed,
            "Include": list(self.include),
            "Exclude": list(self.exclude),
            "KeyPattern": self.key_pattern,
            "TextColumn": self.text_column,
            **_limits(spec, auto_labeling),
        }
        return {key: value for key, value in setup.items() if value is not None}


@dataclass(frozen=True)
class ManifestInput:
    """An input manifest that is already in S3: the console's manual data setup.

    Args:
        s3_uri: ``s3://bucket/key`` of a JSON Lines manifest (``source-ref`` or ``source`` per line).
            The job's role gets read access to it when it is outside the input prefix.
        where: label only the lines whose fields match, e.g. ``{"camera": "front", "meta.weather": "rain*"}``
            (dotted paths; strings match as globs, other values by equality; all must hold). The deploy
            streams the manifest and writes the selected lines as the job's manifest. Default: every line.
    """

    s3_uri: str
    where: Mapping[str, Any] | None = None

    def check(self, problems: Problems) -> None:
        """Add a problem when ``s3_uri`` is not an ``s3://bucket/key`` URI or ``where`` is empty."""
        if not is_token(self.s3_uri) and not _S3_URI.match(self.s3_uri):
            problems.add("input.s3_uri", self.s3_uri, "must be an S3 URI like s3://bucket/path/input.manifest")
        if self.where is not None and (not self.where or not all(isinstance(k, str) and k for k in self.where)):
            problems.add("input.where", dict(self.where), "give at least one condition: field path -> value")
        for path, value in (self.where or {}).items():
            if value is None or isinstance(value, (list, dict)):
                problems.add(f"input.where[{path!r}]", value, "a condition is a string (glob), number or boolean")

    def data_setup(self, spec: TaskTypeSpec, *, auto_labeling: bool = False) -> dict[str, Any] | None:
        """The ``DataSetup`` property for a query, or ``None`` when the manifest is used as it is."""
        if self.where is None:
            return None
        limits = _limits(spec, auto_labeling)
        return {"Source": "ManifestQuery", "ManifestS3Uri": self.s3_uri, "Where": dict(self.where), **limits}

    def bucket_and_key(self) -> tuple[str, str] | None:
        """The bucket name and key, or ``None`` when the URI is a token."""
        match = _S3_URI.match(self.s3_uri) if not is_token(self.s3_uri) else None
        return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class InlineManifest:
    """Up to 1,000 data objects (60,000 bytes of JSON) given in code; the deploy writes them as the
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
        total = sum(len(json.dumps(line, default=str)) + 1 for line in self.objects)
        if total > MAX_INLINE_BYTES:
            problems.add(
                "input.objects",
                f"{total} bytes of JSON",
                f"objects given in code hold at most {MAX_INLINE_BYTES} bytes of JSON in all; put larger data sets "
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


@dataclass(frozen=True)
class PreviousJobOutput:
    """The labeled output of an earlier job: verify or adjust its labels, or label its objects again.

    A job with this input is chained: it starts only once the earlier job has completed (labeling jobs
    run for days, longer than a deployment can wait). If the earlier job has already completed when the
    stack deploys, the job is created during the deploy from the earlier job's output manifest;
    otherwise the deploy leaves it waiting, and an EventBridge rule on the earlier job's completion
    starts a function that creates it then (once: its name is fixed at deploy). An earlier job that
    fails or is stopped never starts it.

    Build it with :meth:`of` for a ``LabelingJob`` of this app: the later job then follows that job's
    name prefix (its current job is found at deploy, so the earlier stack can still change and replace
    its job: no CloudFormation export of the job's name ties the stacks), and its role may read what
    the earlier job read and wrote. Or give the name of a job that exists already, with where it read and wrote.

    Args:
        job_name: the earlier job's name (exactly one of ``job_name`` and ``job_name_prefix``).
        label_attribute_name: the earlier job's label attribute name: what verification and adjustment
            jobs review (their ``reviewed_label_attribute_name`` defaults to it). Default: unknown.
        labels: the earlier job's labels; review jobs use them unless given their own. Default: unknown.
        task_type: the earlier job's task type, checked against what a review job reviews. Default: unknown.
        auto_labeling: whether the earlier job used automated data labeling (it then leaves a model a
            later job can start from: ``AutoLabeling(initial_model=...)``). Default: unknown.
        buckets: the earlier job's buckets: a new role of the later job may then read its data (input
            prefix) and its labels and output manifest (output prefix), and workers' browsers get the
            CORS rule they need there. Default: none.
        job_name_prefix: follow the newest job named ``<job_name_prefix>-<8 hex>`` (a ``LabelingJob``'s
            jobs) instead of one job name.
        read_uris: more ``s3://bucket/prefix/`` locations a new role of the later job may read: where the
            earlier job's data objects and labels are when ``buckets`` does not cover them. Default none.
        key_arns: KMS keys the earlier job's data and labels are encrypted with; a new role of the later
            job may decrypt with them. Default none.
    """

    job_name: str | None = None
    label_attribute_name: str | None = None
    labels: tuple[str, ...] | None = None
    task_type: TaskType | None = None
    auto_labeling: bool | None = None
    buckets: LabelingBuckets | None = None
    job_name_prefix: str | None = None
    read_uris: tuple[str, ...] = ()
    key_arns: tuple[str, ...] = ()

    @classmethod
    def of(cls, job: LabelingJob) -> PreviousJobOutput:
        """The output of ``job``, a ``LabelingJob`` of this app (any stack of the same account and region)."""
        literal_prefix = not is_token(job.job_name_prefix)
        return cls(
            job_name=None if literal_prefix else job.job_name,
            job_name_prefix=job.job_name_prefix if literal_prefix else None,
            label_attribute_name=job.label_attribute_name,
            labels=job.labels,
            task_type=job.task_type,
            auto_labeling=job.auto_labeling,
            buckets=job.buckets,
            read_uris=job.read_uris,
            key_arns=job.key_arns,
        )

    def review_defaults(
        self, task_type: TaskType, labels: Sequence[str] | None, reviewed_label_attribute_name: str | None
    ) -> tuple[tuple[str, ...], str | None]:
        """The labels and reviewed label attribute name of a job of ``task_type`` that labels this output.

        A review job shows (verification) or edits (adjustment) the earlier job's labels, so what it does
        not give (``None`` or empty) is the earlier job's; another task type keeps what it gives.
        """
        if not task_type.spec.reviews_labels:
            return tuple(labels or ()), reviewed_label_attribute_name
        return tuple(labels or self.labels or ()), reviewed_label_attribute_name or self.label_attribute_name

    @property
    def reference(self) -> str:
        """How messages name the earlier job: its name, or ``<prefix>-*``."""
        return self.job_name if self.job_name is not None else f"{self.job_name_prefix}-*"

    def check(self, problems: Problems, task_type: TaskType) -> None:
        """The earlier job's name or prefix, the locations, and that a review job reviews its task type."""
        if (self.job_name is None) == (self.job_name_prefix is None):
            problems.add(
                "input.job_name",
                [self.job_name, self.job_name_prefix],
                "give exactly one of job_name (one job) and job_name_prefix (the newest job of a LabelingJob)",
            )
        for name, value, limit in (
            ("input.job_name", self.job_name, 63),
            ("input.job_name_prefix", self.job_name_prefix, 54),
        ):
            if (
                value is not None
                and not is_token(value)
                and not (1 <= len(value) <= limit and NAME_PATTERN.match(value))
            ):
                problems.add(
                    name,
                    value,
                    f"1-{limit} letters, digits and hyphens, starting and ending with a letter or digit",
                )
        prefix = self.job_name_prefix
        if prefix is not None and not is_token(prefix) and prefix != prefix.lower():
            problems.add("input.job_name_prefix", prefix, "must be lowercase (a LabelingJob's job name prefix is)")
        for uri in self.read_uris:
            if not is_token(uri) and not _S3_PREFIX_URI.match(uri):
                problems.add("input.read_uris", uri, "an S3 location like s3://bucket/ or s3://bucket/prefix/")
        for key_arn in self.key_arns:
            if not is_token(key_arn) and not _KMS_KEY_ARN.match(key_arn):
                problems.add(
                    "input.key_arns", key_arn, "a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>"
                )
        reviewed = REVIEWED_TASK_TYPE.get(task_type)
        if reviewed is not None and self.task_type is not None and self.task_type not in (reviewed, task_type):
            reviews = [t.value for t in REVIEWED_TASK_TYPE if REVIEWED_TASK_TYPE[t] is self.task_type]
            problems.add(
                "input",
                f"the output of a {self.task_type.value} job",
                f"{task_type.value} reviews {reviewed.value} jobs"
                + (f"; {self.task_type.value} jobs are reviewed by {', '.join(reviews)}" if reviews else ""),
            )


#: Automated data labeling needs this many data objects at least, and recommends the second.
AUTO_LABELING_OBJECTS = (1_250, 5_000)


def _limits(spec: TaskTypeSpec, auto_labeling: bool) -> dict[str, Any]:
    """Object-count limits of the task type, checked at deploy (auto-labeling adds a minimum)."""
    limits: dict[str, Any] = {"MaxObjects": spec.max_objects}
    if auto_labeling:
        limits["MinObjects"], limits["RecommendedObjects"] = AUTO_LABELING_OBJECTS
    return limits


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
