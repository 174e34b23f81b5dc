"""``LabelingProjectStack``: one labeling project (a project file) as a stack: buckets, role and job."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
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
    make the stack depend on the region's ``WorkforceStack`` (the app does).

    Args:
        project: the project, from :func:`groundtruth_cdk.project.load_project`.
        **kwargs: ``cdk.Stack`` arguments. ``env`` defaults to the project's region and account
            (none: region-agnostic); ``description`` to one naming the project.
    """

    def __init__(self, scope: Construct, id: str, *, project: Project, **kwargs: Any) -> None:
        if project.environment is not None:
            kwargs.setdefault("env", project.environment)
        kwargs.setdefault(
            "description", f"SageMaker Ground Truth labeling project {project.name}: {project.title} (groundtruth-cdk)"
        )
        super().__init__(scope, id, **kwargs)
        #: The project this stack deploys.
        self.project = project
        bucket_name = project.data.bucket_name
        existing = s3.Bucket.from_bucket_name(self, "DataBucket", bucket_name) if bucket_name is not None else None
        #: The input and output buckets.
        self.buckets = LabelingBuckets(
            self,
            "Data",
            task_type=project.task_type,
            input_bucket=existing,
            input_prefix=project.data.prefix,
            output_prefix=project.output_prefix,
        )
        settings = project.job_settings(self.buckets.input_bucket)
        #: The labeling job.
        self.job = LabelingJob(
            self,
            "Job",
            task_type=settings.task_type,
            buckets=self.buckets,
            workforce=settings.workforce,
            input=settings.input,
            labels=settings.labels,
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
            reviewed_label_attribute_name=settings.reviewed_label_attribute_name,
            tags=settings.tags,
            auto_labeling=settings.auto_labeling,
        )
