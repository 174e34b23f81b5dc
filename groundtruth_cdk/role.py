"""The execution role SageMaker assumes to run a labeling job, scoped to the project's buckets."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from groundtruth_cdk import compliance, nag
from groundtruth_cdk.buckets import LabelingBuckets

#: Reading objects encrypted with a key (the data, the generated job inputs).
DECRYPT_ACTIONS = ("kms:Decrypt",)
#: Writing the labels with a key (``OutputConfig.KmsKeyId``, or an SSE-KMS output bucket's default key),
#: as the SageMaker Developer Guide's key policy for output encryption lists them.
ENCRYPT_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")
#: Encrypting the storage volumes of automated data labeling's instances: SageMaker creates a grant
#: for the instances' volumes (``VolumeKmsKeyId``). Only this key gets ``kms:CreateGrant``.
VOLUME_KEY_ACTIONS = (*ENCRYPT_ACTIONS, "kms:CreateGrant")
#: Publishing to a KMS-encrypted SNS topic.
TOPIC_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
#: The EC2 calls SageMaker makes with the role to attach training and inference jobs to your subnets.
VPC_DESCRIBE_ACTIONS = (
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
VPC_INTERFACE_ACTIONS = (
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
)
#: The SQS queue Ground Truth creates for a streaming job: ``GroundTruth-<job name>``.
STREAMING_QUEUE_ACTIONS = (
    "sqs:CreateQueue",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
    "sqs:SendMessage",
    "sqs:SetQueueAttributes",
)
STREAMING_QUEUE_PREFIX = "GroundTruth-"
#: Ground Truth writes its job logs here.
LOG_GROUP_NAME = "/aws/sagemaker/LabelingJobs"


class S3Access(Enum):
    """Which S3 buckets a new labeling role may use: the console's two "new role" choices."""

    #: Only the project's buckets and prefixes (the default).
    SCOPED = "scoped"
    #: Every bucket in the account: an explicit, warned opt-in.
    ALL_BUCKETS = "all-buckets"


