"""What a labeling job is, as plain values: checked at synth and turned into the CreateLabelingJob request.

:class:`JobSettings` holds every choice of a job with its defaults applied. ``check`` applies every
rule knowable before deploy (no construct needed, so project files and the CLI use it too);
``request`` and ``resource_properties`` build what the ``Custom::LabelingJob`` resource carries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from groundtruth_cdk import regions, ui_templates
from groundtruth_cdk.inputs import AUTO_LABELING_OBJECTS, InlineManifest, ManifestInput, S3Data
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


@dataclass(frozen=True)
class AutoLabeling:
    """Automated data labeling (active learning): a model labels the objects it is confident about.

    Ground Truth trains and runs the model on instances it manages and bills (training and inference),
    and sends the rest to people. Only bounding box, image single-label, semantic segmentation and text
    single-label task types have it; a job needs at least 1,250 objects (5,000 recommended).

    Args:
        initial_model_arn: start from the model of an earlier job (its ``FinalActiveLearningModelArn``).
            Default: train from scratch.
    """

    initial_model_arn: str | None = None


def default_label_attribute_name(task_type: TaskType) -> str:
    """The task type's name, with ``-ref`` where the task type requires it."""
    suffix = "-ref" if task_type.spec.label_attribute_ref is RefSuffix.REQUIRED else ""
    return f"{task_type.value}{suffix}"


@dataclass(frozen=True)
class JobSettings:
    """Every choice of one labeling job, defaults applied (see ``LabelingJob`` for each field)."""

    task_type: TaskType
    workforce: Workforce
    input: S3Data | ManifestInput | InlineManifest
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

    @property
    def spec(self) -> TaskTypeSpec:
        """The task type's catalogue row."""
        return self.task_type.spec

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
        if isinstance(self.input, InlineManifest):
            self.input.check(problems, spec.manifest_keys)
        elif isinstance(self.input, S3Data):
            self.input.check(problems, spec)
        else:
            self.input.check(problems)

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
        spec = self.spec
        if not spec.auto_labeling:
            available = ", ".join(t.value for t in TaskType if t.spec.auto_labeling)
            problems.add("auto_labeling", spec.title, f"automated data labeling is available for {available} only")
        if isinstance(self.input, InlineManifest) and len(self.input.objects) < MIN_AUTO_LABELING_OBJECTS:
            problems.add(
                "auto_labeling",
                f"{len(self.input.objects)} objects",
                f"automated data labeling needs at least {MIN_AUTO_LABELING_OBJECTS} data objects",
            )
        model = self.auto_labeling.initial_model_arn
        if model is not None and not is_token(model) and not _MODEL_ARN.match(model):
            problems.add(
                "auto_labeling.initial_model_arn",
                model,
                "a SageMaker model ARN like arn:aws:sagemaker:<region>:<account>:model/<name> "
                "(an earlier job's FinalActiveLearningModelArn)",
            )

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

    def request(self, scope: Construct, *, role_arn: str, output_path: str) -> dict[str, Any]:
        """The CreateLabelingJob request, without the values the deploy fills in (name suffix, URIs)."""
        s3_source: dict[str, str] = {}
        if isinstance(self.input, ManifestInput) and self.data_setup() is None:
            s3_source["ManifestS3Uri"] = self.input.s3_uri
        input_config: dict[str, Any] = {"DataSource": {"S3DataSource": s3_source}}
        if self.content_classifiers:
            input_config["DataAttributes"] = {"ContentClassifiers": sorted({c.value for c in self.content_classifiers})}
        request: dict[str, Any] = {
            "LabelingJobName": self.job_name_prefix,
            "LabelAttributeName": self.label_attribute_name,
            "InputConfig": input_config,
            "OutputConfig": {"S3OutputPath": output_path},
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
            algorithms: dict[str, Any] = {
                "LabelingJobAlgorithmSpecificationArn": regions.auto_labeling_algorithm_arn(
                    scope, self.spec.auto_labeling_algorithm
                )
            }
            if self.auto_labeling.initial_model_arn is not None:
                algorithms["InitialActiveLearningModelArn"] = self.auto_labeling.initial_model_arn
            request["LabelingJobAlgorithmsConfig"] = algorithms
        if self.tags:
            request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(self.tags.items())]
        return request

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
        if isinstance(self.input, InlineManifest):
            return None
        return self.input.data_setup(self.spec, auto_labeling=self.auto_labeling is not None)

    def resource_properties(self, stack: cdk.Stack, request: dict[str, Any], *, artifacts_uri: str) -> dict[str, Any]:
        """The properties of the ``Custom::LabelingJob`` resource."""
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
        return properties
