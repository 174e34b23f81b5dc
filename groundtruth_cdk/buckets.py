"""The S3 side of a labeling project: where the data is, where the labels go, with the right CORS."""

from __future__ import annotations

import weakref

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from groundtruth_cdk import compliance
from groundtruth_cdk.task_types import Cors, TaskType
from groundtruth_cdk.validation import Problems, is_token

#: Where the deploy writes each job's generated inputs, unless ``LabelingBuckets`` is told otherwise.
DEFAULT_ARTIFACTS_PREFIX = "groundtruth-cdk/"

#: The CORS rules each bucket of the app already has from us: a bucket several jobs use gets each rule once.
_CORS_GIVEN: weakref.WeakKeyDictionary[s3.Bucket, list[tuple[s3.CorsRule, ...]]] = weakref.WeakKeyDictionary()

#: Without these, workers' browsers cannot load the data objects (reference/ground-truth.md §5).
CORS_RULES: dict[Cors, tuple[s3.CorsRule, ...]] = {
    Cors.NONE: (),
    Cors.READ: (
        s3.CorsRule(
            allowed_methods=[s3.HttpMethods.GET],
            allowed_origins=["*"],
            allowed_headers=[],
            exposed_headers=["Access-Control-Allow-Origin"],
        ),
    ),
    Cors.READ_WRITE: (
        s3.CorsRule(
            allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.PUT],
            allowed_origins=["*"],
            allowed_headers=["*"],
            exposed_headers=["Access-Control-Allow-Origin"],
            max_age=3000,
        ),
    ),
}


