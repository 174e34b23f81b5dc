"""``StreamingTopics``: the SNS topics of a streaming labeling job, and S3 events feeding the input topic."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from groundtruth_cdk import compliance, job_events
from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.job_settings import Streaming


class StreamingTopics(Construct):
    """The input topic a streaming job reads data objects from, and the optional output topic.

    A new input topic is encrypted with its own key. With ``s3_events`` the input bucket sends an
    event for every object created under the input prefix to it: the topic policy and the key policy
    let ``s3.amazonaws.com`` of this account publish (a condition on the bucket's ARN would make the
    bucket and the topic policy depend on each other), and the bucket is updated only after them. A
    new output topic is encrypted with its own key; the job's role may publish to it and use the key.

    Args:
        settings: the streaming options.
        buckets: the project's buckets (``s3_events`` uses the input bucket).
        job_label: names the job in descriptions.
    """

    def __init__(
        self, scope: Construct, id: str, *, settings: Streaming, buckets: LabelingBuckets, job_label: str
    ) -> None:
        super().__init__(scope, id)
        self.input_topic: sns.ITopic
        #: The new input topic's key (``None`` for an existing topic).
        self.input_topic_key: kms.IKey | None = None
        if settings.input_topic_arn is not None:
            self.input_topic = sns.Topic.from_topic_arn(self, "Input", settings.input_topic_arn)
        else:
            self.input_topic, self.input_topic_key = job_events.encrypted_topic(
                self,
                "Input",
                display_name="Data objects to label",
                description=f"the data objects sent to the streaming labeling job {job_label}",
                publishers=["s3.amazonaws.com"] if settings.s3_events else [],
            )
        #: Whether the input bucket sends object-created events to the input topic.
        self.s3_events = False
        if settings.s3_events:
            self.s3_events = buckets.send_object_created_events(self.input_topic)
            if self.s3_events:
                # S3 checks that it may publish when the notification is configured.
                buckets.input_bucket.node.add_dependency(self.input_topic)
        self.output_topic: sns.ITopic | None = None
        #: The new output topic's key (``None`` without one, or for an existing topic).
        self.output_topic_key: kms.IKey | None = None
        if isinstance(settings.output_topic, str):
            self.output_topic = sns.Topic.from_topic_arn(self, "Output", settings.output_topic)
        elif settings.output_topic:
            self.output_topic, self.output_topic_key = job_events.encrypted_topic(
                self,
                "Output",
                display_name="Labeled data objects",
                description=f"the labeled objects of the streaming labeling job {job_label}",
            )
        compliance.acknowledge_created(self)
