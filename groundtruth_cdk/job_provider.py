"""The Lambda handlers and CDK Provider framework behind one ``Custom::LabelingJob``."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from groundtruth_cdk import compliance, lambdas, nag
from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.chaining import (
    MANAGE_JOB_ACTIONS,
    allow_finding_earlier_job,
    allow_finding_pending_request,
    allow_on_own_jobs,
    allow_passing_job_role,
)
from groundtruth_cdk.inputs import ManifestInput, PreviousJobOutput, S3Data

#: How long on_event may take: writing inputs, building a manifest from up to a million listed objects,
#: creating the job with retries.
ON_EVENT_TIMEOUT = cdk.Duration.minutes(15)


class JobProvider(Construct):
    """Creates and watches one labeling job at deploy time, each piece with its own least-privilege role.

    ``on_event`` (role ``HandlerRole``) writes the job inputs, creates and stops the job: it may manage
    only jobs named ``<job_name_prefix>-<8 hex>``, pass only the job's role, and write only under the
    artifacts prefix; for a chained job also find and describe the earlier job and keep the pending
    request. ``is_complete`` (role ``StatusRole``) may only describe and stop those jobs (on Delete it
    stops a job of this resource that a chain function created after ``on_event`` looked). The Provider
    framework polls every 30 seconds for at most ``wait_timeout``. ``on_event`` has 15 minutes and
    1 GB (enough to build a manifest from a million listed objects).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        job_name_prefix: str,
        job_role: iam.IRole,
        buckets: LabelingBuckets,
        wait_timeout: cdk.Duration,
        data: S3Data | ManifestInput | None = None,
        previous: PreviousJobOutput | None = None,
        pending_request_key: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        handler_role = lambdas.lambda_role(self, "HandlerRole", "Creates and stops one Ground Truth labeling job")
        allow_on_own_jobs(handler_role, job_name_prefix, sid="ManageThisLabelingJob", actions=MANAGE_JOB_ACTIONS)
        allow_passing_job_role(handler_role, job_role)
        nag.allow(
            handler_role,
            sid="WriteJobInputs",
            actions=["s3:AbortMultipartUpload", "s3:PutObject"],
            resources=[buckets.input_bucket.arn_for_objects(f"{buckets.artifacts_prefix}*")],
            wildcard_reason="The handler writes '<artifacts prefix><job name>/...' for job names chosen at "
            "deploy; the wildcard is limited to the artifacts prefix.",
        )
        if buckets.input_bucket.encryption_key is not None:
            # Multipart uploads (large manifests) need Decrypt as well as Encrypt.
            buckets.input_bucket.encryption_key.grant_encrypt_decrypt(handler_role)
            _, actions = nag.policy_wildcards(handler_role)
            nag.acknowledge_wildcard_actions(
                handler_role, actions, "kms:GenerateDataKey*/ReEncrypt* on the input bucket's own key only."
            )
        if data is not None:
            self._read_data(handler_role, data)
        if previous is not None and pending_request_key is not None:
            allow_finding_earlier_job(handler_role, previous)
            nag.allow(
                handler_role,
                sid="KeepThePendingRequest",
                actions=["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                resources=[buckets.input_bucket.arn_for_objects(pending_request_key)],
            )
            allow_finding_pending_request(handler_role, buckets, pending_request_key)
        status_role = lambdas.lambda_role(self, "StatusRole", "Watches one Ground Truth labeling job start and stop")
        allow_on_own_jobs(
            status_role,
            job_name_prefix,
            sid="WatchThisLabelingJob",
            actions=["sagemaker:DescribeLabelingJob", "sagemaker:StopLabelingJob"],
        )
        code = lambdas.handler_code("labeling_job")
        on_event = lambdas.python_function(
            self,
            "OnEvent",
            code=code,
            handler="index.on_event",
            role=handler_role,
            timeout=ON_EVENT_TIMEOUT,
            memory_size=1024,
            description="Ground Truth labeling job custom resource: writes inputs, creates and stops the job",
        )
        is_complete = lambdas.python_function(
            self,
            "IsComplete",
            code=code,
            handler="index.is_complete",
            role=status_role,
            timeout=cdk.Duration.minutes(1),
            description="Ground Truth labeling job custom resource: waits until the job has started",
        )
        provider = lambdas.provider(
            self,
            "Resource",
            on_event=on_event,
            is_complete=is_complete,
            total_timeout=wait_timeout,
            what="one labeling job",
        )
        #: The ``ServiceToken`` of the custom resource.
        self.service_token = provider.service_token
        compliance.acknowledge_created(self)

    def _read_data(self, role: iam.Role, data: S3Data | ManifestInput) -> None:
        """What building the manifest reads: the data prefix (list, check region, read text), or a manifest."""
        if isinstance(data, ManifestInput):
            located = data.bucket_and_key()
            partition = cdk.Stack.of(self).partition
            resource = f"arn:{partition}:s3:::{located[0]}/{located[1]}" if located else f"arn:{partition}:s3:::*/*"
            nag.allow(
                role,
                sid="ReadTheSourceManifest",
                actions=["s3:GetObject"],
                resources=[resource],
                wildcard_reason="The source manifest's location is a deploy-time value (a stack parameter).",
            )
            return
        bucket = data.bucket
        nag.allow(
            role,
            sid="ListTheData",
            actions=["s3:ListBucket"],
            resources=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": f"{data.prefix}*"}},
        )
        nag.allow(role, sid="CheckTheDataRegion", actions=["s3:GetBucketLocation"], resources=[bucket.bucket_arn])
        nag.allow(
            role,
            sid="ReadTheData",
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects(f"{data.prefix}*")],
            wildcard_reason="Building the manifest reads text files under the data prefix; the wildcard is "
            "limited to that prefix.",
        )
        if bucket.encryption_key is not None:
            bucket.encryption_key.grant_decrypt(role)
