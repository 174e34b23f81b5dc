"""What a labeling job is, as plain values: checked at synth and turned into the CreateLabelingJob request.

:class:`JobSettings` holds every choice of a job with its defaults applied. ``check`` applies every
rule knowable before deploy (no construct needed, so project files and the CLI use it too);
``request`` and ``resource_properties`` build what the ``Custom::LabelingJob`` resource carries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from groundtruth_cdk import regions, ui_templates
from groundtruth_cdk.inputs import AUTO_LABELING_OBJECTS, InlineManifest, ManifestInput, PreviousJobOutput, S3Data
from groundtruth_cdk.task_types import (
    MAX_PRIVATE_AVAILABILITY_SECONDS,
    MAX_PUBLIC_AVAILABILITY_SECONDS,
    Media,
    RefSuffix,
    TaskType,
    TaskTypeSpec,
    UiKind,
)
from groundtruth_cdk.validation import (
    MAX_CONCURRENT_TASKS,
    MAX_JOB_NAME_PREFIX,
    MAX_WORKERS_PER_OBJECT,
    MIN_AVAILABILITY_SECONDS,
    MIN_TASK_TIME_SECONDS,
    Problems,
    is_token,
)
from groundtruth_cdk.workforce import Workforce, WorkforceType

if TYPE_CHECKING:
    from groundtruth_cdk.labeling_job import LabelingJob

#: ``MaxConcurrentTaskCount`` when none is given (the API's default).
DEFAULT_MAX_CONCURRENT_TASKS = 1000


class ContentClassifier(Enum):
    """What you declare about your data (``InputConfig.DataAttributes.ContentClassifiers``)."""

    FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION = "FreeOfPersonallyIdentifiableInformation"
    FREE_OF_ADULT_CONTENT = "FreeOfAdultContent"


@dataclass(frozen=True)
class Instructions:
    """What workers read: a short instruction beside the task and a full one behind a link (HTML)."""

    short: str
    full: str


@dataclass(frozen=True)
class StoppingConditions:
    """When Ground Truth stops the job early. Unset fields impose no limit."""

    max_human_labeled_objects: int | None = None
    max_percentage_labeled: int | None = None


MIN_AUTO_LABELING_OBJECTS = AUTO_LABELING_OBJECTS[0]
_MODEL_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:model/.+$")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$")
_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_.-]{1,256}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Task types whose data object is one file, so that an S3 object-created event is a whole data object.
S3_EVENT_MEDIA = frozenset({Media.IMAGE, Media.VIDEO_CLIP, Media.CUSTOM})
#: ``VpcConfig`` limits of the SageMaker API.
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
#: What an e-mail subscription of a notification topic can take, to keep topics reviewable.
MAX_NOTIFICATION_EMAILS = 20


@dataclass(frozen=True)
class AutoLabelingVpc:
    """Where automated data labeling runs its training and inference jobs: your VPC's subnets.

    The subnets need a route to S3 (an S3 gateway endpoint, or NAT): the jobs read the data and write
    the model there. The role gets the EC2 network-interface permissions these jobs need, limited to
    these subnets and security groups.

    Args:
        subnet_ids: 1-16 private subnets (``subnet-...``).
        security_group_ids: 1-5 security groups (``sg-...``) for the jobs' network interfaces.
    """

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]

    @classmethod
    def from_constructs(
        cls, *, subnets: Sequence[ec2.ISubnet], security_groups: Sequence[ec2.ISecurityGroup]
    ) -> AutoLabelingVpc:
        """The IDs of ``subnets`` (e.g. ``vpc.private_subnets``) and ``security_groups``."""
        return cls(
            subnet_ids=tuple(subnet.subnet_id for subnet in subnets),
            security_group_ids=tuple(group.security_group_id for group in security_groups),
        )

    def check(self, problems: Problems) -> None:
        """Counts and ID shapes (tokens are accepted as they are)."""
        for field, ids, pattern, high, example in (
            ("auto_labeling.vpc.subnet_ids", self.subnet_ids, _SUBNET_ID, MAX_SUBNETS, "subnet-0123456789abcdef0"),
            (
                "auto_labeling.vpc.security_group_ids",
                self.security_group_ids,
                _SECURITY_GROUP_ID,
                MAX_SECURITY_GROUPS,
                "sg-0123456789abcdef0",
            ),
        ):
            if not is_token(list(ids)) and not 1 <= len(ids) <= high:
                problems.add(field, f"{len(ids)} IDs", f"give 1-{high}")
            for value in ids:
                if not is_token(value) and not pattern.match(value):
                    problems.add(field, value, f"an ID like {example}")
            if len(set(ids)) != len(ids):
                problems.add(field, list(ids), "IDs must be unique")

    def request(self) -> dict[str, list[str]]:
        """``VpcConfig`` of the request."""
        return {"SecurityGroupIds": list(self.security_group_ids), "Subnets": list(self.subnet_ids)}


@dataclass(frozen=True)
class AutoLabeling:
    """Automated data labeling (active learning): a model labels the objects it is confident about.

    Ground Truth trains and runs the model on ML instances it manages and bills (training and batch
    inference, on top of the per-object labeling price), and sends the rest to people. Only bounding
    box, image single-label, semantic segmentation and text single-label task types have it, never a
    streaming job; a job needs at least 1,250 objects (5,000 recommended; checked at deploy).

    Args:
        initial_model: start from the model an earlier job trained (its ``FinalActiveLearningModelArn``):
            a model ARN, or that ``LabelingJob`` (or ``PreviousJobOutput`` of it): the job then starts
            when that job completes, like a chained job. Default: train from scratch.
        volume_kms_key_arn: the KMS key (ARN) that encrypts the training and inference instances'
            storage volumes. The role may use it and create grants on it. Default: AWS managed encryption.
        vpc: run the training and inference jobs in your VPC (:class:`AutoLabelingVpc`). Default: in
            SageMaker's network.
    """

    initial_model: str | PreviousJobOutput | LabelingJob | None = None
    volume_kms_key_arn: str | None = None
    vpc: AutoLabelingVpc | None = None

    @property
    def initial_model_arn(self) -> str | None:
        """The initial model's ARN when given as one (``None`` when it comes from an earlier job)."""
        return self.initial_model if isinstance(self.initial_model, str) else None


