"""``LabelingJob``: a SageMaker Ground Truth labeling job as a CloudFormation custom resource."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from groundtruth_cdk import regions, ui_templates
from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.inputs import InlineManifest, ManifestInput, S3Data
from groundtruth_cdk.job_provider import JobProvider
from groundtruth_cdk.role import LabelingJobRole
from groundtruth_cdk.task_types import (
    MAX_PRIVATE_AVAILABILITY_SECONDS,
    MAX_PUBLIC_AVAILABILITY_SECONDS,
    Media,
    RefSuffix,
    TaskType,
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

RESOURCE_TYPE = "Custom::LabelingJob"


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


class LabelingJob(Construct):
    """A Ground Truth labeling job, created by ``cdk deploy`` through a ``Custom::LabelingJob`` resource.

    The resource's ``LabelingJobRequest`` property is the CreateLabelingJob request in the API's field
    names, for review in the synthesized template. At deploy a handler writes the label category file,
    the worker template and (for :class:`InlineManifest`) the manifest under the buckets' artifacts
    prefix, creates the job under a deterministic name (``<job_name_prefix>-<8 hex>``, new whenever the
    request changes) and waits until the job leaves ``Initializing``: ``InProgress`` completes the
    deploy, ``Failed`` fails it with the job's reason. Any change to the job creates a new job; the old
    one is stopped (its labels stay in the output bucket). Deleting the stack stops a running job.

    Args:
        task_type: what workers do (the catalogue row in :mod:`groundtruth_cdk.task_types`).
        buckets: where the data is and the labels go.
        workforce: a private team, vendor team or Mechanical Turk (:class:`Workforce`).
        input: data found under an S3 prefix at deploy (:class:`S3Data`), an existing manifest, optionally
            queried (:class:`ManifestInput`), or objects given in code (:class:`InlineManifest`).
        labels: the label categories, unique; counts per task type are checked.
        instructions: short and full worker instructions (HTML).
        task_title: 1-128 characters shown to workers.
        task_description: 1-255 characters shown to workers; also the question above the task
            unless ``header`` is given.
        task_keywords: up to 5 keywords that help workers find the task. Default none.
        header: the question above a generated worker UI. Default: ``task_description``.
        label_attribute_name: the key of the labels in the output manifest. Default: the task type's
            name (with ``-ref`` where the task type requires it).
        job_name_prefix: lowercase prefix of the job name, at most 54 characters. Default: derived from
            the stack name and this construct's id.
        role: the execution role: a :class:`LabelingJobRole`, an existing ``iam.IRole``, or a role ARN
            (existing roles are used as they are). Default: a new ``LabelingJobRole`` scoped to ``buckets``.
        workers_per_object: how many workers label each object, 1-9. Default 1.
        task_time_limit: how long a worker has for one task, at least 30 s, at most 8 hours (30 days for
            video frame and 3D point cloud tasks). Default 5 minutes.
        task_availability_lifetime: how long a task waits for workers, at least 60 s, at most 12 hours for
            Mechanical Turk and 30 days otherwise. Default: 6 hours for Mechanical Turk, 10 days otherwise.
        max_concurrent_task_count: how many objects workers can hold at once, 1-5000. Default 1000.
        stopping_conditions: when to stop early. Default: never (the job labels all objects).
        content_classifiers: what you declare about the data. Mechanical Turk requires
            ``FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION``. Default none.
        reviewed_label_attribute_name: verification and adjustment task types only (required there):
            the label attribute name of the job whose labels are reviewed.
        ui_template: your Liquid worker template; required for ``CUSTOM``, optional for task types with a
            generated template. Default: the generated template.
        pre_annotation_lambda_arn / annotation_consolidation_lambda_arn: ``CUSTOM`` only (required there):
            your Lambdas. The role may invoke them.
        tags: tags of the job (at most 48). Default none.
        wait_timeout: how long the deploy waits for the job to leave ``Initializing``. Default 20 minutes.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        task_type: TaskType,
        buckets: LabelingBuckets,
        workforce: Workforce,
        input: S3Data | ManifestInput | InlineManifest,
        labels: Sequence[str],
        instructions: Instructions,
        task_title: str,
        task_description: str,
        task_keywords: Sequence[str] = (),
        header: str | None = None,
        label_attribute_name: str | None = None,
        job_name_prefix: str | None = None,
        role: LabelingJobRole | iam.IRole | str | None = None,
        workers_per_object: int = 1,
        task_time_limit: cdk.Duration | None = None,
        task_availability_lifetime: cdk.Duration | None = None,
        max_concurrent_task_count: int | None = None,
        stopping_conditions: StoppingConditions | None = None,
        content_classifiers: Sequence[ContentClassifier] = (),
        reviewed_label_attribute_name: str | None = None,
        ui_template: str | None = None,
        pre_annotation_lambda_arn: str | None = None,
        annotation_consolidation_lambda_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
        wait_timeout: cdk.Duration | None = None,
    ) -> None:
        super().__init__(scope, id)
        spec = task_type.spec
        stack = cdk.Stack.of(self)
        public = workforce.type is WorkforceType.PUBLIC
        labels = tuple(labels)
        tags = dict(tags or {})
        task_time = int((task_time_limit or cdk.Duration.minutes(5)).to_seconds())
        default_availability = cdk.Duration.hours(6) if public else cdk.Duration.days(10)
        availability = int((task_availability_lifetime or default_availability).to_seconds())
        wait = wait_timeout or cdk.Duration.minutes(20)
        if label_attribute_name is None:
            suffix = "-ref" if spec.label_attribute_ref is RefSuffix.REQUIRED else ""
            label_attribute_name = f"{task_type.value}{suffix}"
        if job_name_prefix is None:
            job_name_prefix = _default_prefix(f"{stack.stack_name}-{id}")

        problems = Problems(f"LabelingJob {self.node.path}")
        if not regions.is_supported_region(stack.region) and spec.lambda_suffix is not None:
            problems.add("region", stack.region, regions.SUPPORTED_REGIONS_TEXT)
        problems.check_name("job_name_prefix", job_name_prefix, max_length=MAX_JOB_NAME_PREFIX)
        if not is_token(job_name_prefix) and job_name_prefix != job_name_prefix.lower():
            problems.add("job_name_prefix", job_name_prefix, "must be lowercase (job names are case-insensitive)")
        problems.check_label_attribute_name(label_attribute_name, spec, reviewed=reviewed_label_attribute_name)
        problems.check_labels(labels, spec)
        problems.check_title(task_title)
        problems.check_description(task_description)
        problems.check_keywords(task_keywords)
        problems.check_range("workers_per_object", workers_per_object, 1, MAX_WORKERS_PER_OBJECT)
        problems.check_range(
            "task_time_limit", task_time, MIN_TASK_TIME_SECONDS, spec.max_task_time_seconds, " seconds"
        )
        max_availability = MAX_PUBLIC_AVAILABILITY_SECONDS if public else MAX_PRIVATE_AVAILABILITY_SECONDS
        problems.check_range(
            "task_availability_lifetime",
            availability,
            MIN_AVAILABILITY_SECONDS,
            max_availability,
            f" seconds for a {workforce.type.value} workforce",
        )
        problems.check_range("max_concurrent_task_count", max_concurrent_task_count, 1, MAX_CONCURRENT_TASKS)
        if stopping_conditions is not None:
            problems.check_range(
                "stopping_conditions.max_human_labeled_objects",
                stopping_conditions.max_human_labeled_objects,
                1,
                None,
            )
            problems.check_range(
                "stopping_conditions.max_percentage_labeled",
                stopping_conditions.max_percentage_labeled,
                1,
                100,
            )
        problems.check_tags(tags)
        team_problem = workforce.workteam_arn_problem()
        if team_problem is not None:
            field = "workforce.team_name" if workforce.team_name is not None else "workforce.workteam_arn"
            problems.add(field, workforce.team_name or workforce.workteam_arn, team_problem)
        if public:
            if not spec.mechanical_turk:
                problems.add(
                    "workforce",
                    "Mechanical Turk",
                    f"{spec.title} jobs need a private or vendor workforce (Mechanical Turk cannot take them)",
                )
            else:
                assert workforce.price_usd is not None
                problems.check_price(workforce.price_usd, spec)
            if ContentClassifier.FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION not in content_classifiers:
                problems.add(
                    "content_classifiers",
                    [c.value for c in content_classifiers],
                    "Mechanical Turk jobs must declare FREE_OF_PERSONALLY_IDENTIFIABLE_INFORMATION",
                )
        if spec.reviews_labels and reviewed_label_attribute_name is None:
            problems.add(
                "reviewed_label_attribute_name",
                None,
                f"{spec.title} jobs need the label attribute name of the job whose labels they review",
            )
        if not spec.reviews_labels and reviewed_label_attribute_name is not None:
            problems.add(
                "reviewed_label_attribute_name",
                reviewed_label_attribute_name,
                f"only verification and adjustment task types review earlier labels, not {spec.title}",
            )
        custom = spec.lambda_suffix is None
        for field, arn in (
            ("pre_annotation_lambda_arn", pre_annotation_lambda_arn),
            ("annotation_consolidation_lambda_arn", annotation_consolidation_lambda_arn),
        ):
            if custom and arn is None:
                problems.add(field, None, "a custom task type needs your Lambda's ARN")
            if not custom and arn is not None:
                problems.add(field, arn, f"{spec.title} jobs use Ground Truth's built-in Lambdas")
        if spec.ui is UiKind.CUSTOM_TEMPLATE and ui_template is None:
            problems.add("ui_template", None, "a custom task type needs your Liquid worker template")
        if spec.ui is UiKind.HUMAN_TASK_UI and ui_template is not None:
            problems.add("ui_template", "<template>", f"{spec.title} jobs use the AWS-hosted worker UI")
        if isinstance(input, InlineManifest):
            input.check(problems, spec.manifest_keys)
        elif isinstance(input, S3Data):
            input.check(problems, spec)
        else:
            input.check(problems)
        problems.raise_if_any()

        # -- the execution role -------------------------------------------------------------------
        invoke = [arn for arn in (pre_annotation_lambda_arn, annotation_consolidation_lambda_arn) if arn]
        if role is None:
            role = LabelingJobRole(self, "Role", buckets=buckets, invoke_functions=invoke)
        if isinstance(role, LabelingJobRole):
            job_role: iam.IRole = role.role
            if isinstance(input, ManifestInput):
                located = input.bucket_and_key()
                if located is not None:
                    role.grant_read_object(f"arn:{stack.partition}:s3:::{located[0]}", located[1])
            elif isinstance(input, S3Data) and not buckets.covers_input(input.bucket, input.prefix):
                role.grant_read_prefix(input.bucket, input.prefix)
        elif isinstance(role, str):
            job_role = iam.Role.from_role_arn(self, "ImportedRole", role, mutable=False)
        else:
            job_role = role
        #: The role SageMaker runs the job with.
        self.role = job_role
        #: The task type of the job.
        self.task_type = task_type
        #: The label attribute name (key of the labels in the output manifest).
        self.label_attribute_name = label_attribute_name

        # -- the request --------------------------------------------------------------------------
        if custom:
            assert pre_annotation_lambda_arn is not None
            assert annotation_consolidation_lambda_arn is not None
            pre_arn, acs_arn = pre_annotation_lambda_arn, annotation_consolidation_lambda_arn
        else:
            assert spec.lambda_suffix is not None
            pre_arn, acs_arn = regions.built_in_lambda_arns(self, spec.lambda_suffix)
        ui_config: dict[str, str] = {}
        if spec.ui is UiKind.HUMAN_TASK_UI:
            assert spec.human_task_ui is not None
            ui_config["HumanTaskUiArn"] = regions.human_task_ui_arn(self, spec.human_task_ui)
        elif ui_template is None:
            ui_template = ui_templates.render(
                spec,
                header=header or task_description,
                short_instructions=instructions.short,
                full_instructions=instructions.full,
                reviewed_label_attribute_name=reviewed_label_attribute_name,
            )
        human_task: dict[str, Any] = {
            "WorkteamArn": workforce.resolve_workteam_arn(self),
            "UiConfig": ui_config,
            "PreHumanTaskLambdaArn": pre_arn,
            "TaskTitle": task_title,
            "TaskDescription": task_description,
            "NumberOfHumanWorkersPerDataObject": workers_per_object,
            "TaskTimeLimitInSeconds": task_time,
            "TaskAvailabilityLifetimeInSeconds": availability,
            "MaxConcurrentTaskCount": max_concurrent_task_count or 1000,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": acs_arn},
        }
        if task_keywords:
            human_task["TaskKeywords"] = list(task_keywords)
        if public:
            human_task["PublicWorkforceTaskPrice"] = {"AmountInUsd": workforce.amount_in_usd()}
        data_setup = input.data_setup(spec) if not isinstance(input, InlineManifest) else None
        s3_source: dict[str, str] = {}
        if isinstance(input, ManifestInput) and data_setup is None:
            s3_source["ManifestS3Uri"] = input.s3_uri
        input_config: dict[str, Any] = {"DataSource": {"S3DataSource": s3_source}}
        if content_classifiers:
            input_config["DataAttributes"] = {"ContentClassifiers": sorted({c.value for c in content_classifiers})}
        request: dict[str, Any] = {
            "LabelingJobName": job_name_prefix,
            "LabelAttributeName": label_attribute_name,
            "InputConfig": input_config,
            "OutputConfig": {"S3OutputPath": buckets.output_path_uri},
            "RoleArn": job_role.role_arn,
            "HumanTaskConfig": human_task,
        }
        if stopping_conditions is not None:
            conditions = {
                "MaxHumanLabeledObjectCount": stopping_conditions.max_human_labeled_objects,
                "MaxPercentageOfInputDatasetLabeled": stopping_conditions.max_percentage_labeled,
            }
            request["StoppingConditions"] = {k: v for k, v in conditions.items() if v is not None}
        if tags:
            request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
        #: The CreateLabelingJob request as it appears in the template (deploy-time values excluded).
        self.request = request

        properties: dict[str, Any] = {
            "LabelingJobRequest": request,
            "ArtifactsS3Uri": buckets.artifacts_uri,
        }
        if labels or spec.media is not Media.CUSTOM:
            properties["LabelCategoryConfig"] = stack.to_json_string(
                _label_category_config(
                    task_type, labels, instructions, reviewed_label_attribute_name=reviewed_label_attribute_name
                )
            )
        if ui_template is not None:
            properties["UiTemplate"] = ui_template
        if isinstance(input, InlineManifest):
            properties["ManifestLines"] = stack.to_json_string(list(input.objects))
        if data_setup is not None:
            properties["DataSetup"] = stack.to_json_string(data_setup)

        # -- the custom resource ------------------------------------------------------------------
        provider = JobProvider(
            self,
            "Provider",
            job_name_prefix=job_name_prefix,
            job_role=job_role,
            buckets=buckets,
            wait_timeout=wait,
            data=input if data_setup is not None and not isinstance(input, InlineManifest) else None,
        )
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties=properties,
            service_timeout=cdk.Duration.seconds(wait.to_seconds() + 300),
        )
        # The job needs the role's permissions in place (the role itself is referenced already).
        policy = job_role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            self.resource.node.add_dependency(policy)
        #: The final job name (``<job_name_prefix>-<8 hex>``), known at deploy.
        self.job_name = self.resource.get_att_string("LabelingJobName")
        #: The job's ARN.
        self.job_arn = self.resource.get_att_string("LabelingJobArn")
        #: Where the labeled output manifest will be: ``<S3OutputPath><job name>/manifests/output/output.manifest``.
        self.output_manifest_uri = self.resource.get_att_string("OutputManifestS3Uri")
        #: The job's page in the SageMaker console.
        self.console_url = self.resource.get_att_string("ConsoleUrl")
        outputs = [
            ("JobName", self.job_name, "Labeling job name"),
            ("JobArn", self.job_arn, "Labeling job ARN"),
            ("OutputManifestUri", self.output_manifest_uri, "Labeled output manifest (when the job completes)"),
            ("ConsoleUrl", self.console_url, "The labeling job in the SageMaker console"),
        ]
        if data_setup is not None:
            #: How many data objects the deploy put in the manifest (automated data setup and queries).
            self.object_count: str | None = self.resource.get_att_string("ObjectCount")
            outputs += [
                ("ObjectCount", self.object_count, "Data objects in the job's manifest"),
                ("SkippedObjectCount", self.resource.get_att_string("SkippedObjectCount"), "Objects skipped"),
                ("DataSetupNotes", self.resource.get_att_string("DataSetupNotes"), "Data setup notes"),
            ]
        else:
            self.object_count = None
        for output_id, value, description in outputs:
            cdk.CfnOutput(self, output_id, value=value, description=f"{description} ({self.node.path})")


def _label_category_config(
    task_type: TaskType,
    labels: Sequence[str],
    instructions: Instructions,
    *,
    reviewed_label_attribute_name: str | None,
) -> dict[str, Any]:
    spec = task_type.spec
    version_key, version = spec.label_category_document
    document: dict[str, Any] = {version_key: version, "labels": [{"label": label} for label in labels]}
    if spec.ui is UiKind.HUMAN_TASK_UI:
        document["instructions"] = {"shortInstruction": instructions.short, "fullInstruction": instructions.full}
    if spec.edits_allowed is not None:
        document["auditLabelAttributeName"] = reviewed_label_attribute_name
        document["editsAllowed"] = spec.edits_allowed
    return document


def _default_prefix(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:MAX_JOB_NAME_PREFIX].rstrip("-") or "labeling-job"