class LabelingBuckets(Construct):
    """The input (data) and output (labels) buckets of a labeling project.

    Buckets it creates are encrypted (SSE-S3, or SSE-KMS with ``encryption_key``), private (public
    access blocked, object ownership enforced), SSL-only, log their accesses to a logs bucket, and are
    retained when the stack is deleted: labels are paid human work. All are versioned. Each gets the CORS rule the
    task type needs: on the input bucket always, on the output bucket too for video frame and 3D point
    cloud tasks (their UIs write there).

    Args:
        task_type: the task type whose CORS rule the buckets get.
        input_bucket: an existing bucket with the data. Default: a new bucket. An imported bucket is not
            changed: a warning reminds you to give it the CORS rule yourself.
        output_bucket: an existing bucket for the labels. Default: a new bucket (it may also be the
            input bucket: pass the same bucket twice).
        input_prefix: key prefix of the data in the input bucket; the job's role can read only there
            (and under ``artifacts_prefix``). Default: ``""``, the whole bucket.
        output_prefix: key prefix under which Ground Truth writes ``<job name>/...``. Default ``"labels/"``.
        artifacts_prefix: key prefix in the input bucket where the deploy writes each job's generated
            manifest, label category file and worker template. Default ``"groundtruth-cdk/"``.
        removal_policy: what happens to created buckets on stack deletion. Default ``RETAIN``.
        access_logs_bucket: where created buckets send server access logs. Default: a new, retained
            logs bucket (SSE-S3: S3 cannot deliver access logs to an SSE-KMS bucket).
        encryption_key: a customer managed KMS key for the input and output buckets it creates (SSE-KMS
            with S3 Bucket Keys, which cut the KMS requests). The jobs' role gets exactly the key
            permissions it needs (decrypt the data; encrypt and decrypt the labels), and the labels are
            written with it (``OutputConfig.KmsKeyId``). Default: SSE-S3.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        task_type: TaskType,
        input_bucket: s3.IBucket | None = None,
        output_bucket: s3.IBucket | None = None,
        input_prefix: str = "",
        output_prefix: str = "labels/",
        artifacts_prefix: str = DEFAULT_ARTIFACTS_PREFIX,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        access_logs_bucket: s3.IBucket | None = None,
        encryption_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = Problems(f"LabelingBuckets {self.node.path}")
        for field, prefix in (
            ("input_prefix", input_prefix),
            ("output_prefix", output_prefix),
            ("artifacts_prefix", artifacts_prefix),
        ):
            _check_prefix(problems, field, prefix)
        if not is_token(artifacts_prefix) and not artifacts_prefix:
            problems.add("artifacts_prefix", artifacts_prefix, "must not be empty (it would mix with your data)")
        same_bucket = output_bucket is not None and output_bucket is input_bucket
        if same_bucket and _overlaps(input_prefix, output_prefix):
            problems.add(
                "output_prefix",
                output_prefix,
                f"must not overlap input_prefix {input_prefix!r} when both are in the same bucket",
            )
        problems.raise_if_any()

        self.task_type = task_type
        self.input_prefix = input_prefix
        self.output_prefix = output_prefix
        self.artifacts_prefix = artifacts_prefix
        cors = task_type.spec.cors
        self._removal_policy = removal_policy
        self._access_logs_bucket = access_logs_bucket
        #: The customer managed key of the buckets this construct creates (``None``: SSE-S3).
        self.encryption_key = encryption_key
        #: The topic the input bucket sends its object-created events to (a streaming job's), if any.
        self.object_created_events_topic: sns.ITopic | None = None
        #: The logs bucket this construct created, if it created one.
        self.access_logs_bucket: s3.Bucket | None = None

        if input_bucket is None:
            input_bucket = self._new_bucket("InputBucket", cors=CORS_RULES[cors])
        else:
            self._adopt(input_bucket, CORS_RULES[cors], "input_bucket")
        output_cors = CORS_RULES[cors] if cors is Cors.READ_WRITE else ()
        if output_bucket is None:
            output_bucket = self._new_bucket("OutputBucket", cors=output_cors)
        elif not same_bucket:
            self._adopt(output_bucket, output_cors, "output_bucket")
        #: The bucket with the data objects (and the generated job inputs).
        self.input_bucket: s3.IBucket = input_bucket
        #: The bucket Ground Truth writes the labels to.
        self.output_bucket: s3.IBucket = output_bucket

    @property
    def output_path_uri(self) -> str:
        """``S3OutputPath`` of the jobs: ``s3://<output bucket>/<output_prefix>``."""
        return f"s3://{self.output_bucket.bucket_name}/{self.output_prefix}"

    @property
    def artifacts_uri(self) -> str:
        """Where the deploy writes generated job inputs: ``s3://<input bucket>/<artifacts_prefix>``."""
        return f"s3://{self.input_bucket.bucket_name}/{self.artifacts_prefix}"

    def ensure_cors(self, bucket: s3.IBucket, field: str) -> None:
        """Give another bucket the workers' browsers read data from the task type's CORS rule.

        A bucket defined in this app gets the rule; an imported one gets the synth warning instead.
        """
        if bucket is not self.input_bucket:
            self._adopt(bucket, CORS_RULES[self.task_type.spec.cors], field)

    def covers_input(self, bucket: s3.IBucket, prefix: str) -> bool:
        """Whether ``bucket``/``prefix`` lies inside the input prefix (so the job role can read it already)."""
        return bucket is self.input_bucket and not is_token(prefix) and prefix.startswith(self.input_prefix)

    def _new_bucket(self, id: str, *, cors: tuple[s3.CorsRule, ...]) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            id,
            encryption=s3.BucketEncryption.KMS if self.encryption_key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=self.encryption_key,
            bucket_key_enabled=True if self.encryption_key else None,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="AbortIncompleteUploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(7)
                )
            ],
            cors=list(cors) or None,
            removal_policy=self._removal_policy,
            server_access_logs_bucket=self._logs_bucket(),
            server_access_logs_prefix=f"{id}/",
        )
        compliance.acknowledge_bucket(bucket, kms=self.encryption_key is not None)
        if cors:
            _CORS_GIVEN[bucket] = [cors]
        return bucket

    def send_object_created_events(self, topic: sns.ITopic) -> bool:
        """Send an event to ``topic`` for each object created under the input prefix of the input bucket.

        The notification is set on the input bucket's own ``NotificationConfiguration`` (no helper
        function), so the bucket must be one this construct created; returns ``False`` otherwise. The
        topic must let ``s3.amazonaws.com`` publish before the bucket is updated (the caller's policy).
        """
        bucket = self.input_bucket
        if not isinstance(bucket, s3.Bucket) or bucket.node.scope is not self:
            return False
        if self.object_created_events_topic is not None:
            raise ValueError(f"LabelingBuckets {self.node.path}: the input bucket already sends its events to a topic")
        self.object_created_events_topic = topic
        resource = bucket.node.default_child
        assert isinstance(resource, s3.CfnBucket)
        rules = [s3.CfnBucket.FilterRuleProperty(name="prefix", value=self.input_prefix)] if self.input_prefix else []
        resource.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            topic_configurations=[
                s3.CfnBucket.TopicConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    topic=topic.topic_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(s3_key=s3.CfnBucket.S3KeyFilterProperty(rules=rules))
                    if rules
                    else None,
                )
            ]
        )
        return True

    def _logs_bucket(self) -> s3.IBucket:
        if self._access_logs_bucket is not None:
            return self._access_logs_bucket
        if self.access_logs_bucket is None:
            bucket = s3.Bucket(
                self,
                "AccessLogsBucket",
                encryption=s3.BucketEncryption.S3_MANAGED,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
                enforce_ssl=True,
                versioned=True,
                removal_policy=self._removal_policy,
            )
            compliance.acknowledge_bucket(bucket, logs_bucket=True)
            self.access_logs_bucket = bucket
        return self.access_logs_bucket

    def _adopt(self, bucket: s3.IBucket, cors: tuple[s3.CorsRule, ...], field: str) -> None:
        if not cors:
            return
        if isinstance(bucket, s3.Bucket):
            given = _CORS_GIVEN.setdefault(bucket, [])
            if cors in given:
                return
            given.append(cors)
            for rule in cors:
                bucket.add_cors_rule(
                    allowed_methods=rule.allowed_methods,
                    allowed_origins=rule.allowed_origins,
                    allowed_headers=rule.allowed_headers,
                    exposed_headers=rule.exposed_headers,
                    max_age=rule.max_age,
                )
            return
        methods = ", ".join(str(m.value) for m in cors[0].allowed_methods)
        cdk.Annotations.of(self).add_warning_v2(
            "groundtruth-cdk:ImportedBucketCors",
            f"{field} is an imported bucket, so its CORS rule is not managed here. Ground Truth workers "
            f"need a CORS rule allowing {methods} from any origin on it, or the data will not load in "
            "the worker UI (reference: SageMaker Developer Guide, 'CORS Requirement for Input Image Data').",
        )


def _check_prefix(problems: Problems, field: str, prefix: str) -> None:
    if is_token(prefix) or not prefix:
        return
    if prefix.startswith("/") or not prefix.endswith("/"):
        problems.add(field, prefix, "a key prefix must not start with '/' and must end with '/', e.g. 'data/'")


def _overlaps(first: str, second: str) -> bool:
    if is_token(first) or is_token(second):
        return False
    return first.startswith(second) or second.startswith(first)
