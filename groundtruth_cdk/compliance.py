"""Compliance-pack findings that do not apply to what this library creates, acknowledged with the reason.

The gates run cdk-nag's AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1 and Serverless packs
and checkov. Some of their rules do not fit deploy-time helper functions or labeling buckets; each such
rule is listed here once, with the reason a reviewer reads, and acknowledged only on the resources this
library creates (never stack- or app-wide): :func:`acknowledge_created` walks one construct of ours.
Everything else the packs ask for is configured instead (versioned buckets, SSL-only, encryption, ...).
``docs/security.md`` shows this table (a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import IConstruct

PACKS = ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")


@dataclass(frozen=True)
class Exemption:
    """One rule that does not apply, under every pack that has it, and why."""

    what: str
    nag_rules: tuple[str, ...]
    checkov_checks: tuple[str, ...]
    reason: str


def _packs(rule: str, packs: tuple[str, ...] = PACKS) -> tuple[str, ...]:
    return tuple(f"{pack}-{rule}" for pack in packs)


#: Resource kind -> the exemptions acknowledged on resources of that kind that this library creates.
EXEMPTIONS: Mapping[str, tuple[Exemption, ...]] = MappingProxyType(
    {
        "deploy-time Lambda function": (
            Exemption(
                "reserved concurrency",
                _packs("LambdaConcurrency", PACKS[:2]),
                ("CKV_AWS_115",),
                "Deploy-time functions run a handful of times per deployment; reserving concurrency would "
                "take capacity from the account (new accounts have 10) and can make the deployment fail.",
            ),
            Exemption(
                "dead-letter queue",
                (*_packs("LambdaDLQ", PACKS[:2]), "Serverless-LambdaDLQ"),
                ("CKV_AWS_116",),
                "CloudFormation and the CDK Provider framework invoke these functions synchronously and "
                "report every failure in the stack events; there is no asynchronous event to lose.",
            ),
            Exemption(
                "inside a VPC",
                _packs("LambdaInsideVPC"),
                ("CKV_AWS_117",),
                "The functions call only AWS APIs (SageMaker, S3, Cognito, SSM) and no private network "
                "resource; a VPC would add NAT or endpoints without reducing exposure.",
            ),
            Exemption(
                "X-Ray tracing",
                ("Serverless-LambdaTracing",),
                (),
                "Each run is one short sequence of AWS API calls, logged in the function's own log group; "
                "traces would add cost and an IAM wildcard (xray:PutTraceSegments) for no insight.",
            ),
            Exemption(
                "environment encryption with a customer key",
                (),
                ("CKV_AWS_173",),
                "The environment holds no secrets (a parameter name or nothing); Lambda encrypts it at rest "
                "with an AWS managed key.",
            ),
            Exemption(
                "memory size",
                ("Serverless-LambdaDefaultMemorySize",),
                (),
                "The CDK Provider framework's own functions use its default memory; ours set theirs.",
            ),
        ),
        "log group of a deploy-time function": (
            Exemption(
                "customer KMS key",
                _packs("CloudWatchLogGroupEncrypted"),
                ("CKV_AWS_158",),
                "The logs hold job names, statuses and errors of deploy-time calls, no labeled data; "
                "CloudWatch Logs encrypts them at rest.",
            ),
        ),
        "IAM policy of a role this library creates": (
            Exemption(
                "inline policy",
                _packs("IAMNoInlinePolicy"),
                (),
                "Each policy belongs to exactly one role created for one purpose and is deleted with it; a "
                "customer managed policy would add a second resource and no control.",
            ),
        ),
        "IAM policy of the CDK Provider framework": (
            Exemption(
                "write access constraints",
                (),
                ("CKV_AWS_111",),
                "The CDK Provider framework's waiter may invoke only its own handler functions and their "
                "versions ('<function arn>:*').",
            ),
        ),
        "labeling bucket": (
            Exemption(
                "cross-region replication",
                _packs("S3BucketReplicationEnabled"),
                (),
                "Buckets are versioned and retained on stack deletion; replicating labeling data to another "
                "region is a data-residency decision for the project, not a default.",
            ),
        ),
        "labeling bucket with SSE-S3": (
            Exemption(
                "SSE-KMS",
                _packs("S3DefaultEncryptionKMS"),
                (),
                "Buckets are encrypted with SSE-S3 (AES-256) and deny non-TLS access unless the project "
                "chooses a customer key (LabelingBuckets encryption_key, project 'encryption'); the access "
                "logs bucket must use SSE-S3, as S3 cannot deliver server access logs to SSE-KMS buckets.",
            ),
        ),
        "server access logs bucket": (
            Exemption(
                "access logging of the logs bucket",
                ("AwsSolutions-S1",),
                ("CKV_AWS_18",),
                "This bucket receives the other buckets' server access logs; logging its own accesses "
                "would recurse. CloudTrail data events cover it where required.",
            ),
        ),
        "e-mail subscription": (
            Exemption(
                "redrive policy",
                ("Serverless-SNSRedrivePolicy",),
                (),
                "The subscriptions e-mail people that new tasks wait in the portal or that a job changed "
                "status; an undelivered notice is not data: the tasks stay available and the job's status "
                "stays in SageMaker.",
            ),
        ),
        "Provider framework waiter state machine": (
            Exemption(
                "X-Ray tracing",
                ("Serverless-StepFunctionStateMachineXray", "AwsSolutions-SF2"),
                (),
                "The CDK Provider framework's waiter only polls the job status; it has no tracing option "
                "and its executions are logged.",
            ),
        ),
    }
)

#: A function EventBridge invokes asynchronously has a dead-letter queue: every other exemption still applies.
EXEMPTIONS = MappingProxyType(
    {
        **EXEMPTIONS,
        "event-driven Lambda function": tuple(
            e for e in EXEMPTIONS["deploy-time Lambda function"] if e.what != "dead-letter queue"
        ),
        "dead-letter queue": (
            Exemption(
                "dead-letter queue of its own",
                ("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"),
                (),
                "It is the dead-letter queue: it keeps, for 14 days, the events EventBridge or an "
                "event-driven function could not handle.",
            ),
            Exemption(
                "customer KMS key",
                (),
                ("CKV_AWS_27",),
                "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled, which checkov does not recognise) and "
                "SSL-only; it holds event envelopes (a job ARN and status), no labeled data.",
            ),
        ),
    }
)

_KIND_OF: tuple[tuple[type, str], ...] = (
    (lambda_.CfnFunction, "deploy-time Lambda function"),
    (logs.CfnLogGroup, "log group of a deploy-time function"),
    (iam.CfnPolicy, "IAM policy of a role this library creates"),
    (sns.CfnSubscription, "e-mail subscription"),
    (sfn.CfnStateMachine, "Provider framework waiter state machine"),
)


def acknowledge_created(scope: IConstruct, *, event_driven: bool = False) -> None:
    """Acknowledge the exemptions on every resource of an exempt kind below ``scope`` (ours only).

    ``event_driven``: the functions below are invoked asynchronously by EventBridge (and have a
    dead-letter queue), not by a deployment.
    """
    for child in scope.node.find_all():
        if not isinstance(child, cdk.CfnResource):
            continue
        for resource_type, kind in _KIND_OF:
            if isinstance(child, resource_type):
                if event_driven and kind == "deploy-time Lambda function":
                    kind = "event-driven Lambda function"
                acknowledge(child, kind)


def acknowledge_bucket(bucket: s3.Bucket, *, logs_bucket: bool = False, kms: bool = False) -> None:
    """Acknowledge the exemptions of a labeling bucket (and of the access logs bucket) we create.

    A bucket encrypted with a customer key (``kms``) needs no SSE-KMS exemption.
    """
    resource = bucket.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    acknowledge(resource, "labeling bucket")
    if not kms:
        acknowledge(resource, "labeling bucket with SSE-S3")
    if logs_bucket:
        acknowledge(resource, "server access logs bucket")


def acknowledge(resource: cdk.CfnResource, kind: str) -> None:
    """Acknowledge every exemption of ``kind`` on ``resource`` for cdk-nag and for checkov."""
    exemptions = EXEMPTIONS[kind]
    acknowledgments = [
        cdk.Acknowledgment(id=rule, reason=exemption.reason) for exemption in exemptions for rule in exemption.nag_rules
    ]
    if acknowledgments:
        cdk.Validations.of(resource).acknowledge(*acknowledgments)
    existing = (resource.get_metadata("checkov") or {}).get("skip", [])
    known = {skip["id"] for skip in existing}
    skips = [
        {"id": check, "comment": exemption.reason}
        for exemption in exemptions
        for check in exemption.checkov_checks
        if check not in known
    ]
    if skips:
        resource.add_metadata("checkov", {"skip": [*existing, *skips]})


def security_table() -> str:
    """The exemptions as Markdown (``docs/security.md`` shows it; a test keeps the two equal)."""
    lines = ["| resource | rule | cdk-nag rules | checkov checks | reason |", "|---|---|---|---|---|"]
    for kind, exemptions in EXEMPTIONS.items():
        for exemption in exemptions:
            nag_rules = ", ".join(f"`{rule}`" for rule in exemption.nag_rules) or "-"
            checks = ", ".join(f"`{check}`" for check in exemption.checkov_checks) or "-"
            lines.append(f"| {kind} | {exemption.what} | {nag_rules} | {checks} | {exemption.reason} |")
    return "\n".join(lines) + "\n"
