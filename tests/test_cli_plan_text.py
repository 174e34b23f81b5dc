"""``groundtruth plan`` as text, for a region-agnostic Mechanical Turk project planned for a region (the one
synthesis of this module); the errors that need no synthesis; placeholders for every intrinsic function."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from groundtruth_cdk.cli import main
from groundtruth_cdk.cli.cfn_render import TemplateRenderer, partition_of, short_path
from groundtruth_cdk.cli.plan import format_text
from groundtruth_cdk.project import validate_project
from groundtruth_cdk.regions import BUILT_IN_LAMBDA_ACCOUNTS, HUMAN_TASK_UI_ACCOUNT
from tests.project_builders import mturk_project, valid_project, write_project, write_workforce


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plan-text")
    write_workforce(root)
    write_project(root, mturk_project(data={"prefix": "photos/", "objects": ["a.jpg", "b.jpg"]}), name="cars")
    write_project(root, valid_project(), name="teamed")
    write_project(root, valid_project(labels=[]), name="broken")
    return root


@pytest.fixture(scope="module")
def text(root: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["plan", "cars", "--region", "us-east-1", "--dir", str(root / "projects")])
    assert code == 0
    return out.getvalue()


def run(capsys: pytest.CaptureFixture[str], root: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["plan", *argv, "--dir", str(root / "projects")])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_three_parts(text: str, root: Path) -> None:
    lines = text.splitlines()
    assert lines[0] == f"Plan of project cars ({root / 'projects' / 'cars.yaml'}): stack GroundTruth-cars"
    assert lines[1] == (
        "Region us-east-1 (the template is region-agnostic: planned for this region); account the one you deploy with."
    )
    assert "1. The CreateLabelingJob request, as the deploy sends it" in lines
    assert any(line.startswith("2. The resources it creates (") for line in lines)
    assert any(line.startswith("3. IAM permissions (") for line in lines)


def test_region_mappings_and_pseudo_parameters_resolve_for_the_region(text: str) -> None:
    account = BUILT_IN_LAMBDA_ACCOUNTS["us-east-1"]
    assert f'"PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:{account}:function:PRE-BoundingBox"' in text
    assert f'"WorkteamArn": "arn:aws:sagemaker:us-east-1:{HUMAN_TASK_UI_ACCOUNT}:workteam/public-crowd/default"' in text
    assert '"AWS::Region"' not in text
    assert "Fn::" not in text


def test_the_price_and_the_inline_manifest(text: str) -> None:
    assert '"Dollars": 0,' in text
    assert '"Cents": 3,' in text
    assert '"TenthFractionsOfACent": 6' in text
    assert (
        '"ManifestS3Uri": "s3://<deploy-time: bucket Data/InputBucket>/groundtruth-cdk/cars-<8 hex, chosen at deploy>/'
        'input.manifest"'
    ) in text
    assert '"FreeOfPersonallyIdentifiableInformation"' in text


def test_the_resources_and_roles_as_text(text: str) -> None:
    assert "   Data (LabelingBuckets)" in text
    assert "   Job (LabelingJob)" in text
    assert "Custom::LabelingJob" in text
    assert "   Execution role Job/Role (" in text
    assert "     assumed by sagemaker.amazonaws.com" in text
    assert "       on <deploy-time: bucket Data/InputBucket.Arn>/photos/*" in text
    assert "       if StringEquals iam:PassedToService = sagemaker.amazonaws.com" in text
    assert "   Handler role Job/Provider/HandlerRole (" in text


def test_a_project_without_a_region_needs_one(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, root, "cars")
    assert (code, out) == (2, "")
    assert err == (
        f"groundtruth plan: {root / 'projects' / 'cars.yaml'} has no region (its template deploys to the region of "
        "your credentials): give --region, e.g. --region eu-west-1\n"
    )


@pytest.mark.parametrize(
    ("project", "region", "code", "message"),
    [
        ("teamed", "us-east-1", 1, "--region us-east-1: {file} deploys to eu-west-1 (its region)"),
        ("cars", "mars-1", 2, "--region: got 'mars-1'; give an AWS region name like eu-west-1"),
        ("cars", "sa-east-1", 1, "--region: got 'sa-east-1'; Ground Truth's built-in task types (PRE/ACS Lambdas)"),
    ],
)
def test_bad_regions_are_one_line(
    project: str, region: str, code: int, message: str, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result, out, err = run(capsys, root, project, "--region", region)
    assert (result, out) == (code, "")
    assert err.startswith("groundtruth plan: " + message.format(file=root / "projects" / f"{project}.yaml"))
    assert err.count("\n") == 1


def test_an_unknown_project_is_one_line(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, root, "trucks")
    assert (code, out) == (1, "")
    assert err.startswith("groundtruth plan: unknown project 'trucks': there is no ")
    assert "(the projects in " in err
    assert "broken, cars, teamed" in err


def test_an_invalid_project_prints_the_loaders_lines(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, root, "broken")
    assert (code, out) == (1, "")
    assert err.splitlines() == [str(p) for p in validate_project(root / "projects" / "broken.yaml")]


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--region" in out
    assert "--json" in out


def test_synthesis_warnings_are_shown() -> None:
    document: dict[str, Any] = {
        "project": "p",
        "file": "projects/p.yaml",
        "stack": "GroundTruth-p",
        "region": "eu-west-1",
        "region_agnostic": False,
        "account": "111122223333",
        "request": {},
        "resources": [],
        "iam": [],
        "warnings": [{"level": "warning", "path": "Data", "message": "add a CORS rule"}],
        "errors": [],
    }
    shown = format_text(document)
    assert "Region eu-west-1; account 111122223333." in shown
    assert shown.endswith("Synthesis messages\n   warning: Data: add a CORS rule")


# -- placeholders ---------------------------------------------------------------------------------

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Team": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/teams/a/arn"},
        "Size": {"Type": "Number"},
    },
    "Mappings": {"Accounts": {"eu-west-1": {"account": "123"}}},
    "Resources": {
        "Bucket1": {"Type": "AWS::S3::Bucket"},
        "Role1": {"Type": "AWS::IAM::Role"},
        "Thing1": {"Type": "AWS::Custom::Thing"},
    },
}


@pytest.fixture
def renderer() -> TemplateRenderer:
    paths = {"Bucket1": "Data/InputBucket", "Role1": "Job/Role"}
    return TemplateRenderer(TEMPLATE, paths, "eu-west-1", None, "GroundTruth-p")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Bucket1"}, "<deploy-time: bucket Data/InputBucket>"),
        ({"Fn::GetAtt": ["Role1", "Arn"]}, "<deploy-time: role Job/Role.Arn>"),
        ({"Fn::GetAtt": "Bucket1.Arn"}, "<deploy-time: bucket Data/InputBucket.Arn>"),
        ({"Ref": "Thing1"}, "<deploy-time: AWS::Custom::Thing Thing1>"),
        ({"Ref": "Team"}, "<deploy-time: SSM parameter /teams/a/arn>"),
        ({"Ref": "Size"}, "<parameter Size>"),
        ({"Ref": "AWS::AccountId"}, "<AWS::AccountId>"),
        ({"Ref": "AWS::StackName"}, "GroundTruth-p"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        (
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Bucket1"}, "/", 5]]},
            "arn:aws:s3:::<deploy-time: bucket Data/InputBucket>/5",
        ),
        ({"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "account"]}, "123"),
        (
            {"Fn::FindInMap": ["Accounts", "us-east-1", "account"]},
            "<deploy-time: Mappings Accounts[us-east-1][account]: not found>",
        ),
        (
            {"Fn::Sub": "s3://${Bucket1}/${AWS::Region}/${Role1.Arn}"},
            "s3://<deploy-time: bucket Data/InputBucket>/eu-west-1/<deploy-time: role Job/Role.Arn>",
        ),
        ({"Fn::Sub": ["${X}-${AWS::AccountId}", {"X": "x"}]}, "x-<AWS::AccountId>"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}, "b"),
        (
            {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "Bucket1"}]}]},
            '<deploy-time: Fn::Select 0 of <deploy-time: Fn::Split "," of <deploy-time: bucket Data/InputBucket>>>',
        ),
        ({"Fn::Base64": "x"}, '<deploy-time: Fn::Base64 "x">'),
        ({"a": [1, {"Ref": "AWS::NoValue"}], "b": {"Ref": "AWS::NoValue"}}, {"a": [1]}),
        ({"Key": 3, "Flag": True}, {"Key": 3, "Flag": True}),
    ],
)
def test_every_intrinsic_function_becomes_a_value_or_a_placeholder(
    value: Any, expected: Any, renderer: TemplateRenderer
) -> None:
    assert renderer.render(value) == expected


def test_text_joins_lists(renderer: TemplateRenderer) -> None:
    assert renderer.text([{"Ref": "Bucket1"}, "b"]) == "<deploy-time: bucket Data/InputBucket>, b"
    assert renderer.text({"a": 1}) == '{"a": 1}'


def test_a_known_account_is_shown() -> None:
    renderer = TemplateRenderer(TEMPLATE, {}, "cn-north-1", "111122223333", "S")
    assert renderer.render({"Ref": "AWS::AccountId"}) == "111122223333"
    assert renderer.render({"Ref": "AWS::Partition"}) == "aws-cn"
    assert renderer.render({"Ref": "AWS::URLSuffix"}) == "amazonaws.com.cn"


def test_partitions_and_short_paths() -> None:
    assert [partition_of(r) for r in ("eu-west-1", "cn-north-1", "us-gov-west-1")] == ["aws", "aws-cn", "aws-us-gov"]
    assert short_path("S/Job/Role/Resource/Resource", "S") == "Job/Role"
    assert short_path("S/Job/Resource/Default", "S") == "Job"
    assert short_path("S/Resource", "S") == "Resource"