@dataclass(frozen=True)
class Streaming:
    """A streaming labeling job: data objects arrive on an SNS topic while the job runs, until it is stopped.

    Ground Truth subscribes an SQS queue it creates (``GroundTruth-<job name>``) to the input topic and
    sends each object to workers as it arrives; the job has no end of its own (it stops after 10 days
    without objects, or when you stop it or delete the stack). Ground Truth does not delete that queue:
    delete it yourself after the job (the stack's ``StreamingQueueName`` output names it). No stopping
    conditions and no automated data labeling.

    Args:
        input_topic_arn: an existing SNS topic to take data objects from (one JSON manifest line per
            message, or S3 event notifications). Default: a new topic encrypted with a new KMS key.
        s3_events: send an event for every object created under the input prefix of the input bucket
            to the input topic, so uploads are labeled as they arrive. The input bucket must be one the
            stack creates, and the task type not a text one (Ground Truth cannot read text from S3
            events). Default ``False``.
        output_topic: where Ground Truth publishes each labeled object: ``True`` for a new encrypted
            topic, or an existing topic's ARN. Default: none.
    """

    input_topic_arn: str | None = None
    s3_events: bool = False
    output_topic: bool | str = False

    @property
    def output_topic_arn(self) -> str | None:
        """The existing output topic's ARN, if one was given."""
        return self.output_topic if isinstance(self.output_topic, str) else None


@dataclass(frozen=True)
class Notifications:
    """Tell people when the job changes status (started, completed, failed, stopped).

    An EventBridge rule on the job's "SageMaker Ground Truth Labeling Job State Change" events
    publishes a one-line message to an SNS topic; each e-mail address gets a subscription (AWS asks
    each to confirm it).

    Args:
        emails: who to e-mail, at most 20, each subscribed once. Default none (subscribe to the topic
            yourself).
        topic_arn: an existing topic of the account to publish to. EventBridge publishes with a role of
            the job's that may publish to it. Default: a new topic encrypted with a new KMS key.
        topic_key_arn: the KMS key an existing topic is encrypted with (the role may then use it). Default:
            the topic is not encrypted with a customer managed key.
    """

    emails: tuple[str, ...] = ()
    topic_arn: str | None = None
    topic_key_arn: str | None = None

    def check(self, problems: Problems) -> None:
        """E-mail addresses and the topic ARN."""
        if len(self.emails) > MAX_NOTIFICATION_EMAILS:
            problems.add("notifications.emails", f"{len(self.emails)} addresses", f"at most {MAX_NOTIFICATION_EMAILS}")
        for email in self.emails:
            if not is_token(email) and not _EMAIL.match(email):
                problems.add("notifications.emails", email, "an e-mail address like labeling-team@example.com")
        _check_arn(problems, "notifications.topic_arn", self.topic_arn, _SNS_TOPIC_ARN, "an SNS topic ARN")
        _check_arn(problems, "notifications.topic_key_arn", self.topic_key_arn, _KMS_KEY_ARN, "a KMS key ARN")
        if self.topic_key_arn is not None and self.topic_arn is None:
            problems.add(
                "notifications.topic_key_arn", self.topic_key_arn, "only with topic_arn (a new topic has its key)"
            )


