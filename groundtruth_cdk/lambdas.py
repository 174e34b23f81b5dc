"""Deploy-time Lambda functions and CDK Provider frameworks, built one way: own roles, own log groups.

Every function gets its own role (no AWS managed policy) and its own log group kept for a year; every
Provider framework gets roles of its own too. The wildcards these need are acknowledged for cdk-nag
on the construct that has them, with the reason.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import custom_resources as cr
from constructs import Construct

from groundtruth_cdk import compliance, nag

HANDLERS_DIR = Path(__file__).parent / "handlers"
RUNTIME = lambda_.Runtime.PYTHON_3_14
LOG_RETENTION = logs.RetentionDays.ONE_YEAR


def handler_code(name: str) -> lambda_.Code:
    """The asset of ``groundtruth_cdk/handlers/<name>/`` (bytecode excluded, so tests don't change it).

    Links are followed: the folder's ``aws_calls.py`` links to the handlers' shared module.
    """
    return lambda_.Code.from_asset(
        str(HANDLERS_DIR / name), exclude=["__pycache__", "*.pyc"], follow_symlinks=cdk.SymlinkFollowMode.ALWAYS
    )


def lambda_role(scope: Construct, id: str, description: str) -> iam.Role:
    """A role Lambda can assume, with no policy yet."""
    return iam.Role(scope, id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description)


def python_function(
    scope: Construct,
    id: str,
    *,
    code: lambda_.Code,
    handler: str,
    role: iam.Role,
    timeout: cdk.Duration,
    description: str,
    memory_size: int = 256,
    environment: dict[str, str] | None = None,
    dead_letter_queue: sqs.IQueue | None = None,
) -> lambda_.Function:
    """A function on the latest Python runtime that logs to its own log group (one year)."""
    log_group = logs.LogGroup(scope, f"{id}Logs", retention=LOG_RETENTION)
    log_group.grant_write(role)
    nag.acknowledge_wildcard_resources(
        role,
        [log_group.log_group_arn],
        "Lambda creates one log stream per execution environment in the function's own log group.",
    )
    return lambda_.Function(
        scope,
        id,
        runtime=RUNTIME,
        code=code,
        handler=handler,
        timeout=timeout,
        memory_size=memory_size,
        role=role,
        log_group=log_group,
        environment=environment,
        description=description,
        dead_letter_queue=dead_letter_queue,
    )


def provider(
    scope: Construct,
    id: str,
    *,
    on_event: lambda_.IFunction,
    is_complete: lambda_.IFunction | None = None,
    total_timeout: cdk.Duration | None = None,
    what: str,
) -> cr.Provider:
    """A CDK Provider framework for ``on_event`` (and ``is_complete``, polled every 30 s) with its own roles."""
    framework_logs = logs.LogGroup(scope, f"{id}Logs", retention=LOG_RETENTION)
    on_event_role = lambda_role(scope, f"{id}OnEventRole", f"CDK Provider framework onEvent of {what}")
    framework_logs.grant_write(on_event_role)
    roles = [on_event_role]
    waiting: dict[str, object] = {}
    if is_complete is not None:
        waiter_role = lambda_role(scope, f"{id}WaiterRole", f"CDK Provider framework isComplete/onTimeout of {what}")
        framework_logs.grant_write(waiter_role)
        roles.append(waiter_role)
        waiting = {
            "is_complete_handler": is_complete,
            "query_interval": cdk.Duration.seconds(30),
            "total_timeout": total_timeout,
            "framework_complete_and_timeout_role": waiter_role,
            "disable_waiter_state_machine_logging": False,
            "waiter_state_machine_log_options": cr.LogOptions(
                destination=logs.LogGroup(scope, f"{id}WaiterLogs", retention=LOG_RETENTION),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        }
    result = cr.Provider(
        scope,
        id,
        on_event_handler=on_event,
        framework_on_event_role=on_event_role,
        log_group=framework_logs,
        **waiting,  # type: ignore[arg-type]
    )
    _acknowledge_framework(result, roles)
    for construct in (result, *roles):
        for child in construct.node.find_all():
            if isinstance(child, iam.CfnPolicy):
                compliance.acknowledge(child, "IAM policy of the CDK Provider framework")
    return result


def _acknowledge_framework(provider: cr.Provider, framework_roles: list[iam.Role]) -> None:
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
    )
