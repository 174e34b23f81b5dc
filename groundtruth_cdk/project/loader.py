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
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from groundtruth_cdk.buckets import DEFAULT_ARTIFACTS_PREFIX
from groundtruth_cdk.inputs import InlineManifest, ManifestInput, OnMismatch, PreviousJobOutput, S3Data
from groundtruth_cdk.job_settings import (
    AutoLabeling,
    AutoLabelingVpc,
    ContentClassifier,
    Instructions,
    JobSettings,
    Notifications,
    StoppingConditions,
    Streaming,
    check_s3_event_prefix,
    default_label_attribute_name,
)
from groundtruth_cdk.project.errors import Problem, ProjectError
from groundtruth_cdk.project.schema_check import SchemaChecker, did_you_mean, show
from groundtruth_cdk.project.schemas import (
    CONTENT_CLASSIFIERS,
    DEFAULT_STREAMING_PREFIX,
    DURATION_UNITS,
    NEW_KEY,
    PATTERN_MESSAGES,
    PREVIOUS_MODEL,
    PROJECT_KEY,
    PROJECT_NAME_PATTERN,
    PROJECT_NAME_RULE,
    PROJECT_SCHEMA,
    S3_MANAGED,
)
from groundtruth_cdk.project.workforce_file import WorkforceFile, find_workforce_file, load_workforce
from groundtruth_cdk.project.yaml_source import FieldPath, YamlDocument, format_path, read_yaml
from groundtruth_cdk.task_types import DataType, TaskType
from groundtruth_cdk.validation import Problems
from groundtruth_cdk.workforce import Workforce, WorkforceType

if TYPE_CHECKING:
    from groundtruth_cdk.labeling_job import LabelingJob

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


@dataclass(frozen=True)
class PreviousProjectData:
    """``data: {previous_project: <name>}``: the output of another project's job (same folder, region and account).

    The job starts by itself when that project's job completes; its stack depends on that project's stack.
    """

    #: The other project's name (its file name without ``.yaml``).
    project: str
    #: No existing bucket: the project's own new input bucket holds the job's artifacts.
    bucket_name = None
    prefix = ""


@dataclass(frozen=True)
class PreviousJobData:
    """``data: {previous_job: {name, ...}}``: the output of a job outside this app (see :class:`PreviousJobOutput`)."""

    job_name: str
    label_attribute_name: str | None = None
    task_type: TaskType | None = None
    labels: tuple[str, ...] | None = None
    #: Where the job wrote its labels and where its data objects are (``s3://bucket/prefix/``).
    output: str = ""
    data: str = ""
    kms_key_arn: str | None = None
    bucket_name = None
    prefix = ""

    def job_input(self, *, trained_model: bool | None = None) -> PreviousJobOutput:
        """The job's input; ``trained_model``: whether the job left a model (``None``: unknown)."""
        return PreviousJobOutput(
            job_name=self.job_name,
            label_attribute_name=self.label_attribute_name,
            labels=self.labels,
            task_type=self.task_type,
            auto_labeling=trained_model,
            read_uris=tuple(dict.fromkeys(uri for uri in (self.output, self.data) if uri)),
            key_arns=(self.kms_key_arn,) if self.kms_key_arn else (),
        )


ProjectData = AutomatedData | ManifestData | ListedData | PreviousProjectData | PreviousJobData


@dataclass(frozen=True)
class Encryption:
    """``encryption``: ``s3-managed`` (the default), ``kms`` (a new key) or ``{kms_key_arn: <arn>}`` (an existing key).

    A customer managed key encrypts the buckets the stack creates (SSE-KMS) and the job's labels.
    """

    #: ``kms``: the stack creates a customer managed key with rotation.
    new_key: bool = False
    #: ``{kms_key_arn: ...}``: an existing key.
    kms_key_arn: str | None = None

    @property
    def customer_key(self) -> bool:
        """Whether a customer managed key (new or existing) is used."""
        return self.new_key or self.kms_key_arn is not None

    @property
    def name(self) -> str:
        """As the file writes it: ``s3-managed``, ``kms`` or the key's ARN."""
        return NEW_KEY if self.new_key else self.kms_key_arn or S3_MANAGED


