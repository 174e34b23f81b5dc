"""The app: one stack per project file with stable names, a workforce stack per region in use and the
dependency on it, ``-c project=`` limiting, region-agnostic projects. Each scenario is built once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

import app as example_app
from groundtruth_cdk.project import ProjectError
from groundtruth_cdk.regions import SUPPORTED_REGIONS
from groundtruth_cdk.stacks import LabelingProjectStack, ProjectStacks, WorkforceStack, add_project_stacks
from tests.builders import flat, flat_resolved
from tests.project_builders import mturk_project, valid_project, write_project, write_workforce

VENDOR = "arn:aws:sagemaker:eu-west-1:111122223333:workteam/vendor-crowd/acme"
WORKFORCES = {
    "eu-west-1": {
        "teams": [
            {"name": "labelers", "description": "Labels things", "members": ["ana@example.com"]},
            {"name": "reviewers", "description": "Reviews things", "members": ["bo@example.com"]},
        ]
    },
    "us-east-1": {"teams": [{"name": "us-labelers", "description": "Labels in the US"}]},
    "ap-south-1": {"teams": [{"name": "unused", "description": "No project uses it"}]},
}
PROJECTS: dict[str, dict[str, Any]] = {
    "alpha": valid_project(),
    "beta": valid_project(
        region="us-east-1",
        account="111122223333",
        workers={"team": "us-labelers"},
        data={"manifest": "s3://us-data/input.manifest"},
    ),
    "gamma": mturk_project(),
    "delta": valid_project(
        workers={"vendor": VENDOR}, data={"bucket": "existing-data", "prefix": "cams/", "data_type": "image"}
    ),
    "epsilon": valid_project(workers={"team": "reviewers"}, data={"objects": ["a.jpg"]}),
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app")
    write_workforce(root, WORKFORCES)
    for name, project in PROJECTS.items():
        write_project(root, project, name=name)
    return root


def build(tree: Path, **context: str) -> tuple[cdk.App, ProjectStacks]:
    app = cdk.App(context=context)
    stacks = add_project_stacks(
        app, projects_dir=tree / "projects", workforce_file=tree / "workforce.yaml", **_only(context)
    )
    return app, stacks


def _only(context: dict[str, str]) -> dict[str, str]:
    return {"project": context["project"]} if "project" in context else {}


@pytest.fixture(scope="module")
def full(tree: Path) -> tuple[cdk.App, ProjectStacks]:
    return build(tree)


def stack_names(app: cdk.App) -> list[str]:
    return sorted(child.stack_name for child in app.node.children if isinstance(child, cdk.Stack))


def test_one_stack_per_project_and_one_workforce_stack_per_region_in_use(full: tuple[cdk.App, ProjectStacks]) -> None:
    app, stacks = full
    assert stack_names(app) == [
        "GroundTruth-Workforce-eu-west-1",
        "GroundTruth-Workforce-us-east-1",
        "GroundTruth-alpha",
        "GroundTruth-beta",
        "GroundTruth-delta",
        "GroundTruth-epsilon",
        "GroundTruth-gamma",
    ]
    assert sorted(stacks.projects) == sorted(PROJECTS)
    assert sorted(stacks.workforces) == ["eu-west-1", "us-east-1"]
    for name, stack in stacks.projects.items():
        assert isinstance(stack, LabelingProjectStack)
        assert stack.node.id == stack.stack_name == f"GroundTruth-{name}"
        assert stack.project.name == name


def test_project_stacks_depend_on_their_region_s_workforce_stack(full: tuple[cdk.App, ProjectStacks]) -> None:
    _, stacks = full
    europe, america = stacks.workforces["eu-west-1"], stacks.workforces["us-east-1"]
    depends = {name: set(stack.dependencies) for name, stack in stacks.projects.items()}
    assert depends == {"alpha": {europe}, "beta": {america}, "gamma": set(), "delta": set(), "epsilon": {europe}}


def test_environments(full: tuple[cdk.App, ProjectStacks]) -> None:
    _, stacks = full
    alpha, beta, gamma = (stacks.projects[n] for n in ("alpha", "beta", "gamma"))
    assert alpha.region == "eu-west-1"
    assert cdk.Token.is_unresolved(alpha.account)
    assert (beta.region, beta.account) == ("us-east-1", "111122223333")
    assert cdk.Token.is_unresolved(gamma.region)
    assert cdk.Token.is_unresolved(gamma.account)
    america = stacks.workforces["us-east-1"]
    assert (america.region, america.account) == ("us-east-1", "111122223333")


def test_the_workforce_stack_has_the_region_s_teams(full: tuple[cdk.App, ProjectStacks]) -> None:
    _, stacks = full
    assert isinstance(stacks.workforces["eu-west-1"], WorkforceStack)
    assert sorted(stacks.workforces["eu-west-1"].teams) == ["labelers", "reviewers"]
    assert sorted(stacks.workforces["us-east-1"].teams) == ["us-labelers"]


def test_the_stack_builds_the_job_the_loader_checked(full: tuple[cdk.App, ProjectStacks]) -> None:
    _, stacks = full
    for stack in stacks.projects.values():
        settings = stack.project.job_settings(stack.buckets.input_bucket)
        checked = settings.request(
            stack.job, role_arn=stack.job.role.role_arn, output_path=stack.buckets.output_path_uri
        )
        assert flat(stack, checked) == flat(stack, stack.job.request)
        assert stack.job.request["LabelingJobName"] == stack.project.name


def test_the_input_bucket_is_new_or_the_data_s_own(full: tuple[cdk.App, ProjectStacks]) -> None:
    _, stacks = full
    alpha, beta, delta = (stacks.projects[n] for n in ("alpha", "beta", "delta"))
    assert isinstance(alpha.buckets.input_bucket, s3.Bucket)
    assert alpha.buckets.input_prefix == "images/"
    assert (delta.buckets.input_bucket.bucket_name, delta.buckets.input_prefix) == ("existing-data", "cams/")
    assert (beta.buckets.input_bucket.bucket_name, beta.buckets.input_prefix) == ("us-data", "")
    assert isinstance(alpha.buckets.output_bucket, s3.Bucket)
    assert alpha.buckets.output_prefix == "labels/"


def test_project_limits_the_app_to_one_project_and_its_workforce(tree: Path) -> None:
    app, stacks = build(tree, project="alpha")
    assert stack_names(app) == ["GroundTruth-Workforce-eu-west-1", "GroundTruth-alpha"]
    assert list(stacks.projects) == ["alpha"]
    app, _ = build(tree, project="delta")
    assert stack_names(app) == ["GroundTruth-delta"]


def test_an_unknown_project_lists_the_projects(tree: Path) -> None:
    with pytest.raises(ProjectError) as raised:
        build(tree, project="omega")
    (problem,) = raised.value.problems
    assert problem.field == "project"
    assert problem.message == f"got 'omega'; the projects in {tree / 'projects'}: alpha, beta, delta, epsilon, gamma"


def test_one_broken_project_does_not_stop_another_from_being_limited_to(tmp_path: Path) -> None:
    write_workforce(tmp_path, WORKFORCES)
    write_project(tmp_path, PROJECTS["gamma"], name="gamma")
    write_project(tmp_path, "title: [", name="broken")
    app, _ = build(tmp_path, project="gamma")
    assert stack_names(app) == ["GroundTruth-gamma"]
    with pytest.raises(ProjectError) as raised:
        build(tmp_path)
    assert [p.field for p in raised.value.problems] == ["YAML syntax"]


def test_projects_sharing_a_workforce_stack_need_the_same_account(tmp_path: Path) -> None:
    write_workforce(tmp_path, WORKFORCES)
    one = write_project(tmp_path, valid_project(account="111122223333"), name="one")
    two = write_project(tmp_path, valid_project(), name="two")
    with pytest.raises(ProjectError) as raised:
        build(tmp_path)
    assert [(p.file, p.field) for p in raised.value.problems] == [(str(one), "account"), (str(two), "account")]
    assert "share its workforce stack, so they need the same account (given: 111122223333: one; none: two)" in str(
        raised.value
    )


def test_a_folder_without_projects(tmp_path: Path) -> None:
    (tmp_path / "projects").mkdir()
    with pytest.raises(ProjectError, match="got no project files"):
        build(tmp_path)


@pytest.fixture(scope="module")
def agnostic_template(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python app.py -c project=gamma``, synthesized once."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context={"project": "gamma"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(example_app, "PROJECTS_DIR", tree / "projects")
        patch.setattr(example_app, "WORKFORCE_FILE", tree / "workforce.yaml")
        assert example_app.main(app) == 0
    assert sorted(p.name for p in outdir.glob("*.template.json")) == ["GroundTruth-gamma.template.json"]
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert manifest["artifacts"]["GroundTruth-gamma"]["environment"] == "aws://unknown-account/unknown-region"
    template: dict[str, Any] = json.loads((outdir / "GroundTruth-gamma.template.json").read_text())
    return template


def test_a_project_without_region_is_region_agnostic(agnostic_template: dict[str, Any]) -> None:
    assert "GroundTruthBuiltInLambdaAccounts" in agnostic_template["Mappings"]
    (job,) = [r for r in agnostic_template["Resources"].values() if r["Type"] == "Custom::LabelingJob"]
    pre = json.dumps(job["Properties"]["LabelingJobRequest"]["HumanTaskConfig"]["PreHumanTaskLambdaArn"])
    assert "Fn::FindInMap" in pre
    assert "AWS::Region" in pre
    resources = json.dumps(agnostic_template["Resources"])
    assert not [region for region in SUPPORTED_REGIONS if region in resources]


def test_the_app_entry_prints_every_problem_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_workforce(tmp_path, WORKFORCES)
    bad = write_project(tmp_path, valid_project(titel="x", workers={"team": "nobody"}), name="bad")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(example_app, "PROJECTS_DIR", tmp_path / "projects")
        patch.setattr(example_app, "WORKFORCE_FILE", tmp_path / "workforce.yaml")
        assert example_app.main(cdk.App()) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == "groundtruth-cdk: 1 problem in the project files:"
    assert lines[1].startswith(f"{bad}:")
    assert "titel: unknown key" in lines[1]
    assert "Traceback" not in captured.err


# -- issue 6: keys, streaming, notifications and chains in the stacks ------------------------------------------------

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CHAINED: dict[str, dict[str, Any]] = {
    "boxes": valid_project(encryption="kms", auto_labeling={"volume_kms_key_arn": "project"}),
    "review": valid_project(
        task_type="image-bounding-box-verification",
        labels=["correct", "wrong"],
        data={"previous_project": "boxes"},
        notifications={"emails": ["lead@example.com"]},
    ),
    "adjust": valid_project(task_type="image-bounding-box-adjustment", labels=None, data={"previous_project": "boxes"}),
    "stream": valid_project(
        data=None,
        streaming={"s3_events": True, "output_topic": True, "prefix": "new/"},
        encryption={"kms_key_arn": KEY_ARN},
    ),
}


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, cdk.App, ProjectStacks]:
    root = tmp_path_factory.mktemp("chained")
    write_workforce(root, WORKFORCES)
    for name, project in CHAINED.items():
        write_project(root, project, name=name)
    app, stacks = build(root)
    return root, app, stacks


def resources(stack: cdk.Stack, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = Template.from_stack(stack).find_resources(kind)
    return found


def test_a_follow_up_stack_comes_after_and_depends_on_the_stack_it_follows(
    chained: tuple[Path, cdk.App, ProjectStacks],
) -> None:
    _, app, stacks = chained
    order = [c.node.id for c in app.node.children if isinstance(c, LabelingProjectStack)]
    assert order.index("GroundTruth-boxes") < order.index("GroundTruth-review")
    assert order.index("GroundTruth-boxes") < order.index("GroundTruth-adjust")
    europe = stacks.workforces["eu-west-1"]
    assert set(stacks.projects["review"].dependencies) == {europe, stacks.projects["boxes"]}
    assert set(stacks.projects["boxes"].dependencies) == {europe}


def test_the_follow_up_job_labels_the_output_of_the_job_it_follows(
    chained: tuple[Path, cdk.App, ProjectStacks],
) -> None:
    _, _, stacks = chained
    boxes, review, adjust = (stacks.projects[n] for n in ("boxes", "review", "adjust"))
    (job,) = resources(review, "Custom::LabelingJob").values()
    # The boxes project's name prefix: its current job is found at deploy, no export of the job name ties the stacks.
    assert job["Properties"]["FollowsJob"] == {
        "LabelingJobNamePrefix": "boxes",
        "UseOutputManifest": True,
        "UseFinalModel": False,
    }
    assert boxes.job.job_name_prefix == "boxes"
    imports = re.findall(r'"Fn::ImportValue": "([^"]+)"', json.dumps(Template.from_stack(review).to_json()))
    assert imports, "the review still reads the boxes' buckets"
    assert not [i for i in imports if "LabelingJobName" in i]
    assert "PRE-VerificationBoundingBox" in json.dumps(
        job["Properties"]["LabelingJobRequest"]["HumanTaskConfig"]["PreHumanTaskLambdaArn"]
    )
    assert review.job.labels == ("correct", "wrong")
    # The adjustment gives no labels: it takes the boxes' labels, and reviews their attribute.
    assert adjust.job.labels == boxes.job.labels == ("car", "truck")
    assert adjust.job.request["LabelAttributeName"] == "image-bounding-box-adjustment"
    (adjusting,) = resources(adjust, "Custom::LabelingJob").values()
    assert "car" in json.dumps(adjusting["Properties"]["LabelCategoryConfig"])
    assert "manifestLine['image-bounding-box']" in json.dumps(adjusting["Properties"]["UiTemplate"]).replace('\\"', "'")
    assert resources(review, "AWS::Events::Rule")  # the rule that starts the job when the earlier one completes


def test_encryption_kms_creates_a_rotated_key_for_the_buckets_labels_and_volumes(
    chained: tuple[Path, cdk.App, ProjectStacks],
) -> None:
    _, _, stacks = chained
    boxes = stacks.projects["boxes"]
    template = Template.from_stack(boxes)
    keys = template.find_resources("AWS::KMS::Key")
    key_id = boxes.get_logical_id(boxes.node.find_child("Key").node.default_child)
    assert keys[key_id]["Properties"]["EnableKeyRotation"] is True
    assert keys[key_id]["DeletionPolicy"] == "Retain"
    buckets = template.find_resources("AWS::S3::Bucket")
    input_id = boxes.get_logical_id(boxes.buckets.input_bucket.node.default_child)
    encryption = buckets[input_id]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [key_id, "Arn"]}
    request = boxes.job.request
    assert boxes.resolve(request["OutputConfig"]["KmsKeyId"]) == {"Fn::GetAtt": [key_id, "Arn"]}
    resource_config = request["LabelingJobAlgorithmsConfig"]["LabelingJobResourceConfig"]
    assert boxes.resolve(resource_config["VolumeKmsKeyId"]) == {"Fn::GetAtt": [key_id, "Arn"]}


def test_a_streaming_project_with_an_existing_key(chained: tuple[Path, cdk.App, ProjectStacks]) -> None:
    _, _, stacks = chained
    stream = stacks.projects["stream"]
    assert stream.key is not None
    assert stream.key.key_arn == KEY_ARN
    assert stream.buckets.input_prefix == "new/"
    request = stream.job.request
    assert request["OutputConfig"]["KmsKeyId"] == KEY_ARN
    assert "SnsDataSource" in request["InputConfig"]["DataSource"]
    assert "S3DataSource" not in request["InputConfig"]["DataSource"]
    assert len(resources(stream, "AWS::SNS::Topic")) == 2  # input and output
    input_id = stream.get_logical_id(stream.buckets.input_bucket.node.default_child)
    notification = resources(stream, "AWS::S3::Bucket")[input_id]["Properties"]["NotificationConfiguration"]
    (topic_configuration,) = notification["TopicConfigurations"]
    assert topic_configuration["Event"] == "s3:ObjectCreated:*"
    assert topic_configuration["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "new/"}]
    outputs = Template.from_stack(stream).find_outputs("*")
    assert {key[:-8] for key in outputs} >= {"JobInputTopicArn", "JobOutputTopicArn", "JobStreamingQueueName"}


def test_notifications_have_a_rule_a_topic_and_the_subscriptions(chained: tuple[Path, cdk.App, ProjectStacks]) -> None:
    _, _, stacks = chained
    review = stacks.projects["review"]
    subscriptions = resources(review, "AWS::SNS::Subscription")
    assert [s["Properties"]["Endpoint"] for s in subscriptions.values()] == ["lead@example.com"]
    outputs = Template.from_stack(review).find_outputs("*")
    assert {key[:-8] for key in outputs} >= {"JobNotificationTopicArn", "JobFollowsJob", "JobChainStatus"}


def test_limiting_to_a_follow_up_project_keeps_the_projects_it_follows(
    chained: tuple[Path, cdk.App, ProjectStacks],
) -> None:
    root, _, _ = chained
    app, stacks = build(root, project="review")
    assert stack_names(app) == ["GroundTruth-Workforce-eu-west-1", "GroundTruth-boxes", "GroundTruth-review"]
    assert list(stacks.projects) == ["boxes", "review"]


def test_the_stack_needs_the_stack_of_the_project_it_follows(chained: tuple[Path, cdk.App, ProjectStacks]) -> None:
    _, _, stacks = chained
    review = stacks.projects["review"].project
    with pytest.raises(ValueError, match="previous: got none; the stack of the project review follows \\(boxes\\)"):
        LabelingProjectStack(cdk.App(), "Alone", project=review)


def test_a_job_outside_the_app_is_read_where_the_project_file_says(tmp_path: Path) -> None:
    write_workforce(tmp_path, WORKFORCES)
    outside = {
        "name": "Street-Boxes-1a2b3c4d",
        "output": "s3://street-labels/boxes/",
        "data": "s3://street-data/",
        "kms_key_arn": KEY_ARN,
    }
    review = valid_project(
        task_type="image-bounding-box-verification",
        labels=["correct", "wrong"],
        reviewed_label_attribute_name="boxes",
        data={"previous_job": outside},
    )
    write_project(tmp_path, review, name="outside")
    _, stacks = build(tmp_path)
    stack = stacks.projects["outside"]
    template = Template.from_stack(stack).to_json()
    (job,) = resources(stack, "Custom::LabelingJob").values()
    assert job["Properties"]["FollowsJob"] == {
        "LabelingJobName": "Street-Boxes-1a2b3c4d",
        "UseOutputManifest": True,
        "UseFinalModel": False,
    }
    (role_policy,) = [
        policy
        for logical_id, policy in template["Resources"].items()
        if logical_id.startswith("JobRoleDefaultPolicy") and policy["Type"] == "AWS::IAM::Policy"
    ]
    grants = [
        flat_resolved(statement)
        for statement in role_policy["Properties"]["PolicyDocument"]["Statement"]
        if "Sid" not in statement
    ]
    assert grants == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:<AWS::Partition>:s3:::street-labels/boxes/*"},
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:<AWS::Partition>:s3:::street-data/*"},
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": KEY_ARN},
    ]
    (rule,) = resources(stack, "AWS::Events::Rule").values()
    assert flat_resolved(rule["Properties"]["EventPattern"]["resources"]) == [
        "arn:<AWS::Partition>:sagemaker:eu-west-1:<AWS::AccountId>:labeling-job/street-boxes-1a2b3c4d"
    ]
