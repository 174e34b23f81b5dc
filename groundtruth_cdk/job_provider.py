"""The Lambda handlers and CDK Provider framework behind one ``Custom::LabelingJob``."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import custom_resources as cr
from constructs import Construct

from groundtruth_cdk import nag
from groundtruth_cdk.buckets import LabelingBuckets

HANDLER_DIR = Path(__file__).parent / "handlers" / "labeling_job"
HANDLER_RUNTIME = lambda_.Runtime.PYTHON_3_14
LOG_RETENTION = logs.RetentionDays.ONE_YEAR


class JobProvider(Construct):
    """Creates and watches one labeling job at deploy time, each piece with its own least-privilege role.

    ``on_event`` (role ``HandlerRole``) writes the job inputs, creates and stops the job: it may manage
    only jobs named ``<job_name_prefix>-*``, pass only the job's role, and write only under the
    artifacts prefix. ``is_complete`` (role ``StatusRole``) may only describe those jobs. The Provider
    framework polls every 30 seconds for at most ``wait_timeout``; every function logs to its own
    log group, kept for a year.
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
    ) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        job_arns = stack.format_arn(service="sagemaker", resource="labeling-job", resource_name=f"{job_name_prefix}-*")
        job_reason = (
            "The job name is '<prefix>-<hash of the request>', chosen at deploy; the actions are limited to "
            "this job's name prefix."
        )
        handler_role = self._lambda_role("HandlerRole", "Creates and stops one Ground Truth labeling job")
        nag.allow(
            handler_role,
            sid="ManageThisLabelingJob",
            actions=[
                "sagemaker:AddTags",
                "sagemaker:CreateLabelingJob",
                "sagemaker:DescribeLabelingJob",
                "sagemaker:StopLabelingJob",
            ],
            resources=[job_arns],
            wildcard_reason=job_reason,
        )
        nag.allow(
            handler_role,
            sid="PassTheJobRoleToSageMaker",
            actions=["iam:PassRole"],
            resources=[job_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )
        nag.allow(
            handler_role,
            sid="WriteJobInputs",
            actions=["s3:PutObject"],
            resources=[buckets.input_bucket.arn_for_objects(f"{buckets.artifacts_prefix}*")],
            wildcard_reason="The handler writes '<artifacts prefix><job name>/...' for job names chosen at "
            "deploy; the wildcard is limited to the artifacts prefix.",
        )
        if buckets.input_bucket.encryption_key is not None:
            buckets.input_bucket.encryption_key.grant_encrypt(handler_role)
            _, actions = nag.policy_wildcards(handler_role)
            nag.acknowledge_wildcard_actions(
                handler_role, actions, "kms:GenerateDataKey*/ReEncrypt* on the input bucket's own key only."
            )
        status_role = self._lambda_role("StatusRole", "Describes one Ground Truth labeling job")
        nag.allow(
            status_role,
            sid="DescribeThisLabelingJob",
            actions=["sagemaker:DescribeLabelingJob"],
            resources=[job_arns],
            wildcard_reason=job_reason,
        )
        code = lambda_.Code.from_asset(str(HANDLER_DIR), exclude=["__pycache__", "*.pyc"])
        on_event = self._function("OnEvent", code, "index.on_event", handler_role, cdk.Duration.minutes(5))
        is_complete = self._function("IsComplete", code, "index.is_complete", status_role, cdk.Duration.minutes(1))

        framework_logs = logs.LogGroup(self, "FrameworkLogs", retention=LOG_RETENTION)
        framework_roles = []
        for role_id, what in (("OnEventRole", "onEvent"), ("WaiterRole", "isComplete and onTimeout")):
            framework_role = self._lambda_role(role_id, f"CDK Provider framework {what} functions of one labeling job")
            framework_logs.grant_write(framework_role)
            framework_roles.append(framework_role)
        provider = cr.Provider(
            self,
            "Resource",
            on_event_handler=on_event,
            is_complete_handler=is_complete,
            query_interval=cdk.Duration.seconds(30),
            total_timeout=wait_timeout,
            framework_on_event_role=framework_roles[0],
            framework_complete_and_timeout_role=framework_roles[1],
            log_group=framework_logs,
            disable_waiter_state_machine_logging=False,
            waiter_state_machine_log_options=cr.LogOptions(
                destination=logs.LogGroup(self, "WaiterLogs", retention=LOG_RETENTION),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )
        #: The ``ServiceToken`` of the custom resource.
        self.service_token = provider.service_token
        self._acknowledge_framework(provider, framework_roles)

    def _lambda_role(self, id: str, description: str) -> iam.Role:
        return iam.Role(self, id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description)

    def _function(
        self, id: str, code: lambda_.Code, entry: str, role: iam.Role, timeout: cdk.Duration
    ) -> lambda_.Function:
        log_group = logs.LogGroup(self, f"{id}Logs", retention=LOG_RETENTION)
        log_group.grant_write(role)
        nag.acknowledge_wildcard_resources(
            role,
            [log_group.log_group_arn],
            "Lambda creates one log stream per execution environment in the function's own log group.",
        )
        return lambda_.Function(
            self,
            id,
            runtime=HANDLER_RUNTIME,
            code=code,
            handler=entry,
            timeout=timeout,
            memory_size=256,
            role=role,
            log_group=log_group,
            description=f"Ground Truth labeling job custom resource ({entry})",
        )

    def _acknowledge_framework(self, provider: cr.Provider, framework_roles: list[iam.Role]) -> None:
        """The CDK Provider framework's own findings, acknowledged on its constructs."""
        for scope in (provider, *framework_roles):
            resources, _ = nag.policy_wildcards(scope)
            nag.acknowledge_wildcard_resources(
                scope,
                resources,
                "CDK's Provider framework invokes its handler functions including their versions "
                "('<function arn>:*') and writes its own log group's streams; nothing else.",
            )
        cdk.Validations.of(provider).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-L1",
                reason="The Provider framework's own Node.js functions use the runtime aws-cdk-lib pins "
                "(aws-cdk#36269); our handlers use the latest Python runtime.",
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-SF2",
                reason="The Provider framework's waiter state machine has no X-Ray option; it only polls "
                "the job status, and its executions are logged (SF1).",
            ),
        )