def check_s3_event_prefix(problems: Problems, input_prefix: str, artifacts_prefix: str) -> None:
    """S3 events send every object created under the input prefix to workers: it must be a prefix of its own,
    apart from the job inputs the deploy writes under ``artifacts_prefix``."""
    if is_token(input_prefix) or is_token(artifacts_prefix):
        return
    if artifacts_prefix.startswith(input_prefix) or input_prefix.startswith(artifacts_prefix):
        problems.add(
            "streaming.s3_events",
            f"input prefix {input_prefix or '(none: the whole bucket)'}",
            "every object created under the input prefix is sent to workers: use an input prefix of its own "
            f"(e.g. incoming/), apart from the job inputs the deploy writes under {artifacts_prefix}",
        )


def _check_arn(problems: Problems, field: str, value: str | None, pattern: re.Pattern[str], what: str) -> None:
    if value is not None and not is_token(value) and not pattern.match(value):
        example = {
            _SNS_TOPIC_ARN: "arn:aws:sns:<region>:<account>:<name>",
            _KMS_KEY_ARN: "arn:aws:kms:<region>:<account>:key/<key id>",
            _MODEL_ARN: "arn:aws:sagemaker:<region>:<account>:model/<name>",
        }[pattern]
        problems.add(field, value, f"{what} like {example}")


def default_label_attribute_name(task_type: TaskType) -> str:
    """The task type's name, with ``-ref`` where the task type requires it."""
    suffix = "-ref" if task_type.spec.label_attribute_ref is RefSuffix.REQUIRED else ""
    return f"{task_type.value}{suffix}"


