"""``LabelingProjectStack``: one labeling project (a project file) as a stack: buckets, role and job."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.labeling_job import LabelingJob
from groundtruth_cdk.project.loader import Project


class LabelingProjectStack(cdk.Stack):
    """One labeling project: its data and label buckets, a scoped execution role and the labeling job.

    The input bucket is the project's own new bucket, or the existing bucket the project's data names
    (``data.bucket``; for a manifest, default the manifest's bucket), which is used unchanged. The
    output bucket is always new and retained. The job's role may read only the data prefix and write
    only the output prefix. A private team is found by name at deploy (``Workforce.private_team_by_name``):
    make the stack depend on the region's ``WorkforceStack`` (the app does). With ``encryption: kms`` the
    stack creates a customer managed key (rotated yearly, retained like the buckets) for the buckets it
    creates and the labels; ``{kms_key_arn: ...}`` uses an existing key.

    Args:
        project: the project, from :func:`groundtruth_cdk.project.load_project`.
        previous: the stack of the project this one follows (``data.previous_project``), in the same app,
            region and account: the job labels that stack's job's output, and this stack depends on it.
            Required exactly when the project follows another project.
        **kwargs: ``cdk.Stack`` arguments. ``env`` defaults to the project's region and account
            (none: region-agnostic); ``description`` to one naming the project.
    """

    #: The project this stack deploys.
    project: Project
    #: The labeling job.
    job: LabelingJob

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        project: Project,
        previous: LabelingProjectStack | None = None,
        **kwargs: Any,
    ) -> None:
        if project.environment is not None:
            kwargs.setdefault("env", project.environment)
        kwargs.setdefault(
            "description", f"SageMaker Ground Truth labeling project {project.name}: {project.title} (groundtruth-cdk)"
        )
        follows = project.previous.name if project.previous is not None else None
        if (previous.project.name if previous is not None else None) != follows:
            given = previous.project.name if previous is not None else "none"
            raise ValueError(
                f"LabelingProjectStack {id}: previous: got {given}; the stack of the project {project.name} follows "
                f"({follows or 'none'})"
            )
        super().__init__(scope, id, **kwargs)
        self.project = project
        #: The project's customer managed key (``encryption: kms`` or ``{kms_key_arn}``); ``None``: SSE-S3.
        self.key: kms.IKey | None = None
        if project.encryption.new_key:
            self.key = kms.Key(
                self,
                "Key",
                description=f"Data and labels of the Ground Truth labeling project {project.name} (groundtruth-cdk)",
                enable_key_rotation=True,
                # The buckets are retained: their key must outlive the stack too.
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
        elif project.encryption.kms_key_arn is not None:
            self.key = kms.Key.from_key_arn(self, "Key", project.encryption.kms_key_arn)
        bucket_name = project.input_bucket_name
        existing = s3.Bucket.from_bucket_name(self, "DataBucket", bucket_name) if bucket_name is not None else None
        #: The input and output buckets.
        self.buckets = LabelingBuckets(
            self,
            "Data",
            task_type=project.task_type,
            input_bucket=existing,
            input_prefix=project.input_prefix,
            output_prefix=project.output_prefix,
            encryption_key=self.key,
        )
        previous_job = previous.job if previous is not None else None
        settings = project.job_settings(
            self.buckets.input_bucket,
            key_arn=self.key.key_arn if self.key is not None else None,
            previous_job=previous_job,
        )
        if previous is not None:
            self.add_stack_dependency(
                previous, f"the job of {project.name} labels the output of {previous.project.name}'s job"
            )
        self.job = LabelingJob(
            self,
            "Job",
            task_type=settings.task_type,
            buckets=self.buckets,
            workforce=settings.workforce,
            input=settings.input,
            # A review job of a previous job takes that job's labels and label attribute unless the file gives
            # its own: the construct defaults them.
            labels=project.labels if project.labels or project.follows is None else None,
            instructions=settings.instructions,
            task_title=settings.task_title,
            task_description=settings.task_description,
            task_keywords=settings.task_keywords,
            label_attribute_name=settings.label_attribute_name,
            job_name_prefix=settings.job_name_prefix,
            workers_per_object=settings.workers_per_object,
            task_time_limit=cdk.Duration.seconds(settings.task_time_seconds),
            task_availability_lifetime=cdk.Duration.seconds(settings.availability_seconds),
            max_concurrent_task_count=settings.max_concurrent_task_count,
            stopping_conditions=settings.stopping_conditions,
            content_classifiers=settings.content_classifiers,
            reviewed_label_attribute_name=project.reviewed_label_attribute_name,
            tags=settings.tags,
            auto_labeling=settings.auto_labeling,
            streaming=settings.streaming,
            notifications=settings.notifications,
            output_kms_key_arn=settings.output_kms_key_arn,
        )
