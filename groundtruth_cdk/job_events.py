"""The events SageMaker sends when a labeling job changes status, and encrypted topics to publish them to.

SageMaker sends ``source: aws.sagemaker``, ``detail-type: SageMaker Ground Truth Labeling Job State
Change`` to the default event bus, with the job's ARN in ``resources`` and ``detail.LabelingJobStatus``
(SageMaker Developer Guide, "Monitor labeling job status").
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from groundtruth_cdk import compliance

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Ground Truth Labeling Job State Change"
#: The statuses a labeling job reports events for.
STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")


def state_change_pattern(job_arns: Sequence[str], statuses: Sequence[str] = ()) -> events.EventPattern:
    """The pattern of the state change events of the jobs ``job_arns`` matches (ARNs or an
    ``events.Match``), only of ``statuses`` (default: all)."""
    return events.EventPattern(
        source=[SOURCE],
        detail_type=[DETAIL_TYPE],
        resources=list(job_arns),
        detail={"LabelingJobStatus": list(statuses)} if statuses else None,
    )


def encrypted_topic(
    scope: Construct,
    id: str,
    *,
    display_name: str,
    description: str,
    publishers: Sequence[str] = (),
) -> tuple[sns.Topic, kms.Key]:
    """An SSL-only SNS topic encrypted with a new customer managed key (rotated yearly).

    ``publishers`` are AWS service principals (``s3.amazonaws.com``) that may publish to it from this
    account: the topic policy lets them publish and the key policy lets them use the key for that (the
    AWS managed ``alias/aws/sns`` key cannot be shared with a service, hence a customer managed key).
    """
    stack = cdk.Stack.of(scope)
    # Topics keep no messages, so the key goes with the stack (after KMS's 7-day waiting period).
    key = kms.Key(
        scope,
        f"{id}Key",
        enable_key_rotation=True,
        description=f"Encrypts {description}",
        removal_policy=cdk.RemovalPolicy.DESTROY,
        pending_window=cdk.Duration.days(7),
    )
    topic = sns.Topic(scope, id, display_name=display_name, master_key=key, enforce_ssl=True)
    same_account = {"StringEquals": {"aws:SourceAccount": stack.account}}
    for service in publishers:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"{_service_name(service)}EncryptsMessages",
                principals=[iam.ServicePrincipal(service)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=same_account,
            )
        )
    for service in publishers:
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"{_service_name(service)}Publishes",
                principals=[iam.ServicePrincipal(service)],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions=same_account,
            )
        )
    return topic, key


def _service_name(service: str) -> str:
    return service.split(".")[0].capitalize()


def dead_letter_queue(scope: Construct, id: str, *, what: str) -> sqs.Queue:
    """An encrypted, SSL-only queue that keeps for 14 days the events ``what`` could not handle."""
    queue = sqs.Queue(
        scope,
        id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    resource = queue.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    compliance.acknowledge(resource, "dead-letter queue")
    cdk.Tags.of(queue).add("groundtruth-cdk:dead-letter-queue-of", what)
    return queue
