"""``groundtruth status``: how far the labeling job of a deployed project has got.

Reads the job name from the outputs of the project's stack (CloudFormation DescribeStacks), then the
job (SageMaker DescribeLabelingJob), and for a private team the labeling portal's URL (the SSM
parameter the workforce stack publishes) and the team's new-task topic (DescribeWorkteam). Needs AWS
credentials.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groundtruth_cdk.cli.common import CliError, load

#: Where the workforce stack publishes the labeling portal's URL (``PrivateWorkforce``).
PORTAL_URL_PARAMETER = "/groundtruth-cdk/workforce/portal-url"
PROGRESS_WIDTH = 30
#: A ``CfnOutput`` id: the construct path's ids joined, then 8 hex digits of hash.
_OUTPUT_NAMES = (
    "JobName",
    "ConsoleUrl",
    "OutputManifestUri",
    "ObjectCount",
    "NotificationTopicArn",
    "InputTopicArn",
    "OutputTopicArn",
    "StreamingQueueName",
    "FollowsJob",
    "ChainStatus",
)
_OUTPUT_KEY = re.compile(rf"^(?P<path>.*?)(?P<name>{'|'.join(_OUTPUT_NAMES)})[0-9A-F]{{8}}$")
_WORKTEAM = re.compile(r"workteam/(?P<kind>private-crowd|public-crowd|vendor-crowd)/(?P<name>.+)$")


@dataclass(frozen=True)
class AwsClients:
    """The AWS clients ``status`` uses, in one region."""

    region: str
    cloudformation: Any
    sagemaker: Any
    ssm: Any


def aws_clients(region: str | None) -> AwsClients:
    """Clients for ``region`` (``None``: the region of the AWS configuration). Tests patch this function."""
    import boto3  # type: ignore[import-untyped,unused-ignore]

    session = boto3.session.Session(region_name=region)
    if session.region_name is None:
        raise CliError("no AWS region: give --region, or set AWS_REGION or a region in your AWS profile")
    return AwsClients(
        region=session.region_name,
        cloudformation=session.client("cloudformation"),
        sagemaker=session.client("sagemaker"),
        ssm=session.client("ssm"),
    )


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``status`` to the CLI."""
    parser = commands.add_parser(
        "status",
        help="show the status and progress of a deployed project's labeling job (needs AWS credentials)",
        description="For a deployed project: the labeling job's status, label counters with a progress bar, the "
        "failure reason, the labeling portal URL (private teams), the output manifest, the job it follows (or waits "
        "for), its streaming topics and queue, its notification topic, and the console URL. Reads the stack "
        "GroundTruth-<project> and the job; needs AWS credentials.",
    )
    parser.add_argument("project", metavar="PROJECT", help="a project name (projects/<name>.yaml) or a file path")
    parser.add_argument(
        "--region", help="the region the project is deployed in; default: the project's, else your AWS configuration's"
    )
    parser.add_argument("--dir", type=Path, default=Path("projects"), help="the folder of project files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the status of the project's job."""
    from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
        BotoCoreError,
        ClientError,
        NoCredentialsError,
    )

    project = load(args.project, args.dir)
    try:
        clients = aws_clients(args.region or project.region)
        outputs = stack_outputs(clients, project.stack_name)
        job_name = outputs.get("JobName")
        if not job_name:
            raise CliError(f"stack {project.stack_name} in {clients.region} has no labeling job name output")
        previous = outputs.get("FollowsJob")
        job = describe_job(clients, job_name, waiting_for=previous)
        if job is None:
            assert previous is not None
            earlier = describe_job(clients, previous)
            assert earlier is not None
            print(format_waiting(project.name, project.stack_name, clients.region, job_name, earlier, outputs))
            return 0
        kind, team = _workteam(job)
        portal = portal_url(clients) if kind == "private-crowd" else None
        team_topic = team_notification_topic(clients, team) if kind == "private-crowd" and team else None
    except NoCredentialsError:
        raise CliError(
            "no AWS credentials: configure them (aws configure, AWS_PROFILE or the AWS_* environment variables)"
        ) from None
    except ClientError as error:
        raise CliError(f"AWS error: {_client_error(error)}") from None
    except BotoCoreError as error:
        raise CliError(f"AWS error: {error}") from None
    print(format_status(project.name, project.stack_name, clients.region, job, outputs, portal, team_topic))
    return 0


