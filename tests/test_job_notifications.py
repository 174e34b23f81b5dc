"""Job notifications: an EventBridge rule on the job's state changes, an encrypted SNS topic, e-mail subscribers."""

from __future__ import annotations

from typing import Any

import pytest

from groundtruth_cdk import Notifications
from tests.builders import (
    ACCOUNT,
    ACCOUNT_ROOT_KEY_STATEMENT,
    acknowledged_rules,
    add_job,
    job_error,
    of_type,
    one_of_type,
    outputs_of,
    ssl_only_statement,
    stack,
    statements,
    synthesized,
)

TEAM_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:labeling-team-alerts"
TEAM_TOPIC_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EVENTS = {"Service": "events.amazonaws.com"}
MESSAGE = {
    "InputPathsMap": {"resources-0-": "$.resources[0]", "detail-LabelingJobStatus": "$.detail.LabelingJobStatus"},
    "InputTemplate": '"Ground Truth labeling job <resources-0-> is now <detail-LabelingJobStatus>."',
}


@pytest.fixture(scope="module")
def created() -> dict[str, Any]:
    """A job whose status changes go to a new topic with two e-mail subscribers."""
    scope = stack()
    add_job(scope, notifications=Notifications(emails=("Labeling.Lead@Example.COM", "ops@example.com")))
    return synthesized(scope)


@pytest.fixture(scope="module")
def existing() -> dict[str, Any]:
    """A job whose status changes go to an existing topic."""
    scope = stack()
    add_job(scope, notifications=Notifications(emails=("ops@example.com",), topic_arn=TEAM_TOPIC))
    return synthesized(scope)


def test_the_rule_matches_every_status_change_of_this_job(created: dict[str, Any]) -> None:
    job_id, _ = one_of_type(created, "Custom::LabelingJob")
    _, rule = one_of_type(created, "AWS::Events::Rule", "JobNotificationsRule")
    assert rule["Properties"]["EventPattern"] == {
        "detail-type": ["SageMaker Ground Truth Labeling Job State Change"],
        "resources": [f"<{job_id}.LabelingJobArn>"],
        "source": ["aws.sagemaker"],
    }
    assert rule["Properties"]["State"] == "ENABLED"


def test_the_rule_publishes_a_one_line_message_with_a_dead_letter_queue(created: dict[str, Any]) -> None:
    topic_id, _ = one_of_type(created, "AWS::SNS::Topic", "JobNotificationsTopic")
    queue_id, queue = one_of_type(created, "AWS::SQS::Queue", "JobNotificationsUndelivered")
    role_id, _ = one_of_type(created, "AWS::IAM::Role", "JobNotificationsPublisherRole")
    _, rule = one_of_type(created, "AWS::Events::Rule", "JobNotificationsRule")
    assert rule["Properties"]["Targets"] == [
        {
            "Arn": f"<{topic_id}>",
            "DeadLetterConfig": {"Arn": f"<{queue_id}.Arn>"},
            "Id": "Target0",
            "InputTransformer": MESSAGE,
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
            "RoleArn": f"<{role_id}.Arn>",
        }
    ]
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_the_dead_letter_queue_takes_only_this_rules_events_over_tls(created: dict[str, Any]) -> None:
    queue_id, _ = one_of_type(created, "AWS::SQS::Queue", "JobNotificationsUndelivered")
    rule_id, _ = one_of_type(created, "AWS::Events::Rule", "JobNotificationsRule")
    _, policy = one_of_type(created, "AWS::SQS::QueuePolicy", "JobNotificationsUndelivered")
    document = policy["Properties"]["PolicyDocument"]["Statement"]
    assert document[0] == {
        "Action": "sqs:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": f"<{queue_id}.Arn>",
    }
    assert document[1]["Condition"] == {"ArnEquals": {"aws:SourceArn": f"<{rule_id}.Arn>"}}
    assert (document[1]["Action"], document[1]["Principal"]) == ("sqs:SendMessage", EVENTS)


def test_the_topic_is_encrypted_with_a_rotated_key(created: dict[str, Any]) -> None:
    key_id, key = one_of_type(created, "AWS::KMS::Key", "JobNotificationsTopicKey")
    _, topic = one_of_type(created, "AWS::SNS::Topic", "JobNotificationsTopic")
    assert topic["Properties"] == {"DisplayName": "Labeling job status", "KmsMasterKeyId": f"<{key_id}.Arn>"}
    assert key["Properties"]["EnableKeyRotation"] is True


