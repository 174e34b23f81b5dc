"""``ChainStarter``: creates a chained labeling job when the job it follows completes."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from groundtruth_cdk import compliance, job_events, lambdas, nag
from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.inputs import PreviousJobOutput
from groundtruth_cdk.validation import is_token

#: How long the function may take: read the request, describe the earlier job, create the job with retries.
CHAIN_FUNCTION_TIMEOUT = cdk.Duration.minutes(5)


#: The hash a job name ends in: ``<prefix>-<8 hex>`` (IAM's ``?`` matches one character).
NAME_HASH_PATTERN = "????????"


def labeling_job_arn(scope: IConstruct, name: str) -> str:
    """The ARN of the labeling job ``name`` in ``scope``'s account and region (SageMaker writes job names in
    ARNs in lower case)."""
    name = name if is_token(name) else name.lower()
    return cdk.Stack.of(scope).format_arn(service="sagemaker", resource="labeling-job", resource_name=name)


def jobs_of_prefix_arn(scope: IConstruct, job_name_prefix: str) -> str:
    """The ARNs of the jobs ``<job_name_prefix>-<8 hex>`` (a ``LabelingJob``'s), for IAM."""
    return labeling_job_arn(scope, f"{job_name_prefix}-{NAME_HASH_PATTERN}")


#: What a role that creates a resource's jobs may do to them.
MANAGE_JOB_ACTIONS = [
    "sagemaker:AddTags",
    "sagemaker:CreateLabelingJob",
    "sagemaker:DescribeLabelingJob",
    "sagemaker:StopLabelingJob",
]


def allow_on_own_jobs(role: iam.IRole, job_name_prefix: str, *, sid: str, actions: list[str]) -> None:
    """Let ``role`` do ``actions`` on the jobs ``<job_name_prefix>-<8 hex>`` only (a resource's jobs)."""
    nag.allow(
        role,
        sid=sid,
        actions=actions,
        resources=[jobs_of_prefix_arn(role, job_name_prefix)],
        wildcard_reason="The job name is '<prefix>-<8 hex: a hash of the request>', chosen at deploy; the "
        "wildcard matches exactly those names.",
    )


def allow_passing_job_role(role: iam.IRole, job_role: iam.IRole) -> None:
    """Let ``role`` pass the job's execution role, to SageMaker only."""
    nag.allow(
        role,
        sid="PassTheJobRoleToSageMaker",
        actions=["iam:PassRole"],
        resources=[job_role.role_arn],
        conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    )


def allow_finding_earlier_job(role: iam.IRole, previous: PreviousJobOutput, *, find_newest: bool = True) -> None:
    """Let ``role`` describe the earlier job (for a prefix: the jobs of that prefix, and with ``find_newest``
    list jobs to find the newest; the chain function takes the job from its event instead)."""
    if previous.job_name is not None:
        nag.allow(
            role,
            sid="DescribeTheEarlierJob",
            actions=["sagemaker:DescribeLabelingJob"],
            resources=[labeling_job_arn(role, previous.job_name)],
        )
        return
    assert previous.job_name_prefix is not None
    nag.allow(
        role,
        sid="DescribeTheEarlierJobs",
        actions=["sagemaker:DescribeLabelingJob"],
        resources=[jobs_of_prefix_arn(role, previous.job_name_prefix)],
        wildcard_reason="The earlier LabelingJob's jobs are '<its prefix>-<8 hex>', the hash chosen when it deploys; "
        "the wildcard matches exactly those names.",
    )
    if not find_newest:
        return
    nag.allow(
        role,
        sid="FindTheEarlierJob",
        actions=["sagemaker:ListLabelingJobs"],
        resources=["*"],
        wildcard_reason="sagemaker:ListLabelingJobs has no resource-level permissions; it finds the newest job of "
        "the earlier LabelingJob's name prefix.",
    )


def earlier_job_events(scope: Construct, previous: PreviousJobOutput) -> list[str]:
    """The ``resources`` of the earlier job's events: its ARN, or every ARN of its prefix's jobs."""
    if previous.job_name is not None:
        return [labeling_job_arn(scope, previous.job_name)]
    return events.Match.prefix(labeling_job_arn(scope, f"{previous.job_name_prefix}-"))


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

    The function may read only the pending request, describe only the earlier job (or the jobs of its
    name prefix: it takes the completed one from the event), create (and stop: a job whose resource was
    deleted while it was being created) only jobs named ``<job_name_prefix>-<8 hex>``, and pass only
    the job's role.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        previous: PreviousJobOutput,
        job_name_prefix: str,
        job_role: iam.IRole,
        buckets: LabelingBuckets,
        pending_request_key: str,
    ) -> None:
        super().__init__(scope, id)
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
        allow_finding_earlier_job(role, previous, find_newest=False)
        allow_on_own_jobs(role, job_name_prefix, sid="StartThisLabelingJob", actions=MANAGE_JOB_ACTIONS)
        allow_passing_job_role(role, job_role)
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
            event_pattern=job_events.state_change_pattern(earlier_job_events(self, previous), ["Completed"]),
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