def stack_outputs(clients: AwsClients, stack_name: str) -> dict[str, str]:
    """The job outputs of the stack (``JobName``, ``ConsoleUrl``, ``OutputManifestUri``, ``ObjectCount``, and
    the notification, streaming and chain outputs), by name."""
    from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

    try:
        stacks = clients.cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in _client_error(error):
            raise CliError(
                f"stack {stack_name} not found in {clients.region}: deploy it (cdk deploy {stack_name}) or give the "
                "region it is in (--region)"
            ) from None
        raise
    stack = stacks[0]
    outputs: dict[str, str] = {}
    for output in stack.get("Outputs", []):
        match = _OUTPUT_KEY.match(output.get("OutputKey", ""))
        # The project stack's job is the construct "Job"; other LabelingJobs only when that one is absent.
        if match and (match.group("path") == "Job" or match.group("name") not in outputs):
            outputs[match.group("name")] = output.get("OutputValue", "")
    if "JobName" not in outputs:
        status = stack.get("StackStatus", "")
        reason = stack.get("StackStatusReason")
        if status.endswith("IN_PROGRESS"):
            raise CliError(f"stack {stack_name} is {status}: the job is not created yet, try again in a minute")
        raise CliError(
            f"stack {stack_name} is {status} and has no job name output"
            + (f" ({reason})" if reason else "")
            + ": see its events in the CloudFormation console"
        )
    return outputs