def test_the_topic_key_goes_with_the_stack_after_seven_days(created: dict[str, Any]) -> None:
    _, key = one_of_type(created, "AWS::KMS::Key", "JobNotificationsTopicKey")
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert key["Properties"]["PendingWindowInDays"] == 7


def test_eventbridge_publishes_with_a_role_of_its_own(created: dict[str, Any]) -> None:
    role_id, role = one_of_type(created, "AWS::IAM::Role", "JobNotificationsPublisherRole")
    assert role["Properties"] == {
        "AssumeRolePolicyDocument": {
            "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": EVENTS}],
            "Version": "2012-10-17",
        },
        "Description": "EventBridge publishes the status of the labeling job Test/Job",
    }
    _, policy = one_of_type(created, "AWS::IAM::Policy", "JobNotificationsPublisherRole")
    assert policy["Properties"]["Roles"] == [f"<{role_id}>"]


def test_the_publisher_role_may_publish_to_this_topic_and_use_its_key_only(created: dict[str, Any]) -> None:
    topic_id, _ = one_of_type(created, "AWS::SNS::Topic", "JobNotificationsTopic")
    key_id, _ = one_of_type(created, "AWS::KMS::Key", "JobNotificationsTopicKey")
    assert statements(created, "JobNotificationsPublisherRole") == [
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": f"<{topic_id}>"},
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": f"<{key_id}.Arn>"},
    ]


def test_the_publisher_roles_wildcard_action_is_acknowledged() -> None:
    job = add_job(stack(), notifications=Notifications(emails=("ops@example.com",)))
    assert job.notifications is not None
    publisher = job.notifications.node.find_child("PublisherRole")
    assert {rule for rule in acknowledged_rules(publisher) if rule.startswith("AwsSolutions-IAM5")} == {
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]"
    }


def test_the_key_policy_grants_no_service_principal(created: dict[str, Any]) -> None:
    _, key = one_of_type(created, "AWS::KMS::Key", "JobNotificationsTopicKey")
    assert key["Properties"]["KeyPolicy"]["Statement"] == [ACCOUNT_ROOT_KEY_STATEMENT]


def test_the_topic_is_ssl_only_and_grants_no_service_principal(created: dict[str, Any]) -> None:
    topic_id, _ = one_of_type(created, "AWS::SNS::Topic", "JobNotificationsTopic")
    _, policy = one_of_type(created, "AWS::SNS::TopicPolicy", "JobNotificationsTopicPolicy")
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [ssl_only_statement(f"<{topic_id}>")]


def test_each_address_is_subscribed_once_in_lower_case(created: dict[str, Any]) -> None:
    topic_id, _ = one_of_type(created, "AWS::SNS::Topic", "JobNotificationsTopic")
    subscriptions = sorted(
        (s["Properties"]["Protocol"], s["Properties"]["Endpoint"], s["Properties"]["TopicArn"])
        for s in of_type(created, "AWS::SNS::Subscription").values()
    )
    assert subscriptions == [
        ("email", "labeling.lead@example.com", f"<{topic_id}>"),
        ("email", "ops@example.com", f"<{topic_id}>"),
    ]


def test_the_topic_is_an_output(created: dict[str, Any]) -> None:
    topic_id, _ = one_of_type(created, "AWS::SNS::Topic", "JobNotificationsTopic")
    assert outputs_of(created, "Job")["NotificationTopicArn"] == f"<{topic_id}>"


