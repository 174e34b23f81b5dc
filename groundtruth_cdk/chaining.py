"""``ChainStarter``: creates a chained labeling job when the job it follows completes."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from groundtruth_cdk import compliance, job_events, lambdas, nag
from groundtruth_cdk.buckets import LabelingBuckets

#: How long the function may take: read the request, describe the earlier job, create the job with retries.
CHAIN_FUNCTION_TIMEOUT = cdk.Duration.minutes(5)


def labeling_job_arn(scope: Construct, name: str) -> str:
    """The ARN of the labeling job ``name`` in ``scope``'s account and region."""
    return cdk.Stack.of(scope).format_arn(service="sagemaker", resource="labeling-job", resource_name=name)


def allow_finding_pending_request(role: iam.IRole, buckets: LabelingBuckets, pending_request_key: str) -> None:
    """Let ``role`` list the pending request's key: S3 then answers "no such key" rather than "access denied"
    when there is none (a chain that already started, a delete after a failed create)."""
    nag.allow(
        role,
        sid="FindThePendingRequest",
        actions=["s3:ListBucket"],
        resources=[buckets.input_bucket.bucket_arn],
        conditions={"StringEquals": {"s3:prefix": pending_request_key}},
    )


class ChainStarter(Construct):
    """An EventBridge rule on the earlier job's ``Completed`` event and the function it starts.

    At deploy, the job's custom resource writes the prepared CreateLabelingJob request to
    ``pending_request_key`` (unless the earlier job has completed already: then it creates the job
    itself). When the earlier job completes, the function reads that request, checks that the earlier
    job did complete (never after ``Failed`` or ``Stopped``), fills in its output manifest (and final
    model) and creates the job. The job's name is fixed at deploy, so a repeated event creates
    nothing new. Events the function cannot handle (after Lambda's two retries) go to a dead-letter
    queue kept for 14 days; so do events EventBridge cannot deliver.

    The function may read only the pending request, describe only the earlier job, create only jobs
    named ``<job_name_prefix>-*`` and pass only the job's role.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        previous_job_name: str,
        job_name_prefix: str,
        job_role: iam.IRole,
        buckets: LabelingBuckets,
        pending_request_key: str,
    ) -> None:
        super().__init__(scope, id)
        previous_arn = labeling_job_arn(self, previous_job_name)
        job_arns = labeling_job_arn(self, f"{job_name_prefix}-*")
        role = lambdas.lambda_role(self, "Role", "Starts one chained Ground Truth labeling job")
        nag.allow(
            role,
            sid="ReadThePendingRequest",
            actions=["s3:GetObject"],
            resources=[buckets.input_bucket.arn_for_objects(pending_request_key)],
        )
        allow_finding_pending_request(role, buckets, pending_request_key)
        if buckets.input_bucket.encryption_key is not None:
            nag.allow(
                role,
                sid="DecryptThePendingRequest",
                actions=["kms:Decrypt"],
                resources=[buckets.input_bucket.encryption_key.key_arn],
            )
        nag.allow(
            role,
            sid="DescribeTheEarlierJob",
            actions=["sagemaker:DescribeLabelingJob"],
            resources=[previous_arn],
        )
        nag.allow(
            role,
            sid="StartThisLabelingJob",
            actions=["sagemaker:AddTags", "sagemaker:CreateLabelingJob", "sagemaker:DescribeLabelingJob"],
            resources=[job_arns],
            wildcard_reason="The job name is '<prefix>-<hash of the request>', chosen at deploy; the actions are "
            "limited to this job's name prefix.",
        )
        nag.allow(
            role,
            sid="PassTheJobRoleToSageMaker",
            actions=["iam:PassRole"],
            resources=[job_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )
        failed = job_events.dead_letter_queue(self, "Failed", what=f"{self.node.path} starts")
        pending_uri = f"s3://{buckets.input_bucket.bucket_name}/{pending_request_key}"
        function = lambdas.python_function(
            self,
            "Function",
            code=lambdas.handler_code("labeling_job"),
            handler="chain.on_previous_job_completed",
            role=role,
            timeout=CHAIN_FUNCTION_TIMEOUT,
            description="Creates a chained Ground Truth labeling job when the job it follows completes",
            environment={"PENDING_REQUEST_URI": pending_uri},
            dead_letter_queue=failed,
        )
        rule = events.Rule(
            self,
            "Rule",
            description=f"Completion of the labeling job that {self.node.path} follows",
            event_pattern=job_events.state_change_pattern(previous_arn, ["Completed"]),
        )
        rule.add_target(
            targets.LambdaFunction(
                function, dead_letter_queue=failed, retry_attempts=185, max_event_age=cdk.Duration.hours(24)
            )
        )
        #: The function that creates the job.
        self.function = function
        #: The rule on the earlier job's completion.
        self.rule = rule
        #: Events that could not start the job.
        self.dead_letter_queue = failed
        compliance.acknowledge_created(self, event_driven=True)
