"""Project files (``projects/<name>.yaml``): the model, the loader, and the mapping to the job's settings.

:func:`load_project` reads a file, checks it against :data:`~groundtruth_cdk.project.schemas.PROJECT_SCHEMA`,
then applies every synth rule of the library (``JobSettings.check``) and the workforce rules, and
raises one :class:`ProjectError` that lists every problem with its file, line and field. Nothing is
synthesized: a throwaway stack only provides the bucket object ``S3Data`` needs.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from groundtruth_cdk.inputs import InlineManifest, ManifestInput, OnMismatch, S3Data
from groundtruth_cdk.job_settings import (
    AutoLabeling,
    ContentClassifier,
    Instructions,
    JobSettings,
    StoppingConditions,
    default_label_attribute_name,
)
from groundtruth_cdk.project.errors import Problem, ProjectError
from groundtruth_cdk.project.schema_check import SchemaChecker, did_you_mean, show
from groundtruth_cdk.project.schemas import (
    CONTENT_CLASSIFIERS,
    DURATION_UNITS,
    PATTERN_MESSAGES,
    PROJECT_NAME_PATTERN,
    PROJECT_NAME_RULE,
    PROJECT_SCHEMA,
)
from groundtruth_cdk.project.workforce_file import WorkforceFile, find_workforce_file, load_workforce
from groundtruth_cdk.project.yaml_source import FieldPath, YamlDocument, format_path, read_yaml
from groundtruth_cdk.task_types import DataType, TaskType
from groundtruth_cdk.validation import Problems
from groundtruth_cdk.workforce import Workforce, WorkforceType

#: The stack of project ``<name>``.
STACK_NAME = "GroundTruth-{name}"
#: The default ``task_time``: 5 minutes.
DEFAULT_TASK_TIME_SECONDS = 5 * 60
#: The default ``expiry``: 6 hours for Mechanical Turk, 10 days for private and vendor teams.
DEFAULT_PUBLIC_EXPIRY_SECONDS = 6 * 3600
DEFAULT_EXPIRY_SECONDS = 10 * 86400
DEFAULT_OUTPUT_PREFIX = "labels/"

_S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")


@dataclass(frozen=True)
class AutomatedData:
    """``data: {data_type: ...}``: the deploy finds the data under ``prefix`` (see :class:`S3Data`)."""

    data_type: DataType
    #: An existing bucket; ``None``: the project's own new input bucket.
    bucket: str | None = None
    prefix: str = ""
    on_mismatch: OnMismatch = OnMismatch.FAIL
    sample_percent: float | None = None
    #: ``None``: ``S3Data``'s default seed.
    seed: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    key_pattern: str | None = None
    text_column: str | None = None

    @property
    def bucket_name(self) -> str | None:
        """The existing bucket the data is in (``None``: the project's new input bucket)."""
        return self.bucket

    def job_input(self, bucket: s3.IBucket, task_type: TaskType) -> S3Data:
        """The job's input: automated data setup in ``bucket``."""
        data = S3Data(
            bucket,
            self.prefix,
            data_type=self.data_type,
            on_mismatch=self.on_mismatch,
            sample_percent=self.sample_percent,
            include=self.include,
            exclude=self.exclude,
            key_pattern=self.key_pattern,
            text_column=self.text_column,
        )
        return data if self.seed is None else dataclasses.replace(data, seed=self.seed)


@dataclass(frozen=True)
class ManifestData:
    """``data: {manifest: s3://...}``: a manifest you provide, optionally queried (see :class:`ManifestInput`)."""

    manifest: str
    where: Mapping[str, Any] | None = None
    #: The bucket with the objects the manifest lists; ``None``: the manifest's bucket.
    bucket: str | None = None
    prefix: str = ""

    @property
    def bucket_name(self) -> str:
        """The bucket the data objects are in: ``bucket``, else the manifest's bucket."""
        if self.bucket is not None:
            return self.bucket
        match = _S3_URI.match(self.manifest)
        assert match is not None, "the schema checks the URI"
        return match.group(1)

    def job_input(self, bucket: s3.IBucket, task_type: TaskType) -> ManifestInput:
        """The job's input: the manifest as it is, or the lines ``where`` selects."""
        return ManifestInput(self.manifest, where=dict(self.where) if self.where is not None else None)


@dataclass(frozen=True)
class ListedData:
    """``data: {objects: [...]}``: the data objects are listed in the file (see :class:`InlineManifest`)."""

    objects: tuple[str | Mapping[str, Any], ...]
    #: The bucket that string objects are keys in; ``None``: the project's own new input bucket.
    bucket: str | None = None
    prefix: str = ""

    @property
    def bucket_name(self) -> str | None:
        """The existing bucket the objects are in (``None``: the project's new input bucket)."""
        return self.bucket

    def job_input(self, bucket: s3.IBucket, task_type: TaskType) -> InlineManifest:
        """One manifest line per object; a string is the text (text tasks) or a key under ``prefix``."""
        lines: list[Mapping[str, Any]] = []
        for item in self.objects:
            if not isinstance(item, str):
                lines.append(item)
            elif task_type.spec.manifest_key == "source":
                lines.append({"source": item})
            else:
                lines.append({"source-ref": f"s3://{bucket.bucket_name}/{self.prefix}{item}"})
        return InlineManifest(tuple(lines))


ProjectData = AutomatedData | ManifestData | ListedData


@dataclass(frozen=True)
class Project:
    """One labeling project, as its file declares it, with the file's defaults applied.

    Build it with :func:`load_project`. ``LabelingProjectStack`` turns it into buckets, a role and the job.
    """

    #: The file name without ``.yaml``; names the stack (``GroundTruth-<name>``) and prefixes the job names.
    name: str
    file: str
    task_type: TaskType
    labels: tuple[str, ...]
    instructions: Instructions
    title: str
    description: str
    data: ProjectData
    workforce: Workforce
    keywords: tuple[str, ...] = ()
    #: ``None``: a region-agnostic stack.
    region: str | None = None
    #: ``None``: the account of the deploying credentials.
    account: str | None = None
    workers_per_object: int = 1
    task_time_seconds: int = DEFAULT_TASK_TIME_SECONDS
    #: ``None``: 6 hours for Mechanical Turk, 10 days otherwise (see :attr:`availability_seconds`).
    expiry_seconds: int | None = None
    #: ``None``: the API's default, 1000.
    max_concurrent_tasks: int | None = None
    stopping_conditions: StoppingConditions | None = None
    content_classifiers: tuple[ContentClassifier, ...] = ()
    output_prefix: str = DEFAULT_OUTPUT_PREFIX
    #: ``None``: the task type's name (with ``-ref`` where required).
    label_attribute_name: str | None = None
    reviewed_label_attribute_name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    #: Automated data labeling (active learning).
    auto_labeling: bool = False
    #: Top-level key → its line in the file (for errors found later, e.g. by the app).
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def stack_name(self) -> str:
        """``GroundTruth-<name>``."""
        return STACK_NAME.format(name=self.name)

    @property
    def team(self) -> str | None:
        """The private team's name, when a private team labels."""
        return self.workforce.team_name

    @property
    def environment(self) -> cdk.Environment | None:
        """The stack's environment; ``None`` (region-agnostic) when the file gives neither region nor account."""
        if self.region is None and self.account is None:
            return None
        return cdk.Environment(account=self.account, region=self.region)

    @property
    def availability_seconds(self) -> int:
        """``expiry`` in seconds, or its default: 6 hours for Mechanical Turk, 10 days otherwise."""
        if self.expiry_seconds is not None:
            return self.expiry_seconds
        public = self.workforce.type is WorkforceType.PUBLIC
        return DEFAULT_PUBLIC_EXPIRY_SECONDS if public else DEFAULT_EXPIRY_SECONDS

    def line_of(self, key: str) -> int:
        """The line of a top-level key in the file (1 when it is not there)."""
        return self.lines.get(key, 1)

    def job_settings(self, input_bucket: s3.IBucket) -> JobSettings:
        """The job's settings, with the data in ``input_bucket`` (the stack's input bucket)."""
        return JobSettings(
            task_type=self.task_type,
            workforce=self.workforce,
            input=self.data.job_input(input_bucket, self.task_type),
            labels=self.labels,
            instructions=self.instructions,
            task_title=self.title,
            task_description=self.description,
            task_keywords=self.keywords,
            header=None,
            label_attribute_name=self.label_attribute_name or default_label_attribute_name(self.task_type),
            job_name_prefix=self.name,
            workers_per_object=self.workers_per_object,
            task_time_seconds=self.task_time_seconds,
            availability_seconds=self.availability_seconds,
            max_concurrent_task_count=self.max_concurrent_tasks,
            stopping_conditions=self.stopping_conditions,
            content_classifiers=self.content_classifiers,
            reviewed_label_attribute_name=self.reviewed_label_attribute_name,
            ui_template=None,
            pre_annotation_lambda_arn=None,
            annotation_consolidation_lambda_arn=None,
            tags=dict(self.tags),
            auto_labeling=AutoLabeling() if self.auto_labeling else None,
        )


def load_project(path: Path | str, *, workforce_file: Path | str | None = None) -> Project:
    """Load and check the project file at ``path``.

    Raises :class:`ProjectError` listing every problem (schema, synth rules, the team in
    ``workforce.yaml``). ``workforce_file`` defaults to the ``workforce.yaml`` in the project file's
    folder or the nearest folder above it; it is read only when the project names a private team.
    """
    return load_projects([path], workforce_file=workforce_file)[0]


def validate_project(path: Path | str, *, workforce_file: Path | str | None = None) -> list[Problem]:
    """Every problem of the project file at ``path`` (an empty list when it is valid)."""
    try:
        load_project(path, workforce_file=workforce_file)
    except ProjectError as error:
        return error.problems
    return []


def load_projects(paths: Iterable[Path | str], *, workforce_file: Path | str | None = None) -> list[Project]:
    """Load several project files: all of them, or one :class:`ProjectError` with every problem of every file.

    ``workforce.yaml`` is read once, and its own problems are listed once.
    """
    workforces = _Workforces(Path(workforce_file) if workforce_file is not None else None)
    projects: list[Project] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            projects.append(_load(Path(path), str(path), workforces))
        except ProjectError as error:
            problems += error.problems
    problems += workforces.problems
    if problems:
        raise ProjectError(problems)
    return projects


_CHECKER = SchemaChecker(PATTERN_MESSAGES)


def _load(path: Path, file: str, workforces: _Workforces) -> Project:
    document = read_yaml(path)
    problems: list[Problem] = []
    valid_name = re.match(PROJECT_NAME_PATTERN, path.stem) is not None
    if not valid_name:
        problems.append(Problem(file, 1, "(file name)", f"got {path.stem!r}; {PROJECT_NAME_RULE}"))
    schema_problems = [document.problem(p, m) for p, m in _CHECKER.check(document.value, PROJECT_SCHEMA)]
    if schema_problems:
        raise ProjectError(problems + schema_problems)
    project = _project(document, path.stem if valid_name else "project", file)
    if project.team is not None:
        problems += _team_problems(project, document, workforces.for_project(path))
    problems += _synth_rule_problems(project, document)
    if problems:
        raise ProjectError(problems)
    return project


def _project(document: YamlDocument, name: str, file: str) -> Project:
    """The project a schema-valid document declares."""
    value: dict[str, Any] = document.value
    conditions = value.get("stopping_conditions")
    output = value.get("output") or {}
    return Project(
        name=name,
        file=file,
        task_type=TaskType(value["task_type"]),
        labels=tuple(value["labels"]),
        instructions=Instructions(short=value["instructions"]["short"], full=value["instructions"]["full"]),
        title=value["title"],
        description=value["description"],
        data=_data(value["data"]),
        workforce=_workforce(value["workers"]),
        keywords=tuple(value.get("keywords", ())),
        region=value.get("region"),
        account=value.get("account"),
        workers_per_object=value.get("workers_per_object", 1),
        task_time_seconds=_seconds(value.get("task_time", DEFAULT_TASK_TIME_SECONDS)),
        expiry_seconds=_seconds(value["expiry"]) if "expiry" in value else None,
        max_concurrent_tasks=value.get("max_concurrent_tasks"),
        stopping_conditions=StoppingConditions(**conditions) if conditions is not None else None,
        content_classifiers=tuple(CONTENT_CLASSIFIERS[c] for c in value.get("content_classifiers", ())),
        output_prefix=output.get("prefix", DEFAULT_OUTPUT_PREFIX),
        label_attribute_name=value.get("label_attribute_name"),
        reviewed_label_attribute_name=value.get("reviewed_label_attribute_name"),
        tags=dict(value.get("tags") or {}),
        auto_labeling=bool(value.get("auto_labeling", False)),
        lines={path[0]: line for path, line in document.lines.items() if len(path) == 1 and isinstance(path[0], str)},
    )


def _data(data: Mapping[str, Any]) -> ProjectData:
    common = {"bucket": data.get("bucket"), "prefix": data.get("prefix", "")}
    if "manifest" in data:
        return ManifestData(data["manifest"], where=data.get("where"), **common)
    if "objects" in data:
        return ListedData(tuple(data["objects"]), **common)
    return AutomatedData(
        DataType(data["data_type"]),
        on_mismatch=OnMismatch(data.get("on_mismatch", OnMismatch.FAIL.value)),
        sample_percent=data.get("sample_percent"),
        seed=data.get("seed"),
        include=tuple(data.get("include", ())),
        exclude=tuple(data.get("exclude", ())),
        key_pattern=data.get("key_pattern"),
        text_column=data.get("text_column"),
        **common,
    )


def _workforce(workers: Mapping[str, Any]) -> Workforce:
    if "team" in workers:
        return Workforce.private_team_by_name(workers["team"])
    if "vendor" in workers:
        return Workforce.vendor(workers["vendor"])
    return Workforce.mechanical_turk(workers["mechanical_turk"]["price_usd"])


def _seconds(duration: int | str) -> int:
    if isinstance(duration, int):
        return duration
    return int(duration[:-1]) * DURATION_UNITS[duration[-1]]


# -- the team ----------------------------------------------------------------------------------------


class _Workforces:
    """``workforce.yaml`` files read at most once each; their problems are listed once."""

    def __init__(self, explicit: Path | None) -> None:
        self._explicit = explicit
        self._loaded: dict[Path, WorkforceFile | None] = {}
        self.problems: list[Problem] = []

    def for_project(self, project_file: Path) -> tuple[Path | None, WorkforceFile | None]:
        """The workforce file for a project (its path, and its content unless it is missing or has problems)."""
        path = self._explicit or find_workforce_file(project_file.resolve().parent)
        if path is None or not path.is_file():
            return path, None
        key = path.resolve()
        if key not in self._loaded:
            try:
                self._loaded[key] = load_workforce(path)
            except ProjectError as error:
                self._loaded[key] = None
                self.problems += error.problems
        return path, self._loaded[key]


def _team_problems(
    project: Project, document: YamlDocument, workforce: tuple[Path | None, WorkforceFile | None]
) -> list[Problem]:
    team = project.team
    assert team is not None
    path, loaded = workforce
    where = ("workers", "team")
    got = f"got {show(team)}"
    if project.region is None:
        return [
            document.problem(
                where,
                f"{got}; a private team belongs to the workforce of one region: set region (a region of "
                "workforce.yaml) or choose mechanical_turk or vendor",
            )
        ]
    if loaded is None:
        if path is not None and path.is_file():
            return []  # the workforce file's own problems are reported
        looked = str(path) if path is not None else f"workforce.yaml in {Path(project.file).resolve().parent} or above"
        return [document.problem(where, f"{got}; no workforce file found ({looked}): define the team there")]
    regional = loaded.regions.get(project.region)
    if regional is None:
        known = ", ".join(loaded.regions) or "none"
        return [
            document.problem(
                where, f"{got}; {loaded.file} has no workforce for {project.region} (its regions: {known})"
            )
        ]
    if team not in regional.team_names:
        names = ", ".join(regional.team_names) or "none"
        return [
            document.problem(
                where,
                f"{got}; the teams of {project.region} in {loaded.file} are: {names}"
                f"{did_you_mean(team, regional.team_names)}",
            )
        ]
    return []


# -- the library's synth rules -------------------------------------------------------------------------


class _Recorder(Problems):
    """``Problems`` that also keeps each problem's parts, to place it in the file."""

    def __init__(self) -> None:
        super().__init__("project")
        self.records: list[tuple[str, Any, str]] = []

    def add(self, field: str, value: Any, allowed: str) -> None:
        self.records.append((field, value, allowed))
        super().add(field, value, allowed)


#: ``JobSettings`` field → where it is in a project file; when the first is not written, the next that is
#: gives the line (``content_classifiers`` is missing, so the error points at ``workers``).
_FIELD_PATHS: dict[str, tuple[FieldPath, ...]] = {
    "region": (("region",),),
    "label_attribute_name": (("label_attribute_name",), ("task_type",)),
    "labels": (("labels",),),
    "task_title": (("title",),),
    "task_description": (("description",),),
    "task_keywords": (("keywords",),),
    "workers_per_object": (("workers_per_object",),),
    "task_time_limit": (("task_time",), ("task_type",)),
    "task_availability_lifetime": (("expiry",), ("workers",)),
    "max_concurrent_task_count": (("max_concurrent_tasks",),),
    "tags": (("tags",),),
    "workforce": (("workers",),),
    "workforce.team_name": (("workers", "team"),),
    "workforce.workteam_arn": (("workers", "vendor"),),
    "workforce.price_usd": (("workers", "mechanical_turk", "price_usd"),),
    "content_classifiers": (("content_classifiers",), ("workers",)),
    "reviewed_label_attribute_name": (("reviewed_label_attribute_name",), ("task_type",)),
    "input.s3_uri": (("data", "manifest"),),
    "auto_labeling": (("auto_labeling",),),
}
_DURATIONS = {"task_time_limit": "task_time", "task_availability_lifetime": "expiry"}
_SUBSCRIPT = re.compile(r"^(?P<base>[a-z_.]+)\[(?P<index>[^]]+)\]$")


def _synth_rule_problems(project: Project, document: YamlDocument) -> list[Problem]:
    """``JobSettings.check`` on the project, each problem placed at the line of its YAML field."""
    scratch = cdk.Stack(cdk.App(), "ProjectCheck")
    bucket = s3.Bucket.from_bucket_name(scratch, "Input", project.data.bucket_name or "project-input-bucket")
    recorder = _Recorder()
    project.job_settings(bucket).check(recorder, region=project.region or cdk.Aws.REGION)
    problems = []
    for name, value, allowed in recorder.records:
        if name == "job_name_prefix":
            continue  # the project's name: the file name, checked on its own
        path, line_path = _locate(name, value, document)
        shown, allowed = _in_yaml_terms(name, value, allowed)
        raw = document.get((_DURATIONS[name],)) if name in _DURATIONS else None
        if isinstance(raw, str):
            shown = f"{show(raw)} ({value} seconds)"
        problems.append(
            Problem(document.file, document.line_of(line_path), format_path(path), f"got {shown}; {allowed}")
        )
    return problems


#: The library's names for choices → the project file's names for them.
_YAML_NAMES = {
    **{t.name: t.value for t in DataType},
    **{c.name: name for name, c in CONTENT_CLASSIFIERS.items()},
    **{c.value: name for name, c in CONTENT_CLASSIFIERS.items()},
    "ManifestInput": "data: {manifest: s3://...}",
}
_LIBRARY_NAME = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _YAML_NAMES), key=len, reverse=True)) + r")\b")