class LabelingJobRole(Construct):
    """A new IAM role for SageMaker to run labeling jobs with, least privilege by default.

    With ``S3Access.SCOPED`` (the default) the role may list the two buckets, read objects under the
    input prefix and the artifacts prefix, and read and write objects under the output prefix; nothing
    else in S3. It may also publish CloudWatch metrics, write the ``/aws/sagemaker/LabelingJobs`` logs,
    use the buckets' KMS keys, and invoke the Lambdas given in ``invoke_functions`` (custom task types).
    No AWS managed policy is attached. ``S3Access.ALL_BUCKETS`` widens S3 to every bucket and adds a
    synth warning. To use a role you already have, pass it to ``LabelingJob(role=...)`` instead.

    Args:
        buckets: the project's buckets.
        s3_access: ``SCOPED`` (default) or ``ALL_BUCKETS``.
        invoke_functions: ARNs of custom pre-annotation / consolidation Lambdas the jobs call. Default none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        buckets: LabelingBuckets,
        s3_access: S3Access = S3Access.SCOPED,
        invoke_functions: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.role = iam.Role(
            self,
            "Resource",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"SageMaker Ground Truth labeling jobs of {self.node.path}",
        )
        self._buckets = buckets
        if s3_access is S3Access.SCOPED:
            self._scoped_s3()
        else:
            self._all_buckets_s3()
        self._key_statements: set[tuple[str, tuple[str, ...]]] = set()
        self._passes_itself = False
        if buckets.input_bucket.encryption_key is not None:
            self.use_key(buckets.input_bucket.encryption_key.key_arn, DECRYPT_ACTIONS)
        if buckets.output_bucket.encryption_key is not None:
            self.use_key(buckets.output_bucket.encryption_key.key_arn, ENCRYPT_ACTIONS)
        nag.allow(
            self.role,
            sid="PublishJobMetrics",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            wildcard_reason="cloudwatch:PutMetricData has no resource-level permissions; Ground Truth publishes "
            "the job's metrics with it.",
        )
        log_group = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=LOG_GROUP_NAME,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        nag.allow(
            self.role,
            sid="WriteJobLogs",
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            resources=[log_group, f"{log_group}:log-stream:*"],
            wildcard_reason=f"Ground Truth names one log stream per job and worker in {LOG_GROUP_NAME}; the "
            "wildcard covers only that log group's streams.",
        )
        if invoke_functions:
            nag.allow(
                self.role,
                sid="InvokeCustomTaskLambdas",
                actions=["lambda:InvokeFunction"],
                resources=list(invoke_functions),
            )
        compliance.acknowledge_created(self)

    def use_key(self, key_arn: str, actions: tuple[str, ...]) -> None:
        """Let the role use the KMS key ``key_arn`` for ``actions`` (once per key and set of actions).

        Use :data:`DECRYPT_ACTIONS` (read), :data:`ENCRYPT_ACTIONS` (write labels),
        :data:`VOLUME_KEY_ACTIONS` (auto-labeling volumes) or :data:`TOPIC_KEY_ACTIONS` (publish).
        """
        if (key_arn, actions) in self._key_statements:
            return
        self._key_statements.add((key_arn, actions))
        nag.allow(self.role, sid=None, actions=sorted(actions), resources=[key_arn])
        wildcards = [action for action in actions if "*" in action]
        if wildcards:
            nag.acknowledge_wildcard_actions(
                self.role,
                wildcards,
                "kms:ReEncrypt* and kms:GenerateDataKey* are the data-key operations of S3 and SNS encryption, "
                "granted on the named keys only.",
            )

    def allow_auto_labeling_vpc(self, subnet_ids: tuple[str, ...], security_group_ids: tuple[str, ...]) -> None:
        """Let SageMaker attach automated data labeling's jobs to these subnets and security groups."""
        stack = cdk.Stack.of(self)

        def ec2_arn(resource: str, name: str) -> str:
            return stack.format_arn(service="ec2", resource=resource, resource_name=name)

        interfaces = ec2_arn("network-interface", "*")
        subnets = [ec2_arn("subnet", subnet) for subnet in subnet_ids]
        groups = [ec2_arn("security-group", group) for group in security_group_ids]
        nag.allow(
            self.role,
            sid=None,
            actions=list(VPC_DESCRIBE_ACTIONS),
            resources=["*"],
            wildcard_reason="The ec2:Describe* calls SageMaker makes to place the auto-labeling jobs in the VPC "
            "have no resource-level permissions.",
        )
        # CreateNetworkInterface is authorized on the new interface, its subnet and its security groups: the
        # subnets and groups are named; the interface, which SageMaker names, only in the second statement.
        nag.allow(self.role, sid=None, actions=["ec2:CreateNetworkInterface"], resources=[*subnets, *groups])
        nag.allow(
            self.role,
            sid=None,
            actions=["ec2:CreateNetworkInterface"],
            resources=[interfaces],
            wildcard_reason="SageMaker names the network interfaces it creates; the first statement limits them "
            "to the given subnets and security groups.",
        )
        nag.allow(
            self.role,
            sid=None,
            actions=list(VPC_INTERFACE_ACTIONS),
            resources=[interfaces],
            conditions={"ArnEquals": {"ec2:Subnet": subnets}},
            wildcard_reason="SageMaker manages the network interfaces it created in the given subnets (the "
            "condition); their IDs are not known in advance.",
        )

    def allow_streaming(self, *, job_name_prefix: str, input_topic_arn: str, output_topic_arn: str | None) -> None:
        """Let Ground Truth run streaming jobs named ``<job_name_prefix>-<8 hex>``: create and read the job's SQS
        queue, subscribe it to the input topic, and publish labeled objects to the output topic."""
        stack = cdk.Stack.of(self)
        queues = stack.format_arn(
            service="sqs",
            resource=f"{STREAMING_QUEUE_PREFIX}{job_name_prefix}-????????",
            arn_format=cdk.ArnFormat.NO_RESOURCE_NAME,
        )
        nag.allow(
            self.role,
            sid=None,
            actions=list(STREAMING_QUEUE_ACTIONS),
            resources=[queues],
            wildcard_reason="Ground Truth creates one queue per streaming job, 'GroundTruth-<job name>'; the job "
            "name ends in 8 hex digits chosen at deploy, which the wildcard matches exactly.",
        )
        nag.allow(
            self.role,
            sid=None,
            actions=["sns:Subscribe"],
            resources=[input_topic_arn],
            conditions={"StringEquals": {"sns:Protocol": "sqs"}, "StringLike": {"sns:Endpoint": queues}},
        )
        # As the SageMaker Developer Guide's scoped streaming policy does: on the input topic only.
        nag.allow(self.role, sid=None, actions=["sns:Unsubscribe"], resources=[input_topic_arn])
        if output_topic_arn is not None:
            nag.allow(self.role, sid=None, actions=["sns:Publish"], resources=[output_topic_arn])

    def grant_read_object(self, bucket_arn: str, key: str) -> None:
        """Let the role read one more object, e.g. an input manifest outside the input prefix."""
        nag.allow(self.role, sid=None, actions=["s3:GetObject"], resources=[f"{bucket_arn}/{key}"])

    def allow_passing_itself(self) -> None:
        """Let SageMaker pass this role on to the training and inference jobs of automated data labeling."""
        if self._passes_itself:
            return
        self._passes_itself = True
        nag.allow(
            self.role,
            sid="PassItselfToAutoLabeling",
            actions=["iam:PassRole"],
            resources=[self.role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )

    def grant_read_prefix(self, bucket: s3.IBucket, prefix: str, *, cross_stack: bool | None = None) -> None:
        """Let the role read the objects under ``prefix`` of ``bucket`` (data found by automated setup).

        ``cross_stack``: the bucket's name comes from another stack (default: whether ``bucket`` is in one).
        """
        nag.allow(
            self.role,
            sid=None,
            actions=["s3:GetObject"],
            resources=[bucket.arn_for_objects(f"{prefix}*")],
            wildcard_reason="Ground Truth reads the data objects the deploy found under the data prefix; the "
            "wildcard is limited to that prefix.",
            cross_stack=cdk.Stack.of(bucket) is not cdk.Stack.of(self) if cross_stack is None else cross_stack,
        )
        if bucket.encryption_key is not None:
            self.use_key(bucket.encryption_key.key_arn, DECRYPT_ACTIONS)

    def _scoped_s3(self) -> None:
        buckets = self._buckets
        input_arn = buckets.input_bucket.bucket_arn
        output_arn = buckets.output_bucket.bucket_arn
        bucket_arns = [input_arn] if buckets.output_bucket is buckets.input_bucket else [input_arn, output_arn]
        nag.allow(
            self.role, sid="ListDataBuckets", actions=["s3:GetBucketLocation", "s3:ListBucket"], resources=bucket_arns
        )
        read = [f"{input_arn}/{buckets.input_prefix}*"]
        if buckets.input_prefix and not buckets.artifacts_prefix.startswith(buckets.input_prefix):
            read.append(f"{input_arn}/{buckets.artifacts_prefix}*")
        nag.allow(
            self.role,
            sid="ReadInputData",
            actions=["s3:GetObject"],
            resources=read,
            wildcard_reason="Ground Truth reads the data objects the manifest lists and the job inputs the "
            "deploy generates; the wildcard is limited to the input and artifacts prefixes of the input bucket.",
        )
        nag.allow(
            self.role,
            sid="WriteLabels",
            actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            resources=[f"{output_arn}/{buckets.output_prefix}*"],
            wildcard_reason="Ground Truth writes annotations and manifests under '<output prefix><job name>/', "
            "with keys it chooses; the wildcard is limited to the output prefix of the output bucket.",
        )

    def _all_buckets_s3(self) -> None:
        partition = cdk.Stack.of(self).partition
        reason = "The project owner chose S3Access.ALL_BUCKETS explicitly; synth warns about it."
        nag.allow(
            self.role,
            sid="ListAllBuckets",
            actions=["s3:GetBucketLocation", "s3:ListBucket"],
            resources=[f"arn:{partition}:s3:::*"],
            wildcard_reason=reason,
        )
        nag.allow(
            self.role,
            sid="ReadWriteAllBuckets",
            actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            resources=[f"arn:{partition}:s3:::*/*"],
            wildcard_reason=reason,
        )
        cdk.Annotations.of(self).add_warning_v2(
            "groundtruth-cdk:AllBuckets",
            "s3_access=ALL_BUCKETS lets labeling jobs read and write every S3 bucket in the account. "
            "Prefer the default SCOPED access to the project's buckets.",
        )
