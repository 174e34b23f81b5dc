"""``JobNotifications``: e-mail (or any SNS subscriber) when a labeling job changes status."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from groundtruth_cdk import compliance, job_events, nag
from groundtruth_cdk.job_settings import Notifications


class JobNotifications(Construct):
    """An EventBridge rule on one job's state changes that publishes a one-line message to an SNS topic.

    The topic is new (encrypted with its own key) unless ``settings`` names one; each e-mail address is
    subscribed once. EventBridge publishes with a role of its own that may publish to this topic only
    (and use its key), so neither the topic nor the key trusts the EventBridge service as a whole, and
    an existing topic in the account needs no policy change. Events EventBridge cannot deliver (after 24
    hours of retries) wait 14 days in a dead-letter queue.

    Args:
        job_arn: the job's ARN (its events carry it in ``resources``).
        settings: the topic and e-mail addresses.
        job_label: how messages name the job's project, e.g. the construct path.
    """

    def __init__(self, scope: Construct, id: str, *, job_arn: str, settings: Notifications, job_label: str) -> None:
        super().__init__(scope, id)
        topic: sns.ITopic
        if settings.topic_arn is None:
            topic, _ = job_events.encrypted_topic(
                self,
                "Topic",
                display_name="Labeling job status",
                description=f"the status notifications of the labeling job {job_label}",
            )
        else:
            topic = sns.Topic.from_topic_arn(self, "Topic", settings.topic_arn)
        for email in dict.fromkeys(email.lower() for email in settings.emails):
            topic.add_subscription(subscriptions.EmailSubscription(email))
        publisher = iam.Role(
            self,
            "PublisherRole",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com"),
            description=f"EventBridge publishes the status of the labeling job {job_label}",
        )
        status = events.EventField.from_path("$.detail.LabelingJobStatus")
        job = events.EventField.from_path("$.resources[0]")
        rule = events.Rule(
            self,
            "Rule",
            description=f"Status changes of the labeling job {job_label}",
            event_pattern=job_events.state_change_pattern([job_arn]),
        )
        rule.add_target(
            targets.SnsTopic(
                topic,
                authorize_using_role=True,
                role=publisher,
                message=events.RuleTargetInput.from_text(f"Ground Truth labeling job {job} is now {status}."),
                dead_letter_queue=job_events.dead_letter_queue(self, "Undelivered", what=f"{job_label} notifications"),
                retry_attempts=185,
                max_event_age=cdk.Duration.hours(24),
            )
        )
        if settings.topic_key_arn is not None:
            nag.allow(
                publisher,
                sid="EncryptTheMessages",
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=[settings.topic_key_arn],
            )
        _, wildcard_actions = nag.policy_wildcards(publisher)
        nag.acknowledge_wildcard_actions(
            publisher, wildcard_actions, "kms:GenerateDataKey* on the notification topic's own key only."
        )
        #: The topic the status messages go to.
        self.topic = topic
        #: The rule.
        self.rule = rule
        compliance.acknowledge_created(self)