@dataclass(frozen=True)
class AutoLabelingOptions:
    """``auto_labeling: true`` or ``{initial_model, volume_kms_key_arn, vpc}`` (see :class:`AutoLabeling`)."""

    #: A SageMaker model ARN, or ``previous``: the final model of the job this project follows.
    initial_model: str | None = None
    #: A KMS key ARN, or ``project``: the project's own key (``encryption``).
    volume_kms_key_arn: str | None = None
    vpc: AutoLabelingVpc | None = None


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
    #: ``None``: a streaming job without initial data.
    data: ProjectData | None
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
    #: Automated data labeling (active learning); ``None``: off.
    auto_labeling: AutoLabelingOptions | None = None
    encryption: Encryption = Encryption()
    streaming: Streaming | None = None
    #: ``streaming.prefix``: where uploads are labeled when there is no data (see :attr:`input_prefix`).
    streaming_prefix: str | None = None
    notifications: Notifications | None = None
    #: The project ``data.previous_project`` names, loaded (the loader sets it).
    previous: Project | None = field(default=None, compare=False, repr=False)
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

    @property
    def input_bucket_name(self) -> str | None:
        """The existing bucket the data is in (``None``: the project's own new input bucket)."""
        return self.data.bucket_name if self.data is not None else None

    @property
    def input_prefix(self) -> str:
        """The input prefix: the data's, else (streaming) ``streaming.prefix`` or ``incoming/``."""
        if self.data is not None:
            return self.data.prefix
        if self.streaming is not None:
            return self.streaming_prefix or DEFAULT_STREAMING_PREFIX
        return ""

    @property
    def effective_label_attribute_name(self) -> str:
        """``label_attribute_name``, or its default."""
        return self.label_attribute_name or default_label_attribute_name(self.task_type)

    @property
    def effective_labels(self) -> tuple[str, ...]:
        """``labels``, or for a review job of a previous project that gives none, that project's."""
        if not self.labels and self.previous is not None and self.task_type.spec.reviews_labels:
            return self.previous.effective_labels
        return self.labels

    @property
    def follows(self) -> str | None:
        """The name of the project (``data.previous_project``) or job (``data.previous_job``) this one follows."""
        if isinstance(self.data, PreviousProjectData):
            return self.data.project
        if isinstance(self.data, PreviousJobData):
            return self.data.job_name
        return None

    def job_input(
        self, input_bucket: s3.IBucket, *, previous_job: LabelingJob | None = None
    ) -> S3Data | ManifestInput | InlineManifest | PreviousJobOutput | None:
        """The job's input. For ``previous_project``, ``previous_job`` is that project's ``LabelingJob`` (in its
        stack); without it (the loader's check), the output is described from the loaded project."""
        data = self.data
        if data is None:
            return None
        trained_model = self.auto_labeling is not None and self.auto_labeling.initial_model == PREVIOUS_MODEL
        if isinstance(data, PreviousJobData):
            return data.job_input(trained_model=True if trained_model else None)
        if isinstance(data, PreviousProjectData):
            if previous_job is not None:
                return PreviousJobOutput.of(previous_job)
            previous = self.previous
            assert previous is not None, "the loader loads the previous project"
            return PreviousJobOutput(
                job_name_prefix=previous.name,  # its jobs' name prefix: the name is chosen at deploy
                label_attribute_name=previous.effective_label_attribute_name,
                labels=previous.effective_labels,
                task_type=previous.task_type,
                auto_labeling=previous.auto_labeling is not None,
            )
        return data.job_input(input_bucket, self.task_type)

    def job_settings(
        self, input_bucket: s3.IBucket, *, key_arn: str | None = None, previous_job: LabelingJob | None = None
    ) -> JobSettings:
        """The job's settings, with the data in ``input_bucket`` (the stack's input bucket).

        ``key_arn`` is the project's KMS key (``encryption: kms``: the key the stack creates; default: the
        ARN the file gives, or for a new key an unresolved value). ``previous_job``: see :meth:`job_input`.
        Labels and the reviewed label attribute name of a review job default to the previous job's.
        """
        if key_arn is None:
            key_arn = self.encryption.kms_key_arn or (cdk.Aws.NO_VALUE if self.encryption.new_key else None)
        job_input = self.job_input(input_bucket, previous_job=previous_job)
        labels, reviewed = self.labels, self.reviewed_label_attribute_name
        if isinstance(job_input, PreviousJobOutput):
            labels, reviewed = job_input.review_defaults(self.task_type, labels, reviewed)
        return JobSettings(
            task_type=self.task_type,
            workforce=self.workforce,
            input=job_input,
            labels=tuple(labels),
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
            reviewed_label_attribute_name=reviewed,
            ui_template=None,
            pre_annotation_lambda_arn=None,
            annotation_consolidation_lambda_arn=None,
            tags=dict(self.tags),
            auto_labeling=self._auto_labeling(job_input, key_arn),
            streaming=self.streaming,
            notifications=self.notifications,
            output_kms_key_arn=key_arn,
        )

    def _auto_labeling(self, job_input: object, key_arn: str | None) -> AutoLabeling | None:
        options = self.auto_labeling
        if options is None:
            return None
        model: str | PreviousJobOutput | None = options.initial_model
        if model == PREVIOUS_MODEL:
            model = job_input if isinstance(job_input, PreviousJobOutput) else None  # else: the loader's error
        volume_key = key_arn if options.volume_kms_key_arn == PROJECT_KEY else options.volume_kms_key_arn
        return AutoLabeling(initial_model=model, volume_kms_key_arn=volume_key, vpc=options.vpc)