def test_an_existing_topic_is_used_as_it_is(existing: dict[str, Any]) -> None:
    assert not of_type(existing, "AWS::SNS::Topic")
    assert not of_type(existing, "AWS::SNS::TopicPolicy")
    assert not of_type(existing, "AWS::KMS::Key")
    role_id, _ = one_of_type(existing, "AWS::IAM::Role", "JobNotificationsPublisherRole")
    _, rule = one_of_type(existing, "AWS::Events::Rule", "JobNotificationsRule")
    (target,) = rule["Properties"]["Targets"]
    assert (target["Arn"], target["InputTransformer"], target["RoleArn"]) == (TEAM_TOPIC, MESSAGE, f"<{role_id}.Arn>")
    assert statements(existing, "JobNotificationsPublisherRole") == [
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": TEAM_TOPIC}
    ]
    (subscription,) = of_type(existing, "AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {"Endpoint": "ops@example.com", "Protocol": "email", "TopicArn": TEAM_TOPIC}
    assert outputs_of(existing, "Job")["NotificationTopicArn"] == TEAM_TOPIC


def test_the_publisher_role_may_use_the_key_of_an_existing_topic() -> None:
    scope = stack()
    job = add_job(scope, notifications=Notifications(topic_arn=TEAM_TOPIC, topic_key_arn=TEAM_TOPIC_KEY))
    template = synthesized(scope)
    assert not of_type(template, "AWS::KMS::Key")
    assert statements(template, "JobNotificationsPublisherRole") == [
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": TEAM_TOPIC},
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Resource": TEAM_TOPIC_KEY,
            "Sid": "EncryptTheMessages",
        },
    ]
    assert job.notifications is not None
    publisher = job.notifications.node.find_child("PublisherRole")
    assert {rule for rule in acknowledged_rules(publisher) if rule.startswith("AwsSolutions-IAM5")} == {
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]"
    }


def test_without_notifications_there_is_no_rule_or_topic() -> None:
    scope = stack()
    add_job(scope)
    template = synthesized(scope)
    assert not of_type(template, "AWS::Events::Rule")
    assert not of_type(template, "AWS::SNS::Topic")
    assert "NotificationTopicArn" not in outputs_of(template, "Job")


def test_twenty_addresses_are_accepted() -> None:
    job = add_job(stack(), notifications=Notifications(emails=tuple(f"user{n}@example.com" for n in range(20))))
    assert job.notifications is not None


@pytest.mark.parametrize("emails", [("ops@example.com", "ops@example.com"), ("Ops@Example.com", "ops@example.com")])
def test_an_address_given_twice_is_subscribed_once(emails: tuple[str, ...]) -> None:
    scope = stack()
    add_job(scope, notifications=Notifications(emails=emails))
    (subscription,) = of_type(synthesized(scope), "AWS::SNS::Subscription").values()
    assert (subscription["Properties"]["Protocol"], subscription["Properties"]["Endpoint"]) == (
        "email",
        "ops@example.com",
    )


# -- synth errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notifications", "message"),
    [
        (
            Notifications(emails=("labeling-team",)),
            "notifications.emails: got 'labeling-team'; an e-mail address like labeling-team@example.com",
        ),
        (
            Notifications(emails=("lead@example.com", "two words@example.com")),
            "notifications.emails: got 'two words@example.com'; an e-mail address like labeling-team@example.com",
        ),
        (
            Notifications(emails=tuple(f"user{n}@example.com" for n in range(21))),
            "notifications.emails: got '21 addresses'; at most 20",
        ),
        (
            Notifications(topic_arn="labeling-team-alerts"),
            "notifications.topic_arn: got 'labeling-team-alerts'; an SNS topic ARN like "
            "arn:aws:sns:<region>:<account>:<name>",
        ),
        (
            Notifications(topic_arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:alerts"),
            f"notifications.topic_arn: got 'arn:aws:sqs:us-east-1:{ACCOUNT}:alerts'; an SNS topic ARN like",
        ),
        (
            Notifications(emails=("ops@example.com",), topic_key_arn=TEAM_TOPIC_KEY),
            f"notifications.topic_key_arn: got '{TEAM_TOPIC_KEY[:57]}...'; only with topic_arn (a new topic has its "
            "key)",
        ),
        (
            Notifications(topic_arn=TEAM_TOPIC, topic_key_arn="alias/labeling-alerts"),
            "notifications.topic_key_arn: got 'alias/labeling-alerts'; a KMS key ARN like "
            "arn:aws:kms:<region>:<account>:key/<key id>",
        ),
    ],
    ids=[
        "not-an-address",
        "space-in-address",
        "21-addresses",
        "topic-name",
        "queue-arn",
        "topic-key-without-topic",
        "topic-key-alias",
    ],
)
def test_synth_error(notifications: Notifications, message: str) -> None:
    assert message in job_error(notifications=notifications)