@dataclass(frozen=True)
class JobSettings:
    """Every choice of one labeling job, defaults applied (see ``LabelingJob`` for each field)."""

    task_type: TaskType
    workforce: Workforce
    input: S3Data | ManifestInput | InlineManifest | PreviousJobOutput | None
    labels: tuple[str, ...]
    instructions: Instructions
    task_title: str
    task_description: str
    task_keywords: tuple[str, ...]
    header: str | None
    label_attribute_name: str
    job_name_prefix: str
    workers_per_object: int
    task_time_seconds: int
    availability_seconds: int
    max_concurrent_task_count: int | None
    stopping_conditions: StoppingConditions | None
    content_classifiers: tuple[ContentClassifier, ...]
    reviewed_label_attribute_name: str | None
    ui_template: str | None
    pre_annotation_lambda_arn: str | None
    annotation_consolidation_lambda_arn: str | None
    tags: Mapping[str, str]
    auto_labeling: AutoLabeling | None = None
    streaming: Streaming | None = None
    notifications: Notifications | None = None
    output_kms_key_arn: str | None = None

    @property
    def spec(self) -> TaskTypeSpec:
        """The task type's catalogue row."""
        return self.task_type.spec

    @property
    def follows(self) -> PreviousJobOutput | None:
        """The earlier job this job waits for: the one whose output it labels, or whose model it starts from."""
        if isinstance(self.input, PreviousJobOutput):
            return self.input
        model = self.auto_labeling.initial_model if self.auto_labeling is not None else None
        return model if isinstance(model, PreviousJobOutput) else None

    @property
    def public(self) -> bool:
        """Whether Mechanical Turk workers label the data."""
        return self.workforce.type is WorkforceType.PUBLIC

    @property
    def custom_lambda_arns(self) -> list[str]:
        """The user's own pre-annotation and consolidation Lambdas (custom task types)."""
        return [a for a in (self.pre_annotation_lambda_arn, self.annotation_consolidation_lambda_arn) if a]

    # -- rules -------------------------------------------------------------------------------------

    def check(self, problems: Problems, *, region: str) -> None:
        """Add every problem knowable before deploy for a job in ``region`` (a token: any region)."""
        spec = self.spec
        if not regions.is_supported_region(region) and spec.lambda_suffix is not None:
            problems.add("region", region, regions.SUPPORTED_REGIONS_TEXT)
        problems.check_name("job_name_prefix", self.job_name_prefix, max_length=MAX_JOB_NAME_PREFIX)
        if not is_token(self.job_name_prefix) and self.job_name_prefix != self.job_name_prefix.lower():
            problems.add("job_name_prefix", self.job_name_prefix, "must be lowercase (job names are case-insensitive)")
        problems.check_label_attribute_name(
            self.label_attribute_name, spec, reviewed=self.reviewed_label_attribute_name
        )
        problems.check_labels(self.labels, spec)
        problems.check_title(self.task_title)
        problems.check_description(self.task_description)
        problems.check_keywords(self.task_keywords)
        problems.check_range("workers_per_object", self.workers_per_object, 1, MAX_WORKERS_PER_OBJECT)
        problems.check_range(
            "task_time_limit", self.task_time_seconds, MIN_TASK_TIME_SECONDS, spec.max_task_time_seconds, " seconds"
        )
        problems.check_range(
            "task_availability_lifetime",
            self.availability_seconds,
            MIN_AVAILABILITY_SECONDS,
            MAX_PUBLIC_AVAILABILITY_SECONDS if self.public else MAX_PRIVATE_AVAILABILITY_SECONDS,
            f" seconds for a {self.workforce.type.value} workforce",
        )
        problems.check_range("max_concurrent_task_count", self.max_concurrent_task_count, 1, MAX_CONCURRENT_TASKS)
        if self.stopping_conditions is not None:
            conditions = self.stopping_conditions
            problems.check_range(
                "stopping_conditions.max_human_labeled_objects", conditions.max_human_labeled_objects, 1, None
            )
            problems.check_range(
                "stopping_conditions.max_percentage_labeled", conditions.max_percentage_labeled, 1, 100
            )
        problems.check_tags(self.tags)
        self._check_workforce(problems)
        self._check_review(problems)
        self._check_ui_and_lambdas(problems)
        self._check_auto_labeling(problems)
        self._check_streaming(problems)
        follows = self.follows
        if follows is not None and follows.job_name_prefix == self.job_name_prefix:
            problems.add(
                "job_name_prefix",
                self.job_name_prefix,
                "a job that follows another needs a name prefix of its own: with the earlier job's, it would "
                "find its own jobs as the earlier one's",
            )
        _check_arn(problems, "output_kms_key_arn", self.output_kms_key_arn, _KMS_KEY_ARN, "a KMS key ARN")
        if self.notifications is not None:
            self.notifications.check(problems)
        if isinstance(self.input, InlineManifest):
            self.input.check(problems, spec.manifest_keys)
        elif isinstance(self.input, S3Data):
            self.input.check(problems, spec)
        elif isinstance(self.input, PreviousJobOutput):
            self.input.check(problems, self.task_type)
        elif isinstance(self.input, ManifestInput):
            self.input.check(problems)
        elif self.streaming is None:
            problems.add(
                "input",
                None,
                "give the data (S3Data, ManifestInput, InlineManifest or PreviousJobOutput); only a streaming job "
                "may start without any",
            )

    def _check_workforce(self, problems: Problems) -> None:
        workforce, spec = self.workforce, self.spec
        team_problem = workforce.workteam_arn_problem()
        if team_problem is not None:
            field = "workforce.team_name" if workforce.team_name is not None else "workforce.workteam_arn"
            problems.add(field, workforce.team_name or workforce.workteam_arn, team_problem)
        if not self.public:
            return
        if not spec.mechanical_turk:
            problems.add(
                "workforce",
                "Mechanical Turk",
                f"{spec.title} jobs need a private or vendor workforce (Mechanical Turk cannot take them)",
            )
        else:
            assert workforce.price_usd is not None
            problems.check_price(workforce.price_usd, spec)
        if ContentClassifier.FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION not in self.content_classifiers:
            problems.add(
                "content_classifiers",
                [c.value for c in self.content_classifiers],
                "Mechanical Turk jobs must declare FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION",
            )

    def _check_review(self, problems: Problems) -> None:
        spec, reviewed = self.spec, self.reviewed_label_attribute_name
        if spec.reviews_labels and reviewed is None:
            problems.add(
                "reviewed_label_attribute_name",
                None,
                f"{spec.title} jobs need the label attribute name of the job whose labels they review",
            )
        if not spec.reviews_labels and reviewed is not None:
            problems.add(
                "reviewed_label_attribute_name",
                reviewed,
                f"only verification and adjustment task types review earlier labels, not {spec.title}",
            )

    def _check_auto_labeling(self, problems: Problems) -> None:
        if self.auto_labeling is None:
            return
        spec, auto_labeling = self.spec, self.auto_labeling
        if not spec.auto_labeling:
            available = ", ".join(t.value for t in TaskType if t.spec.auto_labeling)
            problems.add("auto_labeling", spec.title, f"automated data labeling is available for {available} only")
        if isinstance(self.input, InlineManifest) and len(self.input.objects) < MIN_AUTO_LABELING_OBJECTS:
            problems.add(
                "auto_labeling",
                f"{len(self.input.objects)} objects",
                f"automated data labeling needs at least {MIN_AUTO_LABELING_OBJECTS} data objects, more than "
                "objects given in code can hold: put the data in S3 (S3Data or ManifestInput)",
            )
        model = auto_labeling.initial_model
        if isinstance(model, PreviousJobOutput):
            if model.auto_labeling is False:
                problems.add(
                    "auto_labeling.initial_model",
                    model.reference,
                    "that job used no automated data labeling, so it trained no model to start from",
                )
            if isinstance(self.input, PreviousJobOutput) and model.reference != self.input.reference:
                problems.add(
                    "auto_labeling.initial_model",
                    model.reference,
                    "a job can wait for one earlier job only: start from the model of the job whose output it labels",
                )
        elif isinstance(model, str):
            _check_arn(
                problems,
                "auto_labeling.initial_model",
                model,
                _MODEL_ARN,
                "a SageMaker model ARN (an earlier job's FinalActiveLearningModelArn)",
            )
        _check_arn(
            problems,
            "auto_labeling.volume_kms_key_arn",
            auto_labeling.volume_kms_key_arn,
            _KMS_KEY_ARN,
            "a KMS key ARN",
        )
        if auto_labeling.vpc is not None:
            auto_labeling.vpc.check(problems)

    def _check_streaming(self, problems: Problems) -> None:
        streaming = self.streaming
        if streaming is None:
            return
        why = "a streaming job runs until it is stopped"
        if self.stopping_conditions is not None:
            problems.add("stopping_conditions", "given", f"{why}: stopping conditions do not apply to it")
        if self.auto_labeling is not None:
            problems.add("auto_labeling", "given", f"{why}: automated data labeling is not available for it")
        if isinstance(self.input, PreviousJobOutput):
            problems.add(
                "input",
                f"the output of {self.input.reference}",
                "a streaming job takes its objects from its input topic; it cannot wait for another job",
            )
        if streaming.s3_events and self.spec.media is Media.TEXT:
            problems.add(
                "streaming.s3_events",
                True,
                f"{self.spec.title} jobs read text from the message itself; send JSON lines like "
                '{"source": "..."} to the input topic instead of S3 events',
            )
        elif streaming.s3_events and (self.spec.media not in S3_EVENT_MEDIA or self.spec.reviews_labels):
            problems.add(
                "streaming.s3_events",
                True,
                f"an S3 event names one uploaded file, but {self.spec.title} jobs need "
                + ("the earlier labels with it" if self.spec.reviews_labels else "a sequence or frame file per object")
                + ": send manifest lines to the input topic instead",
            )
        if streaming.s3_events and streaming.input_topic_arn is not None:
            problems.add(
                "streaming.s3_events",
                True,
                "S3 events go to the topic the job creates; with an existing input_topic_arn, send the bucket's "
                "events to that topic yourself",
            )
        _check_arn(problems, "streaming.input_topic_arn", streaming.input_topic_arn, _SNS_TOPIC_ARN, "an SNS topic ARN")
        _check_arn(problems, "streaming.output_topic", streaming.output_topic_arn, _SNS_TOPIC_ARN, "an SNS topic ARN")

    def _check_ui_and_lambdas(self, problems: Problems) -> None:
        spec = self.spec
        custom = spec.lambda_suffix is None
        for field, arn in (
            ("pre_annotation_lambda_arn", self.pre_annotation_lambda_arn),
            ("annotation_consolidation_lambda_arn", self.annotation_consolidation_lambda_arn),
        ):
            if custom and arn is None:
                problems.add(field, None, "a custom task type needs your Lambda's ARN")
            if not custom and arn is not None:
                problems.add(field, arn, f"{spec.title} jobs use Ground Truth's built-in Lambdas")
        if spec.ui is UiKind.CUSTOM_TEMPLATE and self.ui_template is None:
            problems.add("ui_template", None, "a custom task type needs your Liquid worker template")
        if spec.ui is UiKind.HUMAN_TASK_UI and self.ui_template is not None:
            problems.add("ui_template", "<template>", f"{spec.title} jobs use the AWS-hosted worker UI")

    # -- what the resource carries -------------------------------------------------------------------

    def request(
        self,
        scope: Construct,
        *,
        role_arn: str,
        output_path: str,
        input_topic_arn: str | None = None,
        output_topic_arn: str | None = None,
    ) -> dict[str, Any]:
        """The CreateLabelingJob request, without the values the deploy fills in (name suffix, URIs).

        ``input_topic_arn`` and ``output_topic_arn`` are a streaming job's topics (created or given).
        """
        data_source: dict[str, Any] = {}
        if self.input is not None:
            s3_source: dict[str, str] = {}
            if isinstance(self.input, ManifestInput) and self.data_setup() is None:
                s3_source["ManifestS3Uri"] = self.input.s3_uri
            data_source["S3DataSource"] = s3_source
        if input_topic_arn is not None:
            data_source["SnsDataSource"] = {"SnsTopicArn": input_topic_arn}
        input_config: dict[str, Any] = {"DataSource": data_source}
        if self.content_classifiers:
            input_config["DataAttributes"] = {"ContentClassifiers": sorted({c.value for c in self.content_classifiers})}
        output_config: dict[str, str] = {"S3OutputPath": output_path}
        if self.output_kms_key_arn is not None:
            output_config["KmsKeyId"] = self.output_kms_key_arn
        if output_topic_arn is not None:
            output_config["SnsTopicArn"] = output_topic_arn
        request: dict[str, Any] = {
            "LabelingJobName": self.job_name_prefix,
            "LabelAttributeName": self.label_attribute_name,
            "InputConfig": input_config,
            "OutputConfig": output_config,
            "RoleArn": role_arn,
            "HumanTaskConfig": self._human_task_config(scope),
        }
        if self.stopping_conditions is not None:
            conditions = {
                "MaxHumanLabeledObjectCount": self.stopping_conditions.max_human_labeled_objects,
                "MaxPercentageOfInputDatasetLabeled": self.stopping_conditions.max_percentage_labeled,
            }
            request["StoppingConditions"] = {k: v for k, v in conditions.items() if v is not None}
        if self.auto_labeling is not None and self.spec.auto_labeling_algorithm is not None:
            request["LabelingJobAlgorithmsConfig"] = self._algorithms_config(scope, self.auto_labeling)
        if self.tags:
            request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(self.tags.items())]
        return request

    def _algorithms_config(self, scope: Construct, auto_labeling: AutoLabeling) -> dict[str, Any]:
        assert self.spec.auto_labeling_algorithm is not None
        algorithms: dict[str, Any] = {
            "LabelingJobAlgorithmSpecificationArn": regions.auto_labeling_algorithm_arn(
                scope, self.spec.auto_labeling_algorithm
            )
        }
        if auto_labeling.initial_model_arn is not None:
            algorithms["InitialActiveLearningModelArn"] = auto_labeling.initial_model_arn
        resources: dict[str, Any] = {}
        if auto_labeling.volume_kms_key_arn is not None:
            resources["VolumeKmsKeyId"] = auto_labeling.volume_kms_key_arn
        if auto_labeling.vpc is not None:
            resources["VpcConfig"] = auto_labeling.vpc.request()
        if resources:
            algorithms["LabelingJobResourceConfig"] = resources
        return algorithms

    def _human_task_config(self, scope: Construct) -> dict[str, Any]:
        spec = self.spec
        if spec.lambda_suffix is None:
            assert self.pre_annotation_lambda_arn is not None
            assert self.annotation_consolidation_lambda_arn is not None
            pre_arn, acs_arn = self.pre_annotation_lambda_arn, self.annotation_consolidation_lambda_arn
        else:
            pre_arn, acs_arn = regions.built_in_lambda_arns(scope, spec.lambda_suffix)
        ui_config: dict[str, str] = {}
        if spec.human_task_ui is not None:
            ui_config["HumanTaskUiArn"] = regions.human_task_ui_arn(scope, spec.human_task_ui)
        human_task: dict[str, Any] = {
            "WorkteamArn": self.workforce.resolve_workteam_arn(scope),
            "UiConfig": ui_config,
            "PreHumanTaskLambdaArn": pre_arn,
            "TaskTitle": self.task_title,
            "TaskDescription": self.task_description,
            "NumberOfHumanWorkersPerDataObject": self.workers_per_object,
            "TaskTimeLimitInSeconds": self.task_time_seconds,
            "TaskAvailabilityLifetimeInSeconds": self.availability_seconds,
            "MaxConcurrentTaskCount": self.max_concurrent_task_count or DEFAULT_MAX_CONCURRENT_TASKS,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": acs_arn},
        }
        if self.task_keywords:
            human_task["TaskKeywords"] = list(self.task_keywords)
        if self.public:
            human_task["PublicWorkforceTaskPrice"] = {"AmountInUsd": self.workforce.amount_in_usd()}
        return human_task

    def worker_template(self) -> str | None:
        """The Liquid template the deploy uploads: yours, the generated one, or none (hosted UIs)."""
        if self.ui_template is not None or self.spec.ui is not UiKind.TEMPLATE:
            return self.ui_template
        return ui_templates.render(
            self.spec,
            header=self.header or self.task_description,
            short_instructions=self.instructions.short,
            full_instructions=self.instructions.full,
            reviewed_label_attribute_name=self.reviewed_label_attribute_name,
        )

    def label_category_config(self) -> dict[str, Any] | None:
        """The label category file (none for a custom task without labels)."""
        spec = self.spec
        if not self.labels and spec.media is Media.CUSTOM:
            return None
        version_key, version = spec.label_category_document
        document: dict[str, Any] = {version_key: version, "labels": [{"label": label} for label in self.labels]}
        if spec.ui is UiKind.HUMAN_TASK_UI:
            document["instructions"] = {
                "shortInstruction": self.instructions.short,
                "fullInstruction": self.instructions.full,
            }
        if spec.edits_allowed is not None:
            document["auditLabelAttributeName"] = self.reviewed_label_attribute_name
            document["editsAllowed"] = spec.edits_allowed
        return document

    def data_setup(self) -> dict[str, Any] | None:
        """What the deploy does to build the manifest (automated setup or a query), if anything."""
        if self.input is None or isinstance(self.input, (InlineManifest, PreviousJobOutput)):
            return None
        return self.input.data_setup(self.spec, auto_labeling=self.auto_labeling is not None)

    def resource_properties(
        self, stack: cdk.Stack, request: dict[str, Any], *, artifacts_uri: str, pending_request_uri: str | None = None
    ) -> dict[str, Any]:
        """The properties of the ``Custom::LabelingJob`` resource (``pending_request_uri``: where a chained
        job's prepared request waits for the earlier job; required when it follows one)."""
        properties: dict[str, Any] = {"LabelingJobRequest": request, "ArtifactsS3Uri": artifacts_uri}
        label_config = self.label_category_config()
        if label_config is not None:
            properties["LabelCategoryConfig"] = stack.to_json_string(label_config)
        template = self.worker_template()
        if template is not None:
            properties["UiTemplate"] = template
        if isinstance(self.input, InlineManifest):
            properties["ManifestLines"] = stack.to_json_string(list(self.input.objects))
        data_setup = self.data_setup()
        if data_setup is not None:
            properties["DataSetup"] = stack.to_json_string(data_setup)
        follows = self.follows
        if follows is not None:
            assert pending_request_uri is not None, "a chained job needs a pending request location"
            earlier = (
                {"LabelingJobName": follows.job_name}
                if follows.job_name is not None
                else {"LabelingJobNamePrefix": follows.job_name_prefix}
            )
            properties["FollowsJob"] = {
                **earlier,
                "UseOutputManifest": isinstance(self.input, PreviousJobOutput),
                "UseFinalModel": self.auto_labeling is not None
                and isinstance(self.auto_labeling.initial_model, PreviousJobOutput),
            }
            properties["PendingRequestS3Uri"] = pending_request_uri
        return properties