def load_project(path: Path | str, *, workforce_file: Path | str | None = None) -> Project:
    """Load and check the project file at ``path``.

    Raises :class:`ProjectError` listing every problem (schema, synth rules, the team in
    ``workforce.yaml``). ``workforce_file`` defaults to the ``workforce.yaml`` in the project file's
    folder or the nearest folder above it; it is read only when the project names a private team. A
    project that follows another (``data.previous_project``) loads that project's file too, and its
    problems are listed as well.
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

    ``workforce.yaml`` is read once, and its own problems are listed once; so is each project file that
    another follows.
    """
    loader = _Loader(_Workforces(Path(workforce_file) if workforce_file is not None else None))
    projects = [loader.load(Path(path), str(path)) for path in paths]
    problems = loader.problems + loader.workforces.problems
    if problems:
        raise ProjectError(problems)
    return [project for project in projects if project is not None]


def chain(project: Project) -> list[Project]:
    """``project`` and the projects it follows (``data.previous_project``), the first of the chain first."""
    projects = [project]
    while projects[0].previous is not None:
        projects.insert(0, projects[0].previous)
    return projects


_CHECKER = SchemaChecker(PATTERN_MESSAGES)


class _Loader:
    """Loads project files, each once, with the projects they follow; collects every problem."""

    def __init__(self, workforces: _Workforces) -> None:
        self.workforces = workforces
        self.problems: list[Problem] = []
        self._loaded: dict[Path, Project | None] = {}
        #: The files being loaded: a project, the project it follows, ... (to find circles).
        self._loading: list[tuple[Path, str]] = []
        #: Files in a circle of projects following each other → the circle, as the error shows it.
        self._circles: dict[Path, str] = {}

    def load(self, path: Path, file: str) -> Project | None:
        """The project at ``path``, or ``None`` when it has problems (recorded in :attr:`problems`)."""
        key = path.resolve()
        if key not in self._loaded:
            self._loading.append((key, path.stem))
            try:
                self._loaded[key] = self._load(path, file)
            except ProjectError as error:
                self._loaded[key] = None
                self.problems += error.problems
            finally:
                self._loading.pop()
        return self._loaded[key]

    def _load(self, path: Path, file: str) -> Project:
        document = read_yaml(path)
        problems: list[Problem] = []
        valid_name = re.match(PROJECT_NAME_PATTERN, path.stem) is not None
        if not valid_name:
            problems.append(Problem(file, 1, "(file name)", f"got {path.stem!r}; {PROJECT_NAME_RULE}"))
        schema_problems = [document.problem(p, m) for p, m in _CHECKER.check(document.value, PROJECT_SCHEMA)]
        if not schema_problems:
            schema_problems = _required_problems(document)
        if schema_problems:
            raise ProjectError(problems + schema_problems)
        project = _project(document, path.stem if valid_name else "project", file)
        if project.team is not None:
            problems += _team_problems(project, document, self.workforces.for_project(path))
        problems += _option_problems(project, document)
        if isinstance(project.data, PreviousProjectData):
            previous, chain_problems = self._previous(path, project, document)
            problems += chain_problems
            if previous is None:
                raise ProjectError(problems)  # the synth rules need the previous project
            project = dataclasses.replace(project, previous=previous)
        problems += _synth_rule_problems(project, document)
        if problems:
            raise ProjectError(problems)
        return project

    def _previous(self, path: Path, project: Project, document: YamlDocument) -> tuple[Project | None, list[Problem]]:
        """The project ``data.previous_project`` names, loaded; or ``None`` and why not."""
        assert isinstance(project.data, PreviousProjectData)
        name = project.data.project
        where = ("data", "previous_project")
        got = f"got {name!r}"
        folder = path.parent
        previous_path = folder / f"{name}.yaml"
        if not previous_path.is_file():
            names = sorted(f.stem for f in folder.glob("*.yaml") if f.resolve() != path.resolve())
            return None, [
                document.problem(
                    where,
                    f"{got}; there is no {previous_path} (the other projects in {folder}: {', '.join(names) or 'none'})"
                    f"{did_you_mean(name, names)}",
                )
            ]
        key = previous_path.resolve()
        keys = [loading for loading, _ in self._loading]
        previous = None
        if key in keys:
            names = [stem for _, stem in self._loading[keys.index(key) :]] + [name]
            circle = " → ".join(names)
            for member in keys[keys.index(key) :]:
                self._circles[member] = circle
        else:
            previous = self.load(previous_path, str(previous_path))
        in_circle = self._circles.get(path.resolve())
        if in_circle is not None:
            message = (
                "a project cannot follow itself"
                if len(set(in_circle.split(" → "))) == 1
                else f"the projects follow each other in a circle ({in_circle}), so none would ever start"
            )
            return None, [document.problem(where, f"{got}; {message}: the first project of a chain follows none")]
        if previous is None:
            return None, [document.problem(where, f"{got}; {previous_path} has problems (listed with it): fix them")]
        if (previous.region, previous.account) != (project.region, project.account):
            return None, [
                document.problem(
                    where,
                    f"{got}; it deploys to {_environment_text(previous)}, this project to "
                    f"{_environment_text(project)}: a project follows only a project of the same region and account "
                    "(the job names pass between their stacks)",
                )
            ]
        if previous.streaming is not None:
            return None, [
                document.problem(
                    where,
                    f"{got}; it is a streaming job, which runs until it is stopped and never completes: follow a job "
                    "that completes",
                )
            ]
        return previous, []


