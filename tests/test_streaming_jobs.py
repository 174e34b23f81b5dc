"""Streaming labeling jobs on the construct side: topics, S3 events, the request, the role, every synth error."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from groundtruth_cdk import (
    AutoLabeling,
    LabelingBuckets,
    PreviousJobOutput,
    StoppingConditions,
    Streaming,
    TaskType,
)
from tests.builders import (
    ACCOUNT,
    ACCOUNT_ROOT_KEY_STATEMENT,
    actions_of,
    add_job,
    flat,
    job_error,
    job_properties,
    of_type,
    one_of_type,
    outputs_of,
    ssl_only_statement,
    stack,
    statements,
    synthesized,
)

INPUT_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:vehicle-uploads"
OUTPUT_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:vehicle-labels"
QUEUES = f"arn:<AWS::Partition>:sqs:us-east-1:{ACCOUNT}:GroundTruth-test-job-????????"
SAME_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


@pytest.fixture(scope="module")
def created() -> dict[str, Any]:
    """A streaming job with a created input topic fed by S3 events and a created output topic."""
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="images/")
    add_job(scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True, output_topic=True))
    return synthesized(scope)


@pytest.fixture(scope="module")
def existing() -> dict[str, Any]:
    """A streaming job on existing topics (and a created-topic job without S3 events beside it)."""
    scope = stack()
    add_job(scope, input=None, streaming=Streaming(input_topic_arn=INPUT_TOPIC, output_topic=OUTPUT_TOPIC))
    add_job(scope, "Plain", input=None, streaming=Streaming())
    return synthesized(scope)


def _topic(template: dict[str, Any], logical_prefix: str) -> tuple[str, dict[str, Any]]:
    return one_of_type(template, "AWS::SNS::Topic", logical_prefix)


def test_the_input_topic_is_encrypted_with_a_rotated_key(created: dict[str, Any]) -> None:
    topic_id, topic = _topic(created, "JobStreamingInput")
    key_id, key = one_of_type(created, "AWS::KMS::Key", "JobStreamingInputKey")
    assert topic["Properties"] == {"DisplayName": "Data objects to label", "KmsMasterKeyId": f"<{key_id}.Arn>"}
    assert key["Properties"]["EnableKeyRotation"] is True
    assert topic_id.startswith("JobStreamingInput")


@pytest.mark.parametrize("logical_prefix", ["JobStreamingInputKey", "JobStreamingOutputKey"])
def test_the_topic_keys_go_with_the_stack_after_seven_days(created: dict[str, Any], logical_prefix: str) -> None:
    # Topics keep no messages: nothing the key encrypted outlives the stack.
    _, key = one_of_type(created, "AWS::KMS::Key", logical_prefix)
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert key["Properties"]["PendingWindowInDays"] == 7


def test_the_input_topic_is_ssl_only_and_s3_of_this_account_may_publish(created: dict[str, Any]) -> None:
    topic_id, _ = _topic(created, "JobStreamingInput")
    _, policy = one_of_type(created, "AWS::SNS::TopicPolicy", "JobStreamingInputPolicy")
    assert policy["Properties"]["Topics"] == [f"<{topic_id}>"]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        ssl_only_statement(f"<{topic_id}>"),
        {
            "Action": "sns:Publish",
            "Condition": SAME_ACCOUNT,
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Resource": f"<{topic_id}>",
            "Sid": "S3Publishes",
        },
    ]


def test_s3_of_this_account_may_use_the_input_topics_key(created: dict[str, Any]) -> None:
    _, key = one_of_type(created, "AWS::KMS::Key", "JobStreamingInputKey")
    assert key["Properties"]["KeyPolicy"]["Statement"] == [
        ACCOUNT_ROOT_KEY_STATEMENT,
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Condition": SAME_ACCOUNT,
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Resource": "*",
            "Sid": "S3EncryptsMessages",
        },
    ]


def test_the_request_reads_the_input_topic_and_publishes_to_the_output_topic(created: dict[str, Any]) -> None:
    input_id, _ = _topic(created, "JobStreamingInput")
    output_id, _ = _topic(created, "JobStreamingOutput")
    properties = job_properties(created)
    request = properties["LabelingJobRequest"]
    assert request["InputConfig"] == {"DataSource": {"SnsDataSource": {"SnsTopicArn": f"<{input_id}>"}}}
    assert request["OutputConfig"] == {
        "S3OutputPath": "s3://<DataOutputBucket90385B5A>/labels/",
        "SnsTopicArn": f"<{output_id}>",
    }
    assert "StoppingConditions" not in request
    assert "LabelingJobAlgorithmsConfig" not in request
    assert not {"ManifestLines", "DataSetup", "FollowsJob"} & set(properties)


def test_objects_created_under_the_input_prefix_go_to_the_input_topic(created: dict[str, Any]) -> None:
    topic_id, _ = _topic(created, "JobStreamingInput")
    policy_id, _ = one_of_type(created, "AWS::SNS::TopicPolicy", "JobStreamingInputPolicy")
    _, bucket = one_of_type(created, "AWS::S3::Bucket", "DataInputBucket")
    assert bucket["Properties"]["NotificationConfiguration"] == {
        "TopicConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "images/"}]}},
                "Topic": f"<{topic_id}>",
            }
        ]
    }
    assert policy_id in bucket["DependsOn"]
    assert not of_type(created, "Custom::S3BucketNotifications")
    _, output_bucket = one_of_type(created, "AWS::S3::Bucket", "DataOutputBucket")
    assert "NotificationConfiguration" not in output_bucket["Properties"]


def test_objects_created_under_another_input_prefix_go_to_the_input_topic() -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_SINGLE_LABEL, input_prefix="incoming/")
    add_job(scope, task_type=TaskType.IMAGE_SINGLE_LABEL, buckets=buckets, streaming=Streaming(s3_events=True))
    _, bucket = one_of_type(synthesized(scope), "AWS::S3::Bucket", "DataInputBucket")
    (configuration,) = bucket["Properties"]["NotificationConfiguration"]["TopicConfigurations"]
    assert configuration["Event"] == "s3:ObjectCreated:*"
    assert configuration["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "incoming/"}]}}


def test_the_output_topic_is_encrypted_and_the_role_may_publish_with_its_key(created: dict[str, Any]) -> None:
    output_id, output = _topic(created, "JobStreamingOutput")
    key_id, key = one_of_type(created, "AWS::KMS::Key", "JobStreamingOutputKey")
    assert output["Properties"] == {"DisplayName": "Labeled data objects", "KmsMasterKeyId": f"<{key_id}.Arn>"}
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["KeyPolicy"]["Statement"] == [ACCOUNT_ROOT_KEY_STATEMENT]
    _, policy = one_of_type(created, "AWS::SNS::TopicPolicy", "JobStreamingOutputPolicy")
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [ssl_only_statement(f"<{output_id}>")]
    role = statements(created, "JobRoleDefaultPolicy")
    assert {"Action": "sns:Publish", "Effect": "Allow", "Resource": f"<{output_id}>"} in role
    assert {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": f"<{key_id}.Arn>"} in (
        role
    )


def test_the_role_may_create_the_queue_and_subscribe_it_to_the_input_topic(created: dict[str, Any]) -> None:
    input_id, _ = _topic(created, "JobStreamingInput")
    streaming = [s for s in statements(created, "JobRoleDefaultPolicy") if actions_of(s)[0][:4] in ("sqs:", "sns:")]
    assert streaming[:3] == [
        {
            "Action": [
                "sqs:CreateQueue",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
                "sqs:SendMessage",
                "sqs:SetQueueAttributes",
            ],
            "Effect": "Allow",
            "Resource": QUEUES,
        },
        {
            "Action": "sns:Subscribe",
            "Condition": {"StringEquals": {"sns:Protocol": "sqs"}, "StringLike": {"sns:Endpoint": QUEUES}},
            "Effect": "Allow",
            "Resource": f"<{input_id}>",
        },
        {"Action": "sns:Unsubscribe", "Effect": "Allow", "Resource": f"<{input_id}>"},
    ]
    assert len(streaming) == 4


def test_outputs_name_the_topics_and_the_queue_left_behind(created: dict[str, Any]) -> None:
    input_id, _ = _topic(created, "JobStreamingInput")
    output_id, _ = _topic(created, "JobStreamingOutput")
    outputs = outputs_of(created, "Job")
    assert outputs["InputTopicArn"] == f"<{input_id}>"
    assert outputs["OutputTopicArn"] == f"<{output_id}>"
    assert outputs["StreamingQueueName"] == "<JobB9D00F9F.StreamingQueueName>"


def test_existing_topics_are_used_as_they_are(existing: dict[str, Any]) -> None:
    request = job_properties(existing, "Job")["LabelingJobRequest"]
    assert request["InputConfig"] == {"DataSource": {"SnsDataSource": {"SnsTopicArn": INPUT_TOPIC}}}
    assert request["OutputConfig"]["SnsTopicArn"] == OUTPUT_TOPIC
    assert not of_type(existing, "AWS::SNS::Topic", "JobStreaming")
    assert not of_type(existing, "AWS::KMS::Key", "JobStreaming")
    role = statements(existing, "JobRoleDefaultPolicy")
    assert {
        "Action": "sns:Subscribe",
        "Condition": {"StringEquals": {"sns:Protocol": "sqs"}, "StringLike": {"sns:Endpoint": QUEUES}},
        "Effect": "Allow",
        "Resource": INPUT_TOPIC,
    } in role
    assert {"Action": "sns:Unsubscribe", "Effect": "Allow", "Resource": INPUT_TOPIC} in role
    assert {"Action": "sns:Publish", "Effect": "Allow", "Resource": OUTPUT_TOPIC} in role
    assert not [s for s in role if any(a.startswith("kms:") for a in actions_of(s))]
    outputs = outputs_of(existing, "Job")
    assert (outputs["InputTopicArn"], outputs["OutputTopicArn"]) == (INPUT_TOPIC, OUTPUT_TOPIC)


def test_a_created_input_topic_without_s3_events_lets_no_service_publish(existing: dict[str, Any]) -> None:
    topic_id, _ = _topic(existing, "PlainStreamingInput")
    _, policy = one_of_type(existing, "AWS::SNS::TopicPolicy", "PlainStreamingInputPolicy")
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [ssl_only_statement(f"<{topic_id}>")]
    _, key = one_of_type(existing, "AWS::KMS::Key", "PlainStreamingInputKey")
    assert key["Properties"]["KeyPolicy"]["Statement"] == [ACCOUNT_ROOT_KEY_STATEMENT]
    assert not of_type(existing, "AWS::SNS::Topic", "PlainStreamingOutput")
    plain = statements(existing, "PlainRoleDefaultPolicy")
    assert not [s for s in plain if "sns:Publish" in actions_of(s)]
    assert "OutputTopicArn" not in outputs_of(existing, "Plain")
    for _, bucket in of_type(existing, "AWS::S3::Bucket").items():
        assert "NotificationConfiguration" not in bucket["Properties"]


def test_an_initial_manifest_is_read_before_the_topic() -> None:
    scope = stack()
    job = add_job(scope, streaming=Streaming())
    assert flat(scope, job.request)["InputConfig"] == {
        "DataSource": {
            "S3DataSource": {},
            "SnsDataSource": {"SnsTopicArn": "<JobStreamingInput7CE71F7B>"},
        }
    }


# -- synth errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"streaming": Streaming(), "stopping_conditions": StoppingConditions(max_percentage_labeled=50)},
            "stopping_conditions: got 'given'; a streaming job runs until it is stopped: stopping conditions do not "
            "apply to it",
        ),
        (
            {"streaming": Streaming(), "auto_labeling": AutoLabeling()},
            "auto_labeling: got 'given'; a streaming job runs until it is stopped: automated data labeling is not "
            "available for it",
        ),
        (
            {"task_type": TaskType.TEXT_SINGLE_LABEL, "streaming": Streaming(s3_events=True)},
            "streaming.s3_events: got True; Text: classification (single label) jobs read text from the message "
            'itself; send JSON lines like {"source": "..."} to the input topic instead of S3 events',
        ),
        (
            {"streaming": Streaming(input_topic_arn=INPUT_TOPIC, s3_events=True)},
            "streaming.s3_events: got True; S3 events go to the topic the job creates; with an existing "
            "input_topic_arn, send the bucket's events to that topic yourself",
        ),
        (
            {"input": None},
            "input: got None; give the data (S3Data, ManifestInput, InlineManifest or PreviousJobOutput); only a "
            "streaming job may start without any",
        ),
        (
            {"streaming": Streaming(), "input": PreviousJobOutput("vehicles-job-1")},
            "input: got 'the output of vehicles-job-1'; a streaming job takes its objects from its input topic; it "
            "cannot wait for another job",
        ),
        (
            {"streaming": Streaming(input_topic_arn="vehicle-uploads")},
            "streaming.input_topic_arn: got 'vehicle-uploads'; an SNS topic ARN like "
            "arn:aws:sns:<region>:<account>:<name>",
        ),
        (
            {"streaming": Streaming(input_topic_arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:vehicle-uploads")},
            f"streaming.input_topic_arn: got 'arn:aws:sqs:us-east-1:{ACCOUNT}:vehicle-uploads'; an SNS topic ARN",
        ),
        (
            {"streaming": Streaming(output_topic="vehicle-labels")},
            "streaming.output_topic: got 'vehicle-labels'; an SNS topic ARN like arn:aws:sns:<region>:<account>:<name>",
        ),
    ],
    ids=[
        "stopping-conditions",
        "auto-labeling",
        "s3-events-for-text",
        "s3-events-with-an-existing-topic",
        "no-input-without-streaming",
        "previous-job-output",
        "input-topic-name",
        "input-topic-of-another-service",
        "output-topic-name",
    ],
)
def test_synth_error(overrides: dict[str, Any], message: str) -> None:
    assert message in job_error(**{"input": None, **overrides})


def test_s3_events_need_an_input_bucket_the_stack_creates() -> None:
    scope = stack()
    existing = s3.Bucket.from_bucket_name(scope, "Uploads", "vehicle-uploads")
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_bucket=existing)
    message = job_error(scope=scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert (
        "streaming.s3_events: got True; the input bucket is an existing bucket; configure its event notifications to "
        "the input topic yourself (InputTopicArn output), or let LabelingBuckets create the input bucket"
    ) in message


def test_s3_events_need_the_input_bucket_of_labeling_buckets() -> None:
    scope = stack()
    elsewhere = s3.Bucket(scope, "Uploads", enforce_ssl=True)
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_bucket=elsewhere)
    message = job_error(scope=scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert "streaming.s3_events: got True; the input bucket is an existing bucket" in message


def test_s3_events_need_the_job_in_the_stack_of_the_buckets() -> None:
    app = cdk.App()
    env = cdk.Environment(account=ACCOUNT, region="us-east-1")
    data, jobs = cdk.Stack(app, "Data", env=env), cdk.Stack(app, "Jobs", env=env)
    buckets = LabelingBuckets(data, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX)
    message = job_error(scope=jobs, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert (
        "streaming.s3_events: got True; the input bucket is in another stack; create the job in the stack of its "
        "buckets"
    ) in message


S3_EVENTS_PREFIX = (
    "every object created under the input prefix is sent to workers: use an input prefix of its own (e.g. "
    "incoming/), apart from the job inputs the deploy writes under"
)


@pytest.mark.parametrize(
    ("input_prefix", "artifacts_prefix"),
    [
        ("", "groundtruth-cdk/"),
        ("groundtruth-cdk/", "groundtruth-cdk/"),
        ("groundtruth-cdk/uploads/", "groundtruth-cdk/"),
        ("data/", "data/groundtruth/"),
    ],
    ids=["no-input-prefix", "same-prefix", "input-under-artifacts", "artifacts-under-input"],
)
def test_s3_events_need_an_input_prefix_apart_from_the_artifacts(input_prefix: str, artifacts_prefix: str) -> None:
    scope = stack()
    buckets = LabelingBuckets(
        scope,
        "Data",
        task_type=TaskType.IMAGE_BOUNDING_BOX,
        input_prefix=input_prefix,
        artifacts_prefix=artifacts_prefix,
    )
    message = job_error(scope=scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    shown = input_prefix or "(none: the whole bucket)"
    assert message == (
        "LabelingJob Test/Job: 1 invalid value:\n"
        f"  - streaming.s3_events: got 'input prefix {shown}'; {S3_EVENTS_PREFIX} {artifacts_prefix}"
    )


def test_an_input_prefix_that_only_starts_like_the_artifacts_prefix_is_apart_from_it() -> None:
    scope = stack()
    buckets = LabelingBuckets(
        scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="groundtruth-cdk-uploads/"
    )
    add_job(scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    _, bucket = one_of_type(synthesized(scope), "AWS::S3::Bucket", "DataInputBucket")
    (configuration,) = bucket["Properties"]["NotificationConfiguration"]["TopicConfigurations"]
    assert configuration["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "groundtruth-cdk-uploads/"}]}}


def test_s3_events_of_an_input_bucket_go_to_one_streaming_job_only() -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="incoming/")
    add_job(scope, "First", buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    message = job_error(scope=scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert message == (
        "LabelingJob Test/Job: 1 invalid value:\n"
        "  - streaming.s3_events: got True; the input bucket already sends its object-created events to another "
        "streaming job; give each streaming job buckets (or an input bucket) of its own"
    )
    # A second streaming job on those buckets without S3 events is fine.
    add_job(scope, "Second", buckets=buckets, input=None, streaming=Streaming())


def test_the_input_bucket_sends_its_events_to_one_topic_only() -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=TaskType.IMAGE_BOUNDING_BOX, input_prefix="incoming/")
    job = add_job(scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert job.streaming is not None
    assert buckets.object_created_events_topic is job.streaming.input_topic
    with pytest.raises(
        ValueError, match=r"^LabelingBuckets Test/Data: the input bucket already sends its events to a topic$"
    ):
        buckets.send_object_created_events(job.streaming.input_topic)


ONE_FILE = "an S3 event names one uploaded file, but"
SEQUENCE = "jobs need a sequence or frame file per object: send manifest lines to the input topic instead"
REVIEW = "jobs need the earlier labels with it: send manifest lines to the input topic instead"


@pytest.mark.parametrize(
    ("task_type", "message"),
    [
        (TaskType.VIDEO_FRAME_OBJECT_DETECTION, f"{ONE_FILE} Video frames: object detection {SEQUENCE}"),
        (TaskType.VIDEO_FRAME_OBJECT_TRACKING, f"{ONE_FILE} Video frames: object tracking {SEQUENCE}"),
        (TaskType.POINT_CLOUD_OBJECT_DETECTION, f"{ONE_FILE} 3D point cloud: object detection {SEQUENCE}"),
        (TaskType.POINT_CLOUD_SEMANTIC_SEGMENTATION, f"{ONE_FILE} 3D point cloud: semantic segmentation {SEQUENCE}"),
        (TaskType.IMAGE_BOUNDING_BOX_VERIFICATION, f"{ONE_FILE} Image: bounding box verification {REVIEW}"),
        (
            TaskType.IMAGE_SEMANTIC_SEGMENTATION_ADJUSTMENT,
            f"{ONE_FILE} Image: semantic segmentation adjustment {REVIEW}",
        ),
        (
            TaskType.VIDEO_FRAME_OBJECT_TRACKING_ADJUSTMENT,
            f"{ONE_FILE} Video frames: object tracking adjustment {REVIEW}",
        ),
        (
            TaskType.POINT_CLOUD_OBJECT_DETECTION_ADJUSTMENT,
            f"{ONE_FILE} 3D point cloud: object detection adjustment {REVIEW}",
        ),
    ],
)
def test_s3_events_are_only_for_one_file_objects(task_type: TaskType, message: str) -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=task_type, input_prefix="incoming/")
    error = job_error(task_type, scope=scope, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert error == f"LabelingJob Test/Job: 1 invalid value:\n  - streaming.s3_events: got True; {message}"


@pytest.mark.parametrize(
    "task_type",
    [
        TaskType.IMAGE_BOUNDING_BOX,
        TaskType.IMAGE_SINGLE_LABEL,
        TaskType.IMAGE_MULTI_LABEL,
        TaskType.IMAGE_SEMANTIC_SEGMENTATION,
        TaskType.VIDEO_CLIP_CLASSIFICATION,
        TaskType.CUSTOM,
    ],
)
def test_s3_events_are_accepted_for_one_file_objects(task_type: TaskType) -> None:
    scope = stack()
    buckets = LabelingBuckets(scope, "Data", task_type=task_type, input_prefix="incoming/")
    job = add_job(scope, task_type=task_type, buckets=buckets, input=None, streaming=Streaming(s3_events=True))
    assert job.streaming is not None
    assert buckets.object_created_events_topic is job.streaming.input_topic
