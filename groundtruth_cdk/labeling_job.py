"""``LabelingJob``: a SageMaker Ground Truth labeling job as a CloudFormation custom resource."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.chaining import ChainStarter
from groundtruth_cdk.inputs import InlineManifest, ManifestInput, PreviousJobOutput, S3Data
from groundtruth_cdk.job_provider import ON_EVENT_TIMEOUT, JobProvider
from groundtruth_cdk.job_settings import (
    AutoLabeling,
    ContentClassifier,
    Instructions,
    JobSettings,
    Notifications,
    StoppingConditions,
    Streaming,
    check_s3_event_prefix,
    default_label_attribute_name,
)
from groundtruth_cdk.notifications import JobNotifications
from groundtruth_cdk.role import (
    DECRYPT_ACTIONS,
    ENCRYPT_ACTIONS,
    TOPIC_KEY_ACTIONS,
    VOLUME_KEY_ACTIONS,
    LabelingJobRole,
)
from groundtruth_cdk.streaming import StreamingTopics
from groundtruth_cdk.task_types import TaskType
from groundtruth_cdk.validation import MAX_JOB_NAME_PREFIX, Problems, is_token
from groundtruth_cdk.workforce import Workforce, WorkforceType

__all__ = ["AutoLabeling", "ContentClassifier", "Instructions", "LabelingJob", "StoppingConditions"]

RESOURCE_TYPE = "Custom::LabelingJob"
#: CloudFormation's limit on a custom resource's ``ServiceTimeout``, and our margin above the handlers' time.
MAX_SERVICE_TIMEOUT_SECONDS = 3600
SERVICE_TIMEOUT_MARGIN_SECONDS = 120


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
            queried (:class:`ManifestInput`), objects given in code (:class:`InlineManifest`), or the output
            of an earlier job (:class:`PreviousJobOutput`, or that ``LabelingJob`` itself): the job then
            starts when that job completes. Default: none, for a streaming job only.
        labels: the label categories, unique; counts per task type are checked. Default: the earlier
            job's labels for a verification or adjustment job that follows one (verification shows the
            earlier labels under these names; reviewers choose among fixed verdicts), else none.
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
            the label attribute name of the job whose labels are reviewed. Default: the earlier job's, for
            a job that follows one.
        ui_template: your Liquid worker template; required for ``CUSTOM``, optional for task types with a
            generated template. Default: the generated template.
        pre_annotation_lambda_arn / annotation_consolidation_lambda_arn: ``CUSTOM`` only (required there):
            your Lambdas. The role may invoke them.
        tags: tags of the job (at most 48). Default none.
        auto_labeling: automated data labeling (:class:`AutoLabeling`; bounding box, image single-label,
            semantic segmentation and text single-label only; at least 1,250 objects, checked at deploy for
            data found or queried at deploy). A role of ours may then pass itself to SageMaker. Default: off.
        wait_timeout: how long the deploy waits for the job to leave ``Initializing``, 1-43 minutes.
            Default 20 minutes.
        streaming: make it a streaming job (:class:`Streaming`): objects arrive on an SNS topic until the
            job is stopped. Default: a job that labels its input and completes.
        notifications: send the job's status changes to an SNS topic and e-mail addresses
            (:class:`Notifications`). Default: none.
        output_kms_key_arn: the KMS key Ground Truth encrypts the labels with (``OutputConfig.KmsKeyId``).
            A role of ours may use it. Default: the output bucket's key, if it has one (else the bucket's
            default encryption).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        task_type: TaskType,
        buckets: LabelingBuckets,
        workforce: Workforce,
        input: S3Data | ManifestInput | InlineManifest | PreviousJobOutput | LabelingJob | None = None,
        labels: Sequence[str] | None = None,
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
        auto_labeling: AutoLabeling | None = None,
        wait_timeout: cdk.Duration | None = None,
        streaming: Streaming | None = None,
        notifications: Notifications | None = None,
        output_kms_key_arn: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        public = workforce.type is WorkforceType.PUBLIC
        if isinstance(input, LabelingJob):
            input = PreviousJobOutput.of(input)
        if auto_labeling is not None and isinstance(auto_labeling.initial_model, LabelingJob):
            auto_labeling = dataclasses.replace(
                auto_labeling, initial_model=PreviousJobOutput.of(auto_labeling.initial_model)
            )
        previous = input if isinstance(input, PreviousJobOutput) else None
        if previous is not None:
            labels, reviewed_label_attribute_name = previous.review_defaults(
                task_type, labels, reviewed_label_attribute_name
            )
        output_key = buckets.output_bucket.encryption_key
        settings = JobSettings(
            task_type=task_type,
            workforce=workforce,
            input=input,
            labels=tuple(labels or ()),
            instructions=instructions,
            task_title=task_title,
            task_description=task_description,
            task_keywords=tuple(task_keywords),
            header=header,
            label_attribute_name=label_attribute_name or default_label_attribute_name(task_type),
            job_name_prefix=job_name_prefix or _default_prefix(f"{stack.stack_name}-{id}"),
            workers_per_object=workers_per_object,
            task_time_seconds=int((task_time_limit or cdk.Duration.minutes(5)).to_seconds()),
            availability_seconds=int(
                (task_availability_lifetime or cdk.Duration.hours(6 if public else 240)).to_seconds()
            ),
            max_concurrent_task_count=max_concurrent_task_count,
            stopping_conditions=stopping_conditions,
            content_classifiers=tuple(content_classifiers),
            reviewed_label_attribute_name=reviewed_label_attribute_name,
            ui_template=ui_template,
            pre_annotation_lambda_arn=pre_annotation_lambda_arn,
            annotation_consolidation_lambda_arn=annotation_consolidation_lambda_arn,
            tags=dict(tags or {}),
            auto_labeling=auto_labeling,
            streaming=streaming,
            notifications=notifications,
            output_kms_key_arn=output_kms_key_arn or (output_key.key_arn if output_key is not None else None),
        )
        wait = wait_timeout or cdk.Duration.minutes(20)
        problems = Problems(f"LabelingJob {self.node.path}")
        settings.check(problems, region=stack.region)
        problems.check_range(
            "wait_timeout",
            int(wait.to_seconds()),
            60,
            MAX_SERVICE_TIMEOUT_SECONDS - SERVICE_TIMEOUT_MARGIN_SECONDS - int(ON_EVENT_TIMEOUT.to_seconds()),
            " seconds (CloudFormation waits at most an hour for a custom resource)",
        )
        if streaming is not None and streaming.s3_events and streaming.input_topic_arn is None:
            _check_s3_events(problems, buckets, stack)
        problems.raise_if_any()

        if isinstance(input, S3Data):
            buckets.ensure_cors(input.bucket, "input.bucket")
        if previous is not None and previous.buckets is not None:
            buckets.ensure_cors(previous.buckets.input_bucket, "input (the earlier job's input bucket)")
            if task_type.spec.reviews_labels:
                buckets.ensure_cors(previous.buckets.output_bucket, "input (the earlier job's output bucket)")
        #: The job's buckets.
        self.buckets = buckets
        #: The job names' prefix (``<job_name_prefix>-<8 hex>``).
        self.job_name_prefix = settings.job_name_prefix
        #: Where the job reads data outside ``buckets`` (``s3://bucket/prefix/``), for a later job's role.
        self.read_uris: tuple[str, ...] = (
            (f"s3://{input.bucket.bucket_name}/{input.prefix}",)
            if isinstance(input, S3Data) and not buckets.covers_input(input.bucket, input.prefix)
            else ()
        )
        #: The KMS keys the job's data and labels are encrypted with, for a later job's role.
        self.key_arns: tuple[str, ...] = tuple(
            dict.fromkeys(
                arn
                for arn in (
                    *(
                        b.encryption_key.key_arn
                        for b in (buckets.input_bucket, buckets.output_bucket)
                        if b.encryption_key
                    ),
                    settings.output_kms_key_arn,
                )
                if arn is not None
            )
        )
        job_role = self._execution_role(role, settings, buckets)
        #: The role SageMaker runs the job with.
        self.role = job_role
        #: The task type of the job.
        self.task_type = task_type
        #: The label attribute name (key of the labels in the output manifest).
        self.label_attribute_name = settings.label_attribute_name
        #: The job's labels.
        self.labels = settings.labels
        #: Whether the job uses automated data labeling (and so leaves a model a later job can start from).
        self.auto_labeling = auto_labeling is not None
        #: A streaming job's topics (``None`` for other jobs).
        self.streaming: StreamingTopics | None = None
        if streaming is not None:
            self.streaming = StreamingTopics(
                self, "Streaming", settings=streaming, buckets=buckets, job_label=self.node.path
            )
            self._allow_streaming(job_role, settings.job_name_prefix, self.streaming)
        #: The CreateLabelingJob request as it appears in the template (deploy-time values excluded).
        self.request = settings.request(
            self,
            role_arn=job_role.role_arn,
            output_path=buckets.output_path_uri,
            input_topic_arn=self.streaming.input_topic.topic_arn if self.streaming else None,
            output_topic_arn=self.streaming.output_topic.topic_arn
            if self.streaming and self.streaming.output_topic
            else None,
        )
        data_setup = settings.data_setup()
        follows = settings.follows
        # Unique per resource: two chained jobs may share a name prefix and an artifacts bucket.
        pending_key = f"{buckets.artifacts_prefix}chains/{settings.job_name_prefix}-{self.node.addr[:8]}.json"
        provider = JobProvider(
            self,
            "Provider",
            job_name_prefix=settings.job_name_prefix,
            job_role=job_role,
            buckets=buckets,
            wait_timeout=wait,
            data=input if isinstance(input, (S3Data, ManifestInput)) and data_setup is not None else None,
            previous=follows,
            pending_request_key=pending_key if follows is not None else None,
        )
        #: Starts the job when the job it follows completes (``None`` unless it follows one).
        self.chain: ChainStarter | None = None
        if follows is not None:
            self.chain = ChainStarter(
                self,
                "Chain",
                previous=follows,
                job_name_prefix=settings.job_name_prefix,
                job_role=job_role,
                buckets=buckets,
                pending_request_key=pending_key,
            )
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties=settings.resource_properties(
                stack,
                self.request,
                artifacts_uri=buckets.artifacts_uri,
                pending_request_uri=f"s3://{buckets.input_bucket.bucket_name}/{pending_key}" if follows else None,
            ),
            # on_event (up to ON_EVENT_TIMEOUT, building a large manifest) then the wait, plus a margin: the
            # framework answers well before this unless it is itself broken.
            service_timeout=cdk.Duration.seconds(
                ON_EVENT_TIMEOUT.to_seconds() + wait.to_seconds() + SERVICE_TIMEOUT_MARGIN_SECONDS
            ),
        )
        # The job needs the role's permissions in place (the role itself is referenced already), and a
        # chained job the rule that starts it (so a completion after the deploy looked is not missed).
        policy = job_role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            self.resource.node.add_dependency(policy)
        if self.chain is not None:
            self.resource.node.add_dependency(self.chain)
        #: The final job name (``<job_name_prefix>-<8 hex>``), known at deploy.
        self.job_name = self.resource.get_att_string("LabelingJobName")
        #: The job's ARN.
        self.job_arn = self.resource.get_att_string("LabelingJobArn")
        #: Where the labeled output manifest will be: ``<S3OutputPath><job name>/manifests/output/output.manifest``.
        self.output_manifest_uri = self.resource.get_att_string("OutputManifestS3Uri")
        #: The job's page in the SageMaker console.
        self.console_url = self.resource.get_att_string("ConsoleUrl")
        #: How many data objects the deploy put in the manifest (automated data setup and queries only).
        self.object_count: str | None = None
        outputs = [
            ("JobName", self.job_name, "Labeling job name"),
            ("JobArn", self.job_arn, "Labeling job ARN"),
            ("OutputManifestUri", self.output_manifest_uri, "Labeled output manifest (when the job completes)"),
            ("ConsoleUrl", self.console_url, "The labeling job in the SageMaker console"),
        ]
        if data_setup is not None:
            self.object_count = self.resource.get_att_string("ObjectCount")
            outputs += [
                ("ObjectCount", self.object_count, "Data objects in the job's manifest"),
                ("SkippedObjectCount", self.resource.get_att_string("SkippedObjectCount"), "Objects skipped"),
                ("DataSetupNotes", self.resource.get_att_string("DataSetupNotes"), "Data setup notes"),
            ]
        if self.streaming is not None:
            outputs.append(("InputTopicArn", self.streaming.input_topic.topic_arn, "Streaming job's input topic"))
            if self.streaming.output_topic is not None:
                outputs.append(
                    ("OutputTopicArn", self.streaming.output_topic.topic_arn, "Streaming job's output topic")
                )
            outputs.append(
                (
                    "StreamingQueueName",
                    self.resource.get_att_string("StreamingQueueName"),
                    "SQS queue Ground Truth creates for the streaming job and leaves behind: delete it after the job",
                )
            )
        if follows is not None:
            outputs += [
                ("FollowsJob", self.resource.get_att_string("FollowsJob"), "The labeling job this job starts after"),
                ("ChainStatus", self.resource.get_att_string("ChainStatus"), "Whether the job has started"),
            ]
        #: The job's status notifications (``None`` without ``notifications``).
        self.notifications: JobNotifications | None = None
        if notifications is not None:
            self.notifications = JobNotifications(
                self, "Notifications", job_arn=self.job_arn, settings=notifications, job_label=self.node.path
            )
            outputs.append(
                ("NotificationTopicArn", self.notifications.topic.topic_arn, "Topic of the job's status changes")
            )
        for output_id, value, description in outputs:
            cdk.CfnOutput(self, output_id, value=value, description=f"{description} ({self.node.path})")

    def _execution_role(
        self, role: LabelingJobRole | iam.IRole | str | None, settings: JobSettings, buckets: LabelingBuckets
    ) -> iam.IRole:
        """The given role, or a new ``LabelingJobRole``; a role of ours also gets what this job needs
        beyond its buckets (the data elsewhere, keys, the VPC, the earlier job's buckets)."""
        self._own_role: LabelingJobRole | None = None
        if isinstance(role, str):
            return iam.Role.from_role_arn(self, "ImportedRole", role, mutable=False)
        if role is None:
            role = LabelingJobRole(self, "Role", buckets=buckets, invoke_functions=settings.custom_lambda_arns)
        if not isinstance(role, LabelingJobRole):
            return role
        self._own_role = role
        auto_labeling = settings.auto_labeling
        if auto_labeling is not None:
            role.allow_passing_itself()
            if auto_labeling.volume_kms_key_arn is not None:
                role.use_key(auto_labeling.volume_kms_key_arn, VOLUME_KEY_ACTIONS)
            if auto_labeling.vpc is not None:
                role.allow_auto_labeling_vpc(auto_labeling.vpc.subnet_ids, auto_labeling.vpc.security_group_ids)
        if settings.output_kms_key_arn is not None:
            role.use_key(settings.output_kms_key_arn, ENCRYPT_ACTIONS)
        input = settings.input
        if isinstance(input, PreviousJobOutput) and input.buckets is not None:
            earlier = input.buckets
            for bucket, prefix in (
                (earlier.input_bucket, earlier.input_prefix),
                (earlier.output_bucket, earlier.output_prefix),
            ):
                writes_there = bucket is buckets.output_bucket and prefix.startswith(buckets.output_prefix)
                if not buckets.covers_input(bucket, prefix) and not writes_there:
                    role.grant_read_prefix(bucket, prefix)
        if isinstance(input, PreviousJobOutput):
            for index, uri in enumerate(input.read_uris):
                bucket_name, _, prefix = uri.removeprefix("s3://").partition("/")
                earlier_bucket = s3.Bucket.from_bucket_name(self, f"EarlierJobBucket{index}", bucket_name)
                role.grant_read_prefix(earlier_bucket, prefix, cross_stack=is_token(uri))
            for key_arn in input.key_arns:
                role.use_key(key_arn, DECRYPT_ACTIONS)
        if isinstance(input, ManifestInput):
            located = input.bucket_and_key()
            if located is not None:
                role.grant_read_object(f"arn:{cdk.Stack.of(self).partition}:s3:::{located[0]}", located[1])
        elif isinstance(input, S3Data) and not buckets.covers_input(input.bucket, input.prefix):
            role.grant_read_prefix(input.bucket, input.prefix)
        return role.role

    def _allow_streaming(self, job_role: iam.IRole, job_name_prefix: str, topics: StreamingTopics) -> None:
        """Let a role of ours run the streaming job (an existing role needs these permissions already)."""
        role = self._own_role
        if role is None:
            return
        role.allow_streaming(
            job_name_prefix=job_name_prefix,
            input_topic_arn=topics.input_topic.topic_arn,
            output_topic_arn=topics.output_topic.topic_arn if topics.output_topic is not None else None,
        )
        if topics.output_topic_key is not None:
            role.use_key(topics.output_topic_key.key_arn, TOPIC_KEY_ACTIONS)


def _check_s3_events(problems: Problems, buckets: LabelingBuckets, stack: cdk.Stack) -> None:
    """S3 events need an input bucket of ``buckets`` in ``stack``, not yet sending its events elsewhere, and an
    input prefix of its own: every object created there becomes a data object to label."""
    bucket = buckets.input_bucket
    if not isinstance(bucket, s3.Bucket) or bucket.node.scope is not buckets:
        problems.add(
            "streaming.s3_events",
            True,
            "the input bucket is an existing bucket; configure its event notifications to the input "
            "topic yourself (InputTopicArn output), or let LabelingBuckets create the input bucket",
        )
    elif cdk.Stack.of(bucket) is not stack:
        problems.add(
            "streaming.s3_events",
            True,
            "the input bucket is in another stack; create the job in the stack of its buckets",
        )
    elif buckets.object_created_events_topic is not None:
        problems.add(
            "streaming.s3_events",
            True,
            "the input bucket already sends its object-created events to another streaming job; give each "
            "streaming job buckets (or an input bucket) of its own",
        )
    check_s3_event_prefix(problems, buckets.input_prefix, buckets.artifacts_prefix)


def _default_prefix(text: str) -> str:
    """``text`` as a job name prefix; a long one is cut and ends in a hash of all of it, so that two
    constructs whose names differ only past the cut keep different prefixes."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(cleaned) > MAX_JOB_NAME_PREFIX:
        digest = hashlib.sha256(cleaned.encode()).hexdigest()[:6]
        cleaned = f"{cleaned[: MAX_JOB_NAME_PREFIX - 7].rstrip('-')}-{digest}"
    return cleaned or "labeling-job"