def _environment_text(project: Project) -> str:
    region = project.region or "no region (region-agnostic)"
    return f"{region}, account {project.account or 'of the credentials'}"


def _required_problems(document: YamlDocument) -> list[Problem]:
    """``labels`` and ``data``: required, except for review jobs of a previous job and streaming jobs."""
    value: dict[str, Any] = document.value
    problems = []
    properties = PROJECT_SCHEMA["properties"]
    data = value.get("data") or {}
    follows = "previous_project" in data or "previous_job" in data
    if "labels" not in value and not (follows and TaskType(value["task_type"]).spec.reviews_labels):
        problems.append(
            document.problem(
                ("labels",),
                f"missing; required: {_first_sentence(properties['labels'])} (a verification or adjustment job "
                "that follows a previous job may leave it out: it reviews that job's labels)",
            )
        )
    if "data" not in value and "streaming" not in value:
        problems.append(
            document.problem(
                ("data",),
                f"missing; required: {_first_sentence(properties['data'])} (only a streaming job may leave it out)",
            )
        )
    return problems


def _first_sentence(schema: Mapping[str, Any]) -> str:
    text = str(schema["description"]).split(". ")[0].rstrip(".")
    return text[:1].lower() + text[1:]


def _option_problems(project: Project, document: YamlDocument) -> list[Problem]:
    """The rules between the file's options that the library cannot see (it gets resolved values)."""
    problems = []
    options = project.auto_labeling
    if options is not None and options.volume_kms_key_arn == PROJECT_KEY and not project.encryption.customer_key:
        problems.append(
            document.problem(
                ("auto_labeling", "volume_kms_key_arn"),
                f"got {PROJECT_KEY!r}; the project's own key needs encryption: kms or {{kms_key_arn: ...}} "
                f"(encryption is {project.encryption.name}), or give a key ARN",
            )
        )
    if options is not None and options.initial_model == PREVIOUS_MODEL and project.follows is None:
        problems.append(
            document.problem(
                ("auto_labeling", "initial_model"),
                f"got {PREVIOUS_MODEL!r}; that is the final model of the job this project follows: set "
                "data.previous_project or data.previous_job, or give a model ARN",
            )
        )
    if project.streaming is not None and project.streaming_prefix is not None and project.data is not None:
        problems.append(
            document.problem(
                ("streaming", "prefix"),
                f"got {project.streaming_prefix!r}; with data, uploads are labeled under the data's prefix: give the "
                "prefix once, as data.prefix",
            )
        )
    if project.streaming is not None and project.streaming.s3_events and project.input_bucket_name is not None:
        problems.append(
            document.problem(
                ("streaming", "s3_events"),
                f"got true; S3 events come from the project's own input bucket, and the data is in "
                f"{project.input_bucket_name}: leave data.bucket out (or send that bucket's events to "
                "streaming.input_topic_arn yourself)",
            )
        )
    return problems


