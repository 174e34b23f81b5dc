"""``groundtruth plan --json`` for a private-team project in its region: the request with typed values and
placeholders, the resources by construct, and every IAM statement. The stack is synthesized once."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from groundtruth_cdk.cli import main
from groundtruth_cdk.cli import plan as plan_command
from groundtruth_cdk.cli.common import CliError
from groundtruth_cdk.handlers.labeling_job import data_setup
from groundtruth_cdk.handlers.labeling_job import index as handler
from groundtruth_cdk.regions import BUILT_IN_LAMBDA_ACCOUNTS
from tests.project_builders import TEAM, valid_project, write_project, write_workforce

JOB = "cars-<8 hex, chosen at deploy>"
INPUT = "<deploy-time: bucket Data/InputBucket>"
OUTPUT = "<deploy-time: bucket Data/OutputBucket>"
FOLDER = f"s3://{INPUT}/groundtruth-cdk/{JOB}/"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("plan")
    write_workforce(root)
    write_project(
        root,
        valid_project(
            keywords=["image", "vehicles"],
            workers_per_object=3,
            task_time="10m",
            max_concurrent_tasks=200,
            stopping_conditions={"max_human_labeled_objects": 5000},
            tags={"team": "vision"},
            output={"prefix": "boxes/"},
        ),
        name="cars",
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["plan", "cars", "--json", "--dir", str(root / "projects")])
    assert code == 0
    parsed: dict[str, Any] = json.loads(out.getvalue())
    return parsed


@pytest.fixture(scope="module")
def request_(document: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = document["request"]
    return value


def role(document: dict[str, Any], path: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in document["iam"] if r["role"] == path)
    return found


def test_the_document_names_the_project_stack_and_region(document: dict[str, Any]) -> None:
    assert document["project"] == "cars"
    assert document["stack"] == "GroundTruth-cars"
    assert document["region"] == "eu-west-1"
    assert document["region_agnostic"] is False
    assert document["errors"] == []
    assert set(document) >= {"request", "resources", "iam"}


def test_no_cloudformation_function_is_left(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert "Fn::" not in text
    assert '"Ref"' not in text


def test_the_request_has_typed_values(request_: dict[str, Any]) -> None:
    task = request_["HumanTaskConfig"]
    assert task["NumberOfHumanWorkersPerDataObject"] == 3
    assert task["TaskTimeLimitInSeconds"] == 600
    assert task["TaskAvailabilityLifetimeInSeconds"] == 864000
    assert task["MaxConcurrentTaskCount"] == 200
    assert request_["StoppingConditions"] == {"MaxHumanLabeledObjectCount": 5000}
    for value in (task["NumberOfHumanWorkersPerDataObject"], task["TaskTimeLimitInSeconds"]):
        assert type(value) is int
    assert task["TaskKeywords"] == ["image", "vehicles"]
    assert task["TaskTitle"] == "Vehicles"
    assert request_["LabelAttributeName"] == "image-bounding-box"


def test_the_request_shows_deploy_time_values_as_placeholders(request_: dict[str, Any]) -> None:
    assert request_["LabelingJobName"] == JOB
    assert request_["RoleArn"] == "<deploy-time: role Job/Role.Arn>"
    assert request_["OutputConfig"] == {"S3OutputPath": f"s3://{OUTPUT}/boxes/"}
    task = request_["HumanTaskConfig"]
    assert task["WorkteamArn"] == f"<deploy-time: SSM parameter /groundtruth-cdk/workteams/{TEAM}/arn>"
    account = BUILT_IN_LAMBDA_ACCOUNTS["eu-west-1"]
    assert task["PreHumanTaskLambdaArn"] == f"arn:aws:lambda:eu-west-1:{account}:function:PRE-BoundingBox"
    assert task["AnnotationConsolidationConfig"] == {
        "AnnotationConsolidationLambdaArn": f"arn:aws:lambda:eu-west-1:{account}:function:ACS-BoundingBox"
    }


def test_the_request_has_what_the_handler_fills_in(request_: dict[str, Any]) -> None:
    assert request_["InputConfig"]["DataSource"] == {"S3DataSource": {"ManifestS3Uri": f"{FOLDER}input.manifest"}}
    assert request_["HumanTaskConfig"]["UiConfig"] == {"UiTemplateS3Uri": f"{FOLDER}template.liquid"}
    assert request_["LabelCategoryConfigS3Uri"] == f"{FOLDER}label-categories.json"
    assert request_["Tags"] == [
        {"Key": "team", "Value": "vision"},
        {"Key": "groundtruth-cdk:stack-id", "Value": "<AWS::StackId>"},
        {"Key": "groundtruth-cdk:logical-id", "Value": request_["Tags"][2]["Value"]},
    ]
    assert request_["Tags"][2]["Value"].startswith("Job")
    assert list(request_)[:6] == [
        "LabelingJobName",
        "LabelAttributeName",
        "InputConfig",
        "OutputConfig",
        "RoleArn",
        "LabelCategoryConfigS3Uri",
    ]


def test_the_handler_agrees_on_file_names_and_tags() -> None:
    artifacts = {a.property_name: (a.file_name, a.request_path) for a in handler._ARTIFACTS}
    for names, file_name, request_path in plan_command.ARTIFACT_FILES:
        for name in names:
            if name in artifacts:
                assert artifacts[name] == (file_name, request_path)
    assert data_setup.MANIFEST_FILE == "input.manifest"
    assert (plan_command.STACK_ID_TAG, plan_command.LOGICAL_ID_TAG) == (handler.STACK_ID_TAG, handler.LOGICAL_ID_TAG)
    assert handler.NAME_HASH_LENGTH == 8


def test_the_resources_are_grouped_by_construct(document: dict[str, Any]) -> None:
    groups = {group["group"]: group for group in document["resources"]}
    assert list(groups) == ["Data", "Job/Role", "Job/Provider", "Job"]
    assert [g["construct"] for g in groups.values()] == [
        "LabelingBuckets",
        "LabelingJobRole",
        "JobProvider",
        "LabelingJob",
    ]
    buckets = [r for r in groups["Data"]["resources"] if r["type"] == "AWS::S3::Bucket"]
    assert [r["path"] for r in buckets] == [
        "GroundTruth-cars/Data/AccessLogsBucket/Resource",
        "GroundTruth-cars/Data/InputBucket/Resource",
        "GroundTruth-cars/Data/OutputBucket/Resource",
    ]
    assert [r["type"] for r in groups["Job"]["resources"]] == ["Custom::LabelingJob"]
    every = [r for group in document["resources"] for r in group["resources"]]
    assert all(r["path"].startswith("GroundTruth-cars/") and r["logical_id"] and r["type"] for r in every)
    assert len({r["logical_id"] for r in every}) == len(every)
    types = {r["type"] for r in every}
    assert {"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::Lambda::Function", "AWS::Logs::LogGroup"} <= types


def test_the_execution_role_comes_first_with_its_bucket_scoped_statements(document: dict[str, Any]) -> None:
    execution = document["iam"][0]
    assert execution["role"] == "Job/Role"
    assert execution["kind"] == "execution role"
    assert execution["assumed_by"] == ["sagemaker.amazonaws.com"]
    assert execution["managed_policies"] == []
    assert [r["kind"] for r in document["iam"][1:]] == ["handler role"] * (len(document["iam"]) - 1)
    statements = {s["sid"]: s for s in execution["statements"]}
    assert statements["ListDataBuckets"]["actions"] == ["s3:GetBucketLocation", "s3:ListBucket"]
    assert sorted(statements["ListDataBuckets"]["resources"]) == [
        "<deploy-time: bucket Data/InputBucket.Arn>",
        "<deploy-time: bucket Data/OutputBucket.Arn>",
    ]
    assert statements["ReadInputData"]["actions"] == ["s3:GetObject"]
    assert sorted(statements["ReadInputData"]["resources"]) == [
        "<deploy-time: bucket Data/InputBucket.Arn>/groundtruth-cdk/*",
        "<deploy-time: bucket Data/InputBucket.Arn>/images/*",
    ]
    assert statements["WriteLabels"] == {
        "policy": "Job/Role/Resource/DefaultPolicy",
        "sid": "WriteLabels",
        "effect": "Allow",
        "actions": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
        "resources": ["<deploy-time: bucket Data/OutputBucket.Arn>/boxes/*"],
        "conditions": {},
    }
    assert all("<AWS::AccountId>" in r for r in statements["WriteJobLogs"]["resources"])


def test_the_handler_roles_are_listed_with_their_conditions(document: dict[str, Any]) -> None:
    handler_role = role(document, "Job/Provider/HandlerRole")
    assert handler_role["assumed_by"] == ["lambda.amazonaws.com"]
    assert handler_role["used_by"] == ["function Job/Provider/OnEvent"]
    statements = {s["sid"]: s for s in handler_role["statements"]}
    assert statements["PassTheJobRoleToSageMaker"]["resources"] == ["<deploy-time: role Job/Role.Arn>"]
    assert statements["PassTheJobRoleToSageMaker"]["conditions"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    assert statements["ManageThisLabelingJob"]["resources"] == [
        "arn:aws:sagemaker:eu-west-1:<AWS::AccountId>:labeling-job/cars-????????"
    ]
    assert role(document, "Job/Provider/StatusRole")["used_by"] == ["function Job/Provider/IsComplete"]
    assert all(r["statements"] for r in document["iam"])
    assert not any("*" in s.get("actions", []) for r in document["iam"] for s in r["statements"])


def test_cdk_context_is_read_from_the_apps_cdk_json(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text('{"app": "x", "context": {"@aws-cdk/aws-iam:minimizePolicies": true}}')
    project = write_project(tmp_path, valid_project())
    assert plan_command.cdk_context(project) == {"@aws-cdk/aws-iam:minimizePolicies": True}
    (tmp_path / "cdk.json").write_text("{nope")
    with pytest.raises(CliError, match=r"cdk.json cannot be read"):
        plan_command.cdk_context(project)


def test_a_chained_project_is_planned_with_the_stack_it_follows(tmp_path: Path) -> None:
    write_workforce(tmp_path)
    write_project(tmp_path, valid_project(), name="boxes")
    path = write_project(
        tmp_path,
        valid_project(
            task_type="image-bounding-box-verification",
            labels=["correct", "wrong"],
            data={"previous_project": "boxes"},
        ),
        name="review",
    )
    from groundtruth_cdk.project import load_project

    document = plan_command.make_plan(load_project(path), "eu-west-1")
    assert (document["project"], document["stack"]) == ("review", "GroundTruth-review")
    assert document["errors"] == []
    assert document["request"]["HumanTaskConfig"]["PreHumanTaskLambdaArn"].endswith("PRE-VerificationBoundingBox")
