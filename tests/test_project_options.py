"""Project-file options of automated data labeling, encryption, streaming and notifications: parsing, the
job settings they map to, and every error with its field, value, what is allowed and line. No synthesis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from groundtruth_cdk import AutoLabeling, AutoLabelingVpc, Notifications, Streaming
from groundtruth_cdk.project import AutoLabelingOptions, Encryption, Problem, load_project, validate_project
from tests.project_builders import job_settings, line_of, only_problem, valid_project, write_project

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MODEL_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model/vehicles-model"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:labeling-updates"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
GROUPS = ["sg-0123456789abcdef0"]


# -- automated data labeling ----------------------------------------------------------------------------


def test_auto_labeling_options_are_read_and_mapped(root: Path) -> None:
    path = write_project(
        root,
        valid_project(
            auto_labeling={
                "initial_model": MODEL_ARN,
                "volume_kms_key_arn": KEY_ARN,
                "vpc": {"subnet_ids": SUBNETS, "security_group_ids": GROUPS},
            }
        ),
    )
    project = load_project(path)
    vpc = AutoLabelingVpc(subnet_ids=tuple(SUBNETS), security_group_ids=tuple(GROUPS))
    assert project.auto_labeling == AutoLabelingOptions(initial_model=MODEL_ARN, volume_kms_key_arn=KEY_ARN, vpc=vpc)
    assert job_settings(project).auto_labeling == AutoLabeling(
        initial_model=MODEL_ARN, volume_kms_key_arn=KEY_ARN, vpc=vpc
    )


def test_auto_labeling_true_and_false(root: Path) -> None:
    assert (
        job_settings(load_project(write_project(root, valid_project(auto_labeling=True)))).auto_labeling
        == AutoLabeling()
    )
    project = load_project(write_project(root, valid_project(auto_labeling=False)))
    assert project.auto_labeling is None
    assert job_settings(project).auto_labeling is None


def test_the_volume_key_can_be_the_project_s_own(root: Path) -> None:
    existing = load_project(
        write_project(
            root,
            valid_project(encryption={"kms_key_arn": KEY_ARN}, auto_labeling={"volume_kms_key_arn": "project"}),
        )
    )
    assert existing.auto_labeling == AutoLabelingOptions(volume_kms_key_arn="project")
    job = job_settings(existing)
    assert job.auto_labeling == AutoLabeling(volume_kms_key_arn=KEY_ARN)
    assert job.output_kms_key_arn == KEY_ARN
    new = load_project(
        write_project(root, valid_project(encryption="kms", auto_labeling={"volume_kms_key_arn": "project"}))
    )
    job = job_settings(new)
    assert job.auto_labeling is not None
    assert cdk.Token.is_unresolved(job.auto_labeling.volume_kms_key_arn)  # the stack's key, known at deploy
    assert cdk.Token.is_unresolved(job.output_kms_key_arn)


def test_the_project_s_key_needs_encryption(root: Path) -> None:
    path = write_project(root, valid_project(auto_labeling={"volume_kms_key_arn": "project"}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "volume_kms_key_arn"),
        "auto_labeling.volume_kms_key_arn",
        "got 'project'; the project's own key needs encryption: kms or {kms_key_arn: ...} (encryption is "
        "s3-managed), or give a key ARN",
    )


def test_the_previous_model_needs_a_previous_job(root: Path) -> None:
    path = write_project(root, valid_project(auto_labeling={"initial_model": "previous"}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "initial_model"),
        "auto_labeling.initial_model",
        "got 'previous'; that is the final model of the job this project follows: set data.previous_project or "
        "data.previous_job, or give a model ARN",
    )


def test_auto_labeling_is_not_for_streaming_jobs(root: Path) -> None:
    path = write_project(root, valid_project(auto_labeling=True, streaming={}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "auto_labeling"), "auto_labeling")
    assert problem.message == (
        "got 'given'; a streaming job runs until it is stopped: automated data labeling is not available for it"
    )


@pytest.mark.parametrize(
    ("auto_labeling", "field", "message", "line_with"),
    [
        (
            {"initial_model": "my-model"},
            "auto_labeling.initial_model",
            "got 'my-model'; must be a SageMaker model ARN like arn:aws:sagemaker:<region>:<account>:model/<name>, "
            "or previous (the final model of the job this project follows)",
            "initial_model",
        ),
        (
            {"volume_kms_key_arn": "alias/my-key"},
            "auto_labeling.volume_kms_key_arn",
            "got 'alias/my-key'; must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>, or project "
            "(the project's own key: encryption)",
            "volume_kms_key_arn",
        ),
        (
            {"vpc": {"subnet_ids": ["subnet-1"], "security_group_ids": GROUPS}},
            "auto_labeling.vpc.subnet_ids[0]",
            "got 'subnet-1'; must be a subnet ID like subnet-0123456789abcdef0",
            "subnet-1",
        ),
        (
            {"vpc": {"subnet_ids": SUBNETS, "security_group_ids": []}},
            "auto_labeling.vpc.security_group_ids",
            "got 0 items; give 1..5",
            "security_group_ids",
        ),
        (
            {"vpc": {"subnet_ids": SUBNETS, "security_group_ids": [GROUPS[0], GROUPS[0]]}},
            "auto_labeling.vpc.security_group_ids[1]",
            "got 'sg-0123456789abcdef0' again; each item may be given once",
            "- sg-0123456789abcdef0",
        ),
        (
            {"vpc": {"subnet_ids": SUBNETS}},
            "auto_labeling.vpc.security_group_ids",
            "missing; required: 1-5 security group IDs (sg-...) for the jobs' network interfaces",
            "vpc:",
        ),
        (
            {"vpc": {"subnets": SUBNETS, "subnet_ids": SUBNETS, "security_group_ids": GROUPS}},
            "auto_labeling.vpc.subnets",
            "unknown key; allowed keys: security_group_ids, subnet_ids (did you mean 'subnet_ids'?)",
            "subnets:",
        ),
        (
            {"model": MODEL_ARN},
            "auto_labeling.model",
            "unknown key; allowed keys: initial_model, volume_kms_key_arn, vpc",
            "model:",
        ),
        ("yes", "auto_labeling", "got 'yes'; must be true or false or a mapping (key: value lines)", "auto_labeling"),
    ],
)
def test_auto_labeling_schema_errors(root: Path, auto_labeling: Any, field: str, message: str, line_with: str) -> None:
    path = write_project(root, valid_project(auto_labeling=auto_labeling))
    problem = only_problem(path)
    assert (problem.field, problem.message) == (field, message)
    assert problem.line == line_of(path, line_with, occurrence=2 if message.endswith("given once") else 1)


def test_too_many_subnets(root: Path) -> None:
    subnets = [f"subnet-{n:017x}" for n in range(17)]
    path = write_project(
        root, valid_project(auto_labeling={"vpc": {"subnet_ids": subnets, "security_group_ids": GROUPS}})
    )
    problem = only_problem(path)
    assert (problem.field, problem.message) == ("auto_labeling.vpc.subnet_ids", "got 17 items; give 1..16")


# -- encryption ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected", "key_arn"),
    [
        (None, Encryption(), None),
        ("s3-managed", Encryption(), None),
        ("kms", Encryption(new_key=True), "token"),
        ({"kms_key_arn": KEY_ARN}, Encryption(kms_key_arn=KEY_ARN), KEY_ARN),
    ],
)
def test_encryption(root: Path, written: Any, expected: Encryption, key_arn: str | None) -> None:
    project = load_project(write_project(root, valid_project(encryption=written)))
    assert project.encryption == expected
    output_key = job_settings(project).output_kms_key_arn
    if key_arn == "token":
        assert cdk.Token.is_unresolved(output_key)
    else:
        assert output_key == key_arn
    assert project.encryption.customer_key is (key_arn is not None)


@pytest.mark.parametrize(
    ("written", "field", "message", "line_with"),
    [
        (
            "sse-kms",
            "encryption",
            "got 'sse-kms'; allowed: s3-managed, kms, or {kms_key_arn: <an existing KMS key's ARN>}",
            "encryption",
        ),
        (
            {"kms_key_arn": "1234abcd-12ab-34cd-56ef-1234567890ab"},
            "encryption.kms_key_arn",
            "got '1234abcd-12ab-34cd-56ef-1234567890ab'; must be a KMS key ARN like "
            "arn:aws:kms:<region>:<account>:key/<key id>",
            "kms_key_arn",
        ),
        (
            {},
            "encryption.kms_key_arn",
            "missing; required: an existing customer managed KMS key (its ARN) in the",
            "encryption",
        ),
        (
            {"kms_key_arn": KEY_ARN, "rotate": True},
            "encryption.rotate",
            "unknown key; allowed keys: kms_key_arn",
            "rotate",
        ),
        (True, "encryption", "got true (a boolean); must be a string or a mapping (key: value lines)", "encryption"),
    ],
)
def test_encryption_errors(root: Path, written: Any, field: str, message: str, line_with: str) -> None:
    path = write_project(root, valid_project(encryption=written))
    problem = only_problem(path)
    assert problem.field == field
    assert problem.message.startswith(message), problem.message
    assert problem.line == line_of(path, line_with)


# -- streaming ----------------------------------------------------------------------------------------------


def test_a_streaming_job_needs_no_data(root: Path) -> None:
    path = write_project(root, valid_project(data=None, streaming={"s3_events": True, "output_topic": True}))
    project = load_project(path)
    assert project.data is None
    assert project.streaming == Streaming(s3_events=True, output_topic=True)
    assert project.input_prefix == "incoming/"
    assert project.input_bucket_name is None
    job = job_settings(project)
    assert job.input is None
    assert job.streaming == Streaming(s3_events=True, output_topic=True)


def test_streaming_options(root: Path) -> None:
    project = load_project(
        write_project(
            root,
            valid_project(
                data=None, streaming={"input_topic_arn": TOPIC_ARN, "output_topic": TOPIC_ARN, "prefix": "new/"}
            ),
        )
    )
    assert project.streaming == Streaming(input_topic_arn=TOPIC_ARN, output_topic=TOPIC_ARN)
    assert project.input_prefix == "new/"


def test_a_streaming_job_with_initial_data_uses_its_prefix(root: Path) -> None:
    project = load_project(write_project(root, valid_project(streaming={"s3_events": True})))
    assert project.input_prefix == "images/"
    assert project.streaming == Streaming(s3_events=True)


def test_data_is_required_without_streaming(root: Path) -> None:
    path = write_project(root, valid_project(data=None))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "data")
    assert problem.message == (
        "missing; required: what to label: automated data setup (data_type), a manifest in S3 (manifest), objects "
        "listed here (objects), or the output of an earlier job (previous_project, previous_job) (only a streaming "
        "job may leave it out)"
    )


def test_streaming_prefix_only_without_data(root: Path) -> None:
    path = write_project(root, valid_project(streaming={"prefix": "new/"}))
    assert only_problem(path) == Problem(
        str(path),
        line_of(path, "prefix: new/"),
        "streaming.prefix",
        "got 'new/'; with data, uploads are labeled under the data's prefix: give the prefix once, as data.prefix",
    )


def test_s3_events_need_the_project_s_own_bucket(root: Path) -> None:
    path = write_project(
        root,
        valid_project(data={"data_type": "image", "bucket": "shared-photos"}, streaming={"s3_events": True}),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "s3_events"), "streaming.s3_events")
    assert problem.message.startswith(
        "got true; S3 events come from the project's own input bucket, and the data is in shared-photos"
    )


def test_s3_events_are_not_for_text(root: Path) -> None:
    path = write_project(
        root,
        valid_project(task_type="text-single-label", labels=["good", "bad"], data=None, streaming={"s3_events": True}),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "s3_events"), "streaming.s3_events")
    assert "jobs read text from the message itself" in problem.message


def test_s3_events_and_an_existing_input_topic(root: Path) -> None:
    path = write_project(root, valid_project(data=None, streaming={"s3_events": True, "input_topic_arn": TOPIC_ARN}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "s3_events"), "streaming.s3_events")
    assert problem.message.startswith("got true; S3 events go to the topic the job creates")


def test_a_streaming_job_has_no_stopping_conditions(root: Path) -> None:
    path = write_project(
        root, valid_project(data=None, streaming={}, stopping_conditions={"max_human_labeled_objects": 10})
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "stopping_conditions"), "stopping_conditions")
    assert "stopping conditions do not apply to it" in problem.message


@pytest.mark.parametrize(
    ("streaming", "field", "message", "line_with"),
    [
        (
            {"input_topic_arn": "labeling-input"},
            "streaming.input_topic_arn",
            "got 'labeling-input'; must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<name>",
            "input_topic_arn",
        ),
        (
            {"output_topic": "yes please"},
            "streaming.output_topic",
            "got 'yes please'; must be an SNS topic ARN like",
            "output_topic",
        ),
        (
            {"output_topic": 1},
            "streaming.output_topic",
            "got 1 (an integer); must be true or false or a string",
            "output_topic",
        ),
        ({"s3_events": "true"}, "streaming.s3_events", "got 'true'; must be true or false", "s3_events"),
        ({"prefix": "/in"}, "streaming.prefix", "got '/in'; must be a key prefix that ends with '/'", "prefix"),
        ({"topic": TOPIC_ARN}, "streaming.topic", "unknown key; allowed keys: input_topic_arn, output_topic,", "topic"),
        (True, "streaming", "got true (a boolean); must be a mapping (key: value lines)", "streaming"),
    ],
)
def test_streaming_schema_errors(root: Path, streaming: Any, field: str, message: str, line_with: str) -> None:
    path = write_project(root, valid_project(data=None, streaming=streaming))
    problems = validate_project(path)
    problem = next(p for p in problems if p.field == field)
    assert problem.message.startswith(message), problem.message
    assert problem.line == line_of(path, line_with)


# -- notifications ----------------------------------------------------------------------------------------


def test_notifications(root: Path) -> None:
    project = load_project(
        write_project(root, valid_project(notifications={"emails": ["ana@example.com"], "topic_arn": TOPIC_ARN}))
    )
    assert project.notifications == Notifications(emails=("ana@example.com",), topic_arn=TOPIC_ARN)
    assert job_settings(project).notifications == project.notifications
    empty = load_project(write_project(root, valid_project(notifications={})))
    assert empty.notifications == Notifications()


@pytest.mark.parametrize(
    ("notifications", "field", "message", "line_with"),
    [
        (
            {"emails": ["ana@example.com", "bo at example.com"]},
            "notifications.emails[1]",
            "got 'bo at example.com'; must be an e-mail address like worker@example.com",
            "bo at",
        ),
        (
            {"emails": ["ana@example.com", "ana@example.com"]},
            "notifications.emails[1]",
            "got 'ana@example.com' again; each item may be given once",
            "- ana@example.com",
        ),
        (
            {"emails": [f"p{n}@example.com" for n in range(21)]},
            "notifications.emails",
            "got 21 items; give at most 20",
            "emails",
        ),
        ({"topic_arn": "updates"}, "notifications.topic_arn", "got 'updates'; must be an SNS topic ARN", "topic_arn"),
        (
            {"email": ["ana@example.com"]},
            "notifications.email",
            "unknown key; allowed keys: emails, topic_arn",
            "email",
        ),
        ("ana@example.com", "notifications", "got 'ana@example.com'; must be a mapping", "notifications"),
    ],
)
def test_notification_errors(root: Path, notifications: Any, field: str, message: str, line_with: str) -> None:
    path = write_project(root, valid_project(notifications=notifications))
    problem = only_problem(path)
    assert problem.field == field
    assert problem.message.startswith(message), problem.message
    assert problem.line == line_of(path, line_with, occurrence=2 if message.endswith("given once") else 1)


@pytest.mark.parametrize(
    ("changes", "prefix"),
    [
        ({"data": {"data_type": "image"}}, "(none: the whole bucket)"),
        (
            {"data": None, "streaming": {"s3_events": True, "prefix": "groundtruth-cdk/uploads/"}},
            "groundtruth-cdk/uploads/",
        ),
    ],
)
def test_s3_events_need_an_input_prefix_of_their_own(root: Path, changes: dict[str, Any], prefix: str) -> None:
    path = write_project(root, valid_project(**{"streaming": {"s3_events": True}, **changes}))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (line_of(path, "s3_events"), "streaming.s3_events")
    assert problem.message == (
        f"got 'input prefix {prefix}'; every object created under the input prefix is sent to workers: use an "
        "input prefix of its own (e.g. incoming/), apart from the job inputs the deploy writes under groundtruth-cdk/"
    )