def _in_yaml_terms(name: str, value: Any, allowed: str) -> tuple[str, str]:
    """(the value as shown, what is allowed) in the project file's words rather than the library's."""
    if name == "input.data_type" and isinstance(value, str):
        value = _YAML_NAMES.get(value, value)
    if isinstance(value, list):
        shown = ", ".join(_YAML_NAMES.get(str(item), str(item)) for item in value) or "none"
    else:
        shown = show(value)
    return shown, _LIBRARY_NAME.sub(lambda match: _YAML_NAMES[match.group(1)], allowed)


def _locate(name: str, value: Any, document: YamlDocument) -> tuple[FieldPath, FieldPath]:
    """(the field path to name, the path whose line to give) for a ``JobSettings`` problem field."""
    subscript = _SUBSCRIPT.match(name)
    index: str | int | None = None
    if subscript is not None:
        name = subscript.group("base")
        raw = subscript.group("index")
        index = int(raw) if raw.isdigit() else str(ast.literal_eval(raw))
    candidates = _FIELD_PATHS.get(name)
    if candidates is None:
        if name.startswith("input."):
            candidates = (("data", *name.removeprefix("input.").split(".")),)
        else:
            candidates = (tuple(name.split(".")),)
    path = candidates[0]
    if index is not None:
        path = (*path, index)
    elif isinstance(value, str) and name in ("labels", "task_keywords", "tags"):
        items = document.get(path)
        if isinstance(items, list) and value in items:
            path = (*path, len(items) - 1 - items[::-1].index(value))  # the last one: a duplicate's second
        elif isinstance(items, dict) and value in items:
            path = (*path, value)
    line_path = next((c for c in (path, *candidates) if document.has(c)), candidates[-1])
    return path, line_path