def _project(document: YamlDocument, name: str, file: str) -> Project:
    """The project a schema-valid document declares."""
    value: dict[str, Any] = document.value
    conditions = value.get("stopping_conditions")
    output = value.get("output") or {}
    streaming = value.get("streaming")
    notifications = value.get("notifications")
    return Project(
        name=name,
        file=file,
        task_type=TaskType(value["task_type"]),
        labels=tuple(value.get("labels", ())),
        instructions=Instructions(short=value["instructions"]["short"], full=value["instructions"]["full"]),
        title=value["title"],
        description=value["description"],
        data=_data(value["data"]) if "data" in value else None,
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
        auto_labeling=_auto_labeling(value.get("auto_labeling", False)),
        encryption=_encryption(value.get("encryption", S3_MANAGED)),
        streaming=Streaming(
            input_topic_arn=streaming.get("input_topic_arn"),
            s3_events=streaming.get("s3_events", False),
            output_topic=streaming.get("output_topic", False),
        )
        if streaming is not None
        else None,
        streaming_prefix=streaming.get("prefix") if streaming is not None else None,
        notifications=Notifications(
            emails=tuple(notifications.get("emails", ())), topic_arn=notifications.get("topic_arn")
        )
        if notifications is not None
        else None,
        lines={path[0]: line for path, line in document.lines.items() if len(path) == 1 and isinstance(path[0], str)},
    )


def _auto_labeling(value: bool | Mapping[str, Any]) -> AutoLabelingOptions | None:
    if value is False:
        return None
    if value is True:
        return AutoLabelingOptions()
    vpc = value.get("vpc")
    return AutoLabelingOptions(
        initial_model=value.get("initial_model"),
        volume_kms_key_arn=value.get("volume_kms_key_arn"),
        vpc=AutoLabelingVpc(subnet_ids=tuple(vpc["subnet_ids"]), security_group_ids=tuple(vpc["security_group_ids"]))
        if vpc is not None
        else None,
    )


def _encryption(value: str | Mapping[str, Any]) -> Encryption:
    if isinstance(value, str):
        return Encryption(new_key=value == NEW_KEY)
    return Encryption(kms_key_arn=value["kms_key_arn"])


def _data(data: Mapping[str, Any]) -> ProjectData:
    if "previous_project" in data:
        return PreviousProjectData(data["previous_project"])
    if "previous_job" in data:
        job = data["previous_job"]
        return PreviousJobData(
            job["name"],
            label_attribute_name=job.get("label_attribute_name"),
            task_type=TaskType(job["task_type"]) if "task_type" in job else None,
            labels=tuple(job["labels"]) if "labels" in job else None,
            output=job["output"],
            data=job["data"],
            kms_key_arn=job.get("kms_key_arn"),
        )
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
    "input.job_name": (("data", "previous_job", "name"), ("data",)),
    "input.job_name_prefix": (("data", "previous_project"), ("data",)),
    "input.read_uris": (("data", "previous_job"), ("data",)),
    "streaming.s3_events": (("streaming", "s3_events"), ("streaming",)),
    "input": (("data",),),
    "auto_labeling": (("auto_labeling",),),
    "output_kms_key_arn": (("encryption", "kms_key_arn"), ("encryption",)),
}
#: Fields whose problems name one item: the item's line.
_LISTS = (
    "labels",
    "task_keywords",
    "tags",
    "notifications.emails",
    "auto_labeling.vpc.subnet_ids",
    "auto_labeling.vpc.security_group_ids",
)
_DURATIONS = {"task_time_limit": "task_time", "task_availability_lifetime": "expiry"}
_SUBSCRIPT = re.compile(r"^(?P<base>[a-z_.]+)\[(?P<index>[^]]+)\]$")


def _synth_rule_problems(project: Project, document: YamlDocument) -> list[Problem]:
    """``JobSettings.check`` on the project, each problem placed at the line of its YAML field."""
    scratch = cdk.Stack(cdk.App(), "ProjectCheck")
    bucket = s3.Bucket.from_bucket_name(scratch, "Input", project.input_bucket_name or "project-input-bucket")
    recorder = _Recorder()
    project.job_settings(bucket).check(recorder, region=project.region or cdk.Aws.REGION)
    streaming = project.streaming
    own_bucket = project.input_bucket_name is None  # else: its own problem (S3 events need the project's bucket)
    if streaming is not None and streaming.s3_events and streaming.input_topic_arn is None and own_bucket:
        check_s3_event_prefix(recorder, project.input_prefix, DEFAULT_ARTIFACTS_PREFIX)
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
    elif isinstance(value, str) and name in _LISTS:
        items = document.get(path)
        if isinstance(items, list) and value in items:
            path = (*path, len(items) - 1 - items[::-1].index(value))  # the last one: a duplicate's second
        elif isinstance(items, dict) and value in items:
            path = (*path, value)
    line_path = next((c for c in (path, *candidates) if document.has(c)), candidates[-1])
    return path, line_path
