"""``groundtruth status`` with botocore Stubbers on CloudFormation, SageMaker and SSM: progress, failure,
workforces, and the errors (stack or job not found, no credentials, no region) as one line each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from groundtruth_cdk.cli import main
from groundtruth_cdk.cli import status as status_command
from groundtruth_cdk.cli.status import PORTAL_URL_PARAMETER, AwsClients, progress_bar
from tests.project_builders import mturk_project, valid_project, write_project, write_workforce

REGION = "eu-west-1"
STACK = "GroundTruth-cars"
JOB = "cars-1a2b3c4d"
ACCOUNT = "111122223333"
JOB_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/{JOB}"
TEAM_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/private-crowd/labelers"
PUBLIC_ARN = f"arn:aws:sagemaker:{REGION}:394669845002:workteam/public-crowd/default"
PORTAL = "https://abc123.labeling.eu-west-1.sagemaker.aws"
TEAM_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:labelers-new-tasks"
OUTPUT_URI = f"s3://cars-output/labels/{JOB}/manifests/output/output.manifest"
CONSOLE = f"https://{REGION}.console.aws.amazon.com/sagemaker/groundtruth?region={REGION}#/labeling-jobs/details/{JOB}"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    write_workforce(tmp_path)
    write_project(tmp_path, valid_project(), name="cars")
    write_project(tmp_path, mturk_project(), name="photos")
    return tmp_path / "projects"


def describe_job_response(
    name: str, status: str, counters: dict[str, int], *, output_path: str, workteam: str = TEAM_ARN, **extra: Any
) -> dict[str, Any]:
    """A DescribeLabelingJob response for job ``name`` (valid against the API model); ``extra`` adds fields."""
    return {
        "LabelingJobStatus": status,
        "LabelCounters": counters,
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        "JobReferenceCode": "ref",
        "LabelingJobName": name,
        "LabelingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:labeling-job/{name}",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://in/x.manifest"}}},
        "OutputConfig": {"S3OutputPath": output_path},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/job",
        "HumanTaskConfig": {
            "WorkteamArn": workteam,
            "UiConfig": {"UiTemplateS3Uri": "s3://in/template.liquid"},
            "PreHumanTaskLambdaArn": "arn:aws:lambda:eu-west-1:568282634449:function:PRE-BoundingBox",
            "TaskTitle": "Vehicles",
            "TaskDescription": "Box every vehicle",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": "arn:aws:lambda:eu-west-1:568282634449:function:ACS-BoundingBox"
            },
        },
        **extra,
    }


class Aws:
    """Real boto3 clients with Stubbers; ``status`` gets them instead of its own."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients
        self.cloudformation = Stubber(self.clients.cloudformation)
        self.sagemaker = Stubber(self.clients.sagemaker)
        self.ssm = Stubber(self.clients.ssm)
        self.regions: list[str | None] = []

    def stubbers(self) -> tuple[Stubber, Stubber, Stubber]:
        return self.cloudformation, self.sagemaker, self.ssm

    def make(self, region: str | None) -> AwsClients:
        self.regions.append(region)
        return self.clients

    def stack(self, stack_name: str = STACK, outputs: list[dict[str, str]] | None = None, **extra: Any) -> None:
        stack = {"StackName": stack_name, "CreationTime": NOW, "StackStatus": "CREATE_COMPLETE", **extra}
        if outputs is None:
            outputs = [
                {"OutputKey": "JobJobName149FC35C", "OutputValue": JOB},
                {"OutputKey": "JobJobArn5C56EC4B", "OutputValue": JOB_ARN},
                {"OutputKey": "JobOutputManifestUri4DE6DE24", "OutputValue": OUTPUT_URI},
                {"OutputKey": "JobConsoleUrl16C76DE0", "OutputValue": CONSOLE},
                {"OutputKey": "JobObjectCount3B636723", "OutputValue": "100"},
            ]
        stack["Outputs"] = outputs
        self.cloudformation.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": stack_name})

    def job(self, status: str, counters: dict[str, int], workteam: str = TEAM_ARN, **extra: Any) -> None:
        response = describe_job_response(
            JOB, status, counters, output_path="s3://cars-output/labels/", workteam=workteam, **extra
        )
        self.sagemaker.add_response("describe_labeling_job", response, {"LabelingJobName": JOB})

    def portal(self, team_topic: str | None = TEAM_TOPIC) -> None:
        """The portal URL in SSM and the team (whose new-task topic ``status`` reads after the job)."""
        self.ssm.add_response(
            "get_parameter",
            {"Parameter": {"Name": PORTAL_URL_PARAMETER, "Type": "String", "Value": PORTAL}},
            {"Name": PORTAL_URL_PARAMETER},
        )
        self.team(team_topic)

    def team(self, team_topic: str | None = TEAM_TOPIC) -> None:
        workteam: dict[str, Any] = {
            "WorkteamName": TEAM_ARN.rsplit("/", 1)[1],
            "MemberDefinitions": [
                {"CognitoMemberDefinition": {"UserPool": "eu-west-1_abc", "UserGroup": "g", "ClientId": "c"}}
            ],
            "WorkteamArn": TEAM_ARN,
            "Description": "team",
        }
        if team_topic is not None:
            workteam["NotificationConfiguration"] = {"NotificationTopicArn": team_topic}
        self.sagemaker.add_response(
            "describe_workteam", {"Workteam": workteam}, {"WorkteamName": TEAM_ARN.rsplit("/", 1)[1]}
        )