def describe_job(clients: AwsClients, job_name: str, *, waiting_for: str | None = None) -> dict[str, Any] | None:
    """DescribeLabelingJob; a job that does not exist is a :class:`CliError`, or ``None`` when it is a chained
    job that waits for the job ``waiting_for`` (it is created when that one completes)."""
    from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

    try:
        job: dict[str, Any] = clients.sagemaker.describe_labeling_job(LabelingJobName=job_name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("ResourceNotFound", "ValidationException"):
            if waiting_for is not None:
                return None
            raise CliError(f"labeling job {job_name} not found in {clients.region}: {_client_error(error)}") from None
        raise
    return job


def portal_url(clients: AwsClients) -> str | None:
    """The labeling portal's URL from SSM (``None`` when the workforce stack has not published it)."""
    from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

    try:
        value: str = clients.ssm.get_parameter(Name=PORTAL_URL_PARAMETER)["Parameter"]["Value"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return None
        raise
    return value


def team_notification_topic(clients: AwsClients, team: str) -> str | None:
    """The SNS topic the private team's new-task e-mails go through (``None``: the team is not notified)."""
    workteam = clients.sagemaker.describe_workteam(WorkteamName=team)["Workteam"]
    topic: str | None = (workteam.get("NotificationConfiguration") or {}).get("NotificationTopicArn")
    return topic


def progress_bar(done: int, total: int, width: int = PROGRESS_WIDTH) -> str:
    """``[#######-------]  25% (5/20 labeled)``."""
    if total <= 0:
        return f"[{'-' * width}] no data objects yet"
    filled = min(width, round(width * done / total))
    percent = 100 * done // total
    return f"[{'#' * filled}{'-' * (width - filled)}] {percent:3d}% ({done}/{total} labeled)"


def format_status(
    project: str,
    stack_name: str,
    region: str,
    job: Mapping[str, Any],
    outputs: Mapping[str, str],
    portal: str | None,
    team_topic: str | None = None,
) -> str:
    """The status report of one job (``team_topic``: where a private team's new-task e-mails go)."""
    counters = job.get("LabelCounters", {})
    labeled = int(counters.get("TotalLabeled", 0))
    failed = int(counters.get("FailedNonRetryableError", 0))
    unlabeled = int(counters.get("Unlabeled", 0))
    total = labeled + failed + unlabeled
    status = job.get("LabelingJobStatus", "unknown")
    rows: list[tuple[str, str]] = [
        ("Project", f"{project} (stack {stack_name}, {region})"),
        ("Job", str(job.get("LabelingJobName", outputs.get("JobName")))),
        ("Status", str(status)),
        ("Progress", progress_bar(labeled, total)),
        (
            "",
            f"human {counters.get('HumanLabeled', 0)}, machine {counters.get('MachineLabeled', 0)}, "
            f"failed {failed}, unlabeled {unlabeled}",
        ),
    ]
    if job.get("FailureReason"):
        rows.append(("Failure", str(job["FailureReason"])))
    kind, team = _workteam(job)
    if kind == "private-crowd":
        where = portal or f"not published (SSM parameter {PORTAL_URL_PARAMETER}): deploy the workforce stack"
        rows.append(("Workers", f"private team {team}; labeling portal {where}"))
        announced = (
            f"new ones e-mailed to the team via {team_topic}" if team_topic else "new ones not e-mailed (notify: false)"
        )
        rows.append(("Tasks", announced))
    elif kind == "public-crowd":
        rows.append(("Workers", "Amazon Mechanical Turk"))
    elif kind == "vendor-crowd":
        rows.append(("Workers", f"vendor team {team}"))
    output = (job.get("LabelingJobOutput") or {}).get("OutputDatasetS3Uri")
    if output:
        rows.append(("Output", str(output)))
    elif outputs.get("OutputManifestUri"):
        rows.append(("Output", f"{outputs['OutputManifestUri']} (written when the job completes)"))
    rows += _extra_rows(outputs)
    rows.append(("Console", outputs.get("ConsoleUrl") or console_url(region, str(job.get("LabelingJobName")))))
    return _table(rows)


def format_waiting(
    project: str, stack_name: str, region: str, job_name: str, earlier: Mapping[str, Any], outputs: Mapping[str, str]
) -> str:
    """The status report of a chained job that is not created yet: the job it waits for, and how far that is."""
    counters = earlier.get("LabelCounters", {})
    labeled = int(counters.get("TotalLabeled", 0))
    total = labeled + int(counters.get("FailedNonRetryableError", 0)) + int(counters.get("Unlabeled", 0))
    earlier_name = str(earlier.get("LabelingJobName", outputs.get("FollowsJob")))
    earlier_status = str(earlier.get("LabelingJobStatus", "unknown"))
    if earlier_status in ("Failed", "Stopped", "Stopping"):
        state = f"not started: {earlier_name} is {earlier_status}, so this job will not start (deploy again to retry)"
    else:
        state = f"waiting for {earlier_name} to complete; it starts by itself then"
    rows: list[tuple[str, str]] = [
        ("Project", f"{project} (stack {stack_name}, {region})"),
        ("Job", f"{job_name} (not created yet)"),
        ("Status", state),
        ("Previous", f"{earlier_name}: {earlier_status}, {progress_bar(labeled, total)}"),
    ]
    rows += _extra_rows(outputs)
    rows.append(("Console", console_url(region, earlier_name) + " (the previous job)"))
    return _table(rows)


def _extra_rows(outputs: Mapping[str, str]) -> list[tuple[str, str]]:
    """Rows for the chain, streaming and notification outputs the stack has."""
    rows: list[tuple[str, str]] = []
    if outputs.get("FollowsJob"):
        chain = f"; chain: {outputs['ChainStatus']}" if outputs.get("ChainStatus") else ""
        rows.append(("Follows", f"{outputs['FollowsJob']} (labels its output{chain})"))
    streaming = [
        (key, what)
        for key, what in (
            ("InputTopicArn", "input topic"),
            ("OutputTopicArn", "output topic"),
            ("StreamingQueueName", "SQS queue"),
        )
        if outputs.get(key)
    ]
    for index, (key, what) in enumerate(streaming):
        value = f"{what} {outputs[key]}"
        if key == "StreamingQueueName":
            value += " (Ground Truth leaves it behind: delete it after the job)"
        rows.append(("Stream" if index == 0 else "", value))
    if outputs.get("NotificationTopicArn"):
        rows.append(("Notify", f"status changes go to {outputs['NotificationTopicArn']}"))
    return rows


def console_url(region: str, job_name: str) -> str:
    """The job's page in the SageMaker console."""
    return f"https://{region}.console.aws.amazon.com/sagemaker/groundtruth?region={region}#/labeling-jobs/details/{job_name}"


def _table(rows: Sequence[tuple[str, str]]) -> str:
    """Rows of ``label: value``, the values aligned."""
    width = max(len(label) for label, _ in rows) + 1
    return "\n".join(f"{label + ':' if label else '':<{width}}  {value}" for label, value in rows)


def _workteam(job: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(``private-crowd``, ``public-crowd`` or ``vendor-crowd``; the team name) of the job's work team."""
    arn = str((job.get("HumanTaskConfig") or {}).get("WorkteamArn", ""))
    match = _WORKTEAM.search(arn)
    return (match.group("kind"), match.group("name")) if match else (None, None)


def _client_error(error: Any) -> str:
    """``<code>: <message>`` of a botocore ``ClientError``."""
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'Error')}: {details.get('Message', str(error))}"