@pytest.fixture(scope="module")
def clients() -> AwsClients:
    """Real clients, made once (a Stubber per test answers for them)."""
    session = boto3.session.Session(region_name=REGION)
    return AwsClients(
        region=REGION,
        cloudformation=session.client("cloudformation"),
        sagemaker=session.client("sagemaker"),
        ssm=session.client("ssm"),
    )


@pytest.fixture
def aws(clients: AwsClients, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    fake = Aws(clients)
    monkeypatch.setattr(status_command, "aws_clients", fake.make)
    for stubber in fake.stubbers():
        stubber.activate()
    yield fake
    for stubber in fake.stubbers():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def status(capsys: pytest.CaptureFixture[str], projects: Path, *argv: str) -> tuple[int, list[str], str]:
    code = main(["status", *argv, "--dir", str(projects)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_a_job_in_progress_with_its_counters(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack()
    aws.job(
        "InProgress",
        {"TotalLabeled": 40, "HumanLabeled": 38, "MachineLabeled": 2, "FailedNonRetryableError": 1, "Unlabeled": 59},
    )
    aws.portal()
    code, out, err = status(capsys, projects, "cars")
    assert (code, err) == (0, "")
    assert aws.regions == [REGION]  # the project's region
    assert out == [
        f"Project:   cars (stack {STACK}, {REGION})",
        f"Job:       {JOB}",
        "Status:    InProgress",
        f"Progress:  [{'#' * 12}{'-' * 18}]  40% (40/100 labeled)",
        "           human 38, machine 2, failed 1, unlabeled 59",
        f"Workers:   private team labelers; labeling portal {PORTAL}",
        f"Tasks:     new ones e-mailed to the team via {TEAM_TOPIC}",
        f"Output:    {OUTPUT_URI} (written when the job completes)",
        f"Console:   {CONSOLE}",
    ]


def test_a_failed_job_shows_its_reason(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack()
    reason = "ClientError: Input manifest s3://in/x.manifest is empty"
    aws.job("Failed", {"Unlabeled": 0}, FailureReason=reason)
    aws.portal()
    code, out, err = status(capsys, projects, "cars")
    assert (code, err) == (0, "")
    assert "Status:    Failed" in out
    assert f"Failure:   {reason}" in out
    assert f"Progress:  [{'-' * 30}] no data objects yet" in out


def test_a_completed_mechanical_turk_job_needs_no_portal(
    aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.stack("GroundTruth-photos")
    final = f"s3://out/{JOB}/manifests/output/output.manifest"
    aws.job(
        "Completed",
        {"TotalLabeled": 10, "HumanLabeled": 10, "Unlabeled": 0},
        workteam=PUBLIC_ARN,
        LabelingJobOutput={"OutputDatasetS3Uri": final},
    )
    code, out, err = status(capsys, projects, "photos", "--region", REGION)
    assert (code, err) == (0, "")
    assert aws.regions == [REGION]
    assert f"Progress:  [{'#' * 30}] 100% (10/10 labeled)" in out
    assert "Workers:   Amazon Mechanical Turk" in out
    assert f"Output:    {final}" in out


def test_a_vendor_job_and_no_console_output(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack(outputs=[{"OutputKey": "JobJobName149FC35C", "OutputValue": JOB}])
    aws.job("InProgress", {"Unlabeled": 5}, workteam=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:workteam/vendor-crowd/acme")
    code, out, _ = status(capsys, projects, "cars")
    assert code == 0
    assert "Workers:   vendor team acme" in out
    assert f"Console:   {CONSOLE}" in out
    assert not any(line.startswith("Output:") for line in out)


def test_a_portal_url_that_is_not_published(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack()
    aws.job("InProgress", {"Unlabeled": 5})
    aws.ssm.add_client_error("get_parameter", "ParameterNotFound", "not found", 400)
    aws.team(team_topic=None)
    code, out, _ = status(capsys, projects, "cars")
    assert code == 0
    assert (
        f"Workers:   private team labelers; labeling portal not published (SSM parameter {PORTAL_URL_PARAMETER}): "
        "deploy the workforce stack"
    ) in out
    assert "Tasks:     new ones not e-mailed (notify: false)" in out


def test_a_stack_that_is_not_found(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.cloudformation.add_client_error(
        "describe_stacks", "ValidationError", f"Stack with id {STACK} does not exist", 400
    )
    code, out, err = status(capsys, projects, "cars")
    assert (code, out) == (1, [])
    assert err == (
        f"groundtruth status: stack {STACK} not found in {REGION}: deploy it (cdk deploy {STACK}) or give the region "
        "it is in (--region)\n"
    )


def test_a_stack_still_being_created(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack(outputs=[], StackStatus="CREATE_IN_PROGRESS")
    code, _, err = status(capsys, projects, "cars")
    assert code == 1
    assert err == (
        f"groundtruth status: stack {STACK} is CREATE_IN_PROGRESS: the job is not created yet, try again in a minute\n"
    )


def test_a_stack_that_rolled_back(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack(outputs=[], StackStatus="ROLLBACK_COMPLETE", StackStatusReason="The following resource(s) failed")
    code, _, err = status(capsys, projects, "cars")
    assert code == 1
    assert err.count("\n") == 1
    assert "is ROLLBACK_COMPLETE and has no job name output (The following resource(s) failed)" in err


def test_a_job_that_is_not_found(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack()
    aws.sagemaker.add_client_error("describe_labeling_job", "ResourceNotFound", f"Could not find job {JOB}", 400)
    code, out, err = status(capsys, projects, "cars")
    assert (code, out) == (1, [])
    assert err == (
        f"groundtruth status: labeling job {JOB} not found in {REGION}: ResourceNotFound: Could not find job {JOB}\n"
    )


def test_other_aws_errors_are_one_line(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.cloudformation.add_client_error("describe_stacks", "AccessDenied", "not allowed", 403)
    code, _, err = status(capsys, projects, "cars")
    assert code == 1
    assert err == "groundtruth status: AWS error: AccessDenied: not allowed\n"


@pytest.fixture
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials and no region anywhere (and no instance metadata to ask)."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.mark.usefixtures("no_aws_configuration")
def test_no_credentials_is_one_line(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = status(capsys, projects, "cars")
    assert (code, out) == (1, [])
    assert err == (
        "groundtruth status: no AWS credentials: configure them (aws configure, AWS_PROFILE or the AWS_* environment "
        "variables)\n"
    )


@pytest.mark.usefixtures("no_aws_configuration")
def test_no_region_is_one_line(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = status(capsys, projects, "photos")  # region-agnostic, and no region configured
    assert code == 1
    assert err == (
        "groundtruth status: no AWS region: give --region, or set AWS_REGION or a region in your AWS profile\n"
    )


def test_an_unknown_project_is_one_line(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = status(capsys, projects, "trucks")
    assert code == 1
    assert err.startswith("groundtruth status: unknown project 'trucks': ")
    assert err.count("\n") == 1


def test_progress_bar() -> None:
    assert progress_bar(0, 0, width=10) == "[----------] no data objects yet"
    assert progress_bar(1, 3, width=10) == "[###-------]  33% (1/3 labeled)"
    assert progress_bar(3, 3, width=10) == "[##########] 100% (3/3 labeled)"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--help"]) == 0
    assert "--region" in capsys.readouterr().out


# -- streaming, notifications and chains --------------------------------------------------------------------------

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:GroundTruth-cars-Job-Notifications"
INPUT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:GroundTruth-cars-Job-Input"
OUTPUT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:GroundTruth-cars-Job-Output"
PREVIOUS = "boxes-9f8e7d6c"


def outputs(**extra: str) -> list[dict[str, str]]:
    """The job outputs, with extra ones by name (their keys end in 8 hex digits, as CDK writes them)."""
    base = [
        {"OutputKey": "JobJobName149FC35C", "OutputValue": JOB},
        {"OutputKey": "JobConsoleUrl16C76DE0", "OutputValue": CONSOLE},
    ]
    return base + [{"OutputKey": f"Job{name}0A1B2C3D", "OutputValue": value} for name, value in extra.items()]


def test_a_streaming_job_with_notifications(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack(
        outputs=outputs(
            InputTopicArn=INPUT_TOPIC,
            OutputTopicArn=OUTPUT_TOPIC,
            StreamingQueueName=f"GroundTruth-{JOB}",
            NotificationTopicArn=TOPIC,
        )
    )
    aws.job("InProgress", {"TotalLabeled": 3, "HumanLabeled": 3, "Unlabeled": 1})
    aws.portal()
    code, out, err = status(capsys, projects, "cars")
    assert (code, err) == (0, "")
    assert out[-5:] == [
        f"Stream:    input topic {INPUT_TOPIC}",
        f"           output topic {OUTPUT_TOPIC}",
        f"           SQS queue GroundTruth-{JOB} (Ground Truth leaves it behind: delete it after the job)",
        f"Notify:    status changes go to {TOPIC}",
        f"Console:   {CONSOLE}",
    ]


def test_a_chained_job_that_has_started(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack(outputs=outputs(FollowsJob=PREVIOUS, ChainStatus="Started"))
    aws.job("InProgress", {"TotalLabeled": 1, "HumanLabeled": 1, "Unlabeled": 1})
    aws.portal()
    code, out, _ = status(capsys, projects, "cars")
    assert code == 0
    assert "Status:    InProgress" in out
    assert f"Follows:   {PREVIOUS} (labels its output; chain: Started)" in out


def previous_job(aws: Aws, status_: str, counters: dict[str, int]) -> None:
    response = describe_job_response(PREVIOUS, status_, counters, output_path="s3://out/labels/")
    aws.sagemaker.add_response("describe_labeling_job", response, {"LabelingJobName": PREVIOUS})


def test_a_chained_job_waiting_for_the_job_it_follows(
    aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.stack(outputs=outputs(FollowsJob=PREVIOUS, ChainStatus="Waiting", NotificationTopicArn=TOPIC))
    aws.sagemaker.add_client_error("describe_labeling_job", "ResourceNotFound", f"Could not find job {JOB}", 400)
    previous_job(aws, "InProgress", {"TotalLabeled": 15, "Unlabeled": 15})
    code, out, err = status(capsys, projects, "cars")
    assert (code, err) == (0, "")
    assert out == [
        f"Project:   cars (stack {STACK}, {REGION})",
        f"Job:       {JOB} (not created yet)",
        f"Status:    waiting for {PREVIOUS} to complete; it starts by itself then",
        f"Previous:  {PREVIOUS}: InProgress, [{'#' * 15}{'-' * 15}]  50% (15/30 labeled)",
        f"Follows:   {PREVIOUS} (labels its output; chain: Waiting)",
        f"Notify:    status changes go to {TOPIC}",
        f"Console:   {CONSOLE.replace(JOB, PREVIOUS)} (the previous job)",
    ]


def test_a_chained_job_whose_previous_job_failed(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws.stack(outputs=outputs(FollowsJob=PREVIOUS))
    aws.sagemaker.add_client_error("describe_labeling_job", "ResourceNotFound", f"Could not find job {JOB}", 400)
    previous_job(aws, "Failed", {"Unlabeled": 10})
    code, out, _ = status(capsys, projects, "cars")
    assert code == 0
    assert out[2] == (
        f"Status:    not started: {PREVIOUS} is Failed, so this job will not start (deploy again to retry)"
    )
    assert f"Follows:   {PREVIOUS} (labels its output)" in out


def test_only_the_outputs_of_the_job_count(aws: Aws, projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Outputs of other constructs with similar names are not the job's."""
    aws.stack(outputs=[*outputs(), {"OutputKey": "OtherTopicArnNotify", "OutputValue": "x"}])
    aws.job("InProgress", {"Unlabeled": 1})
    aws.portal()
    code, out, _ = status(capsys, projects, "cars")
    assert code == 0
    assert not any(line.startswith(("Notify:", "Stream:", "Follows:")) for line in out)
