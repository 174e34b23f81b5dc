"""The JSON Schemas of project files and ``workforce.yaml``: the one source for the loader and the editors.

The loader checks every file against these dicts; ``groundtruth_cdk/schema/*.schema.json`` are the
same dicts written out for editors (a test keeps them equal); :func:`write_schemas` regenerates them
(``make schema``). Limits come from the library's own constants, so the
schema, the constructs and the synth rules agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from groundtruth_cdk.inputs import MAX_INLINE_OBJECTS, OnMismatch
from groundtruth_cdk.job_settings import MAX_NOTIFICATION_EMAILS, MAX_SECURITY_GROUPS, MAX_SUBNETS, ContentClassifier
from groundtruth_cdk.private_workforce import (
    EMAIL_PATTERN,
    MAX_MEMBER_DEFINITIONS,
    MAX_SOURCE_CIDRS,
    MAX_TEAM_DESCRIPTION,
    MAX_TEAMS,
    IdentityProvider,
)
from groundtruth_cdk.task_types import DataType, TaskType
from groundtruth_cdk.validation import (
    KEYWORD_PATTERN,
    MAX_CONCURRENT_TASKS,
    MAX_DESCRIPTION,
    MAX_JOB_NAME_PREFIX,
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_LABEL,
    MAX_LABEL_ATTRIBUTE_NAME,
    MAX_TITLE,
    MAX_WORKERS_PER_OBJECT,
    NAME_PATTERN,
)

#: Where the published schema files are (package data).
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: Task types a project file may name: every built-in one (custom task types need code: use the constructs).
PROJECT_TASK_TYPES = tuple(t for t in TaskType if t is not TaskType.CUSTOM)
#: YAML names of the content classifiers.
CONTENT_CLASSIFIERS = {c.name.lower().replace("_", "-"): c for c in ContentClassifier}
#: Project names: they name the stack (``GroundTruth-<name>``) and prefix the job names.
PROJECT_NAME_PATTERN = rf"^[a-z0-9](-?[a-z0-9]){{0,{MAX_JOB_NAME_PREFIX - 1}}}$"
PROJECT_NAME_RULE = (
    f"a project name (the file name without .yaml) is 1-{MAX_JOB_NAME_PREFIX} lowercase letters, digits and "
    "single hyphens, starting and ending with a letter or digit: it names the stack GroundTruth-<name> and the job"
)
#: ``5m``, ``8h``, ``10d``, ``30s``.
DURATION_PATTERN = r"^[1-9][0-9]*[smhd]$"
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

REGION = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"
ACCOUNT = r"^[0-9]{12}$"
BUCKET = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
PREFIX = r"^([^/].*/)?$"
S3_URI = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$"
#: An S3 location: ``s3://bucket/`` or ``s3://bucket/prefix/``.
S3_LOCATION = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^/]+/)*$"
VENDOR_ARN = r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:workteam/vendor-crowd/.+$"
PRICE = r"^[0-9]+(\.[0-9]+)?$"
HTTPS_URL = r"^https://.+$"
SECRET_ARN = r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$"
CIDR = r"^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$"
SNS_TOPIC_ARN = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$"
KMS_KEY_ARN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$"
#: ``encryption`` as a word (the mapping form names an existing key).
ENCRYPTION_WORD = r"^(s3-managed|kms)$"
#: ``auto_labeling.initial_model``: a model ARN, or ``previous``.
INITIAL_MODEL = r"^(previous|arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model/.+)$"
#: ``auto_labeling.volume_kms_key_arn``: a key ARN, or ``project``.
VOLUME_KEY = r"^(project|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)$"
SUBNET_ID = r"^subnet-[0-9a-f]{8,17}$"
SECURITY_GROUP_ID = r"^sg-[0-9a-f]{8,17}$"
#: ``encryption`` words and the special values of ``auto_labeling``.
S3_MANAGED, NEW_KEY, PREVIOUS_MODEL, PROJECT_KEY = "s3-managed", "kms", "previous", "project"
#: The input prefix of a streaming project without data (where uploads are labeled).
DEFAULT_STREAMING_PREFIX = "incoming/"

#: What each pattern means, for error messages.
PATTERN_MESSAGES = {
    REGION: "must be an AWS region name like eu-west-1",
    ACCOUNT: "must be a 12-digit AWS account id (in quotes)",
    BUCKET: "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens",
    PREFIX: "must be a key prefix that ends with '/' and does not start with '/', e.g. 'images/' ('' for all)",
    S3_URI: "must be an S3 URI like s3://bucket/path/input.manifest",
    S3_LOCATION: "must be an S3 location like s3://bucket/ or s3://bucket/prefix/ (ending with '/')",
    VENDOR_ARN: "must be a vendor work team ARN like arn:aws:sagemaker:<region>:<account>:workteam/vendor-crowd/<name>",
    PRICE: "must be a price in US dollars, e.g. '0.036'",
    HTTPS_URL: "must be an https:// URL",
    SECRET_ARN: "must be a Secrets Manager secret ARN like arn:aws:secretsmanager:<region>:<account>:secret:<name>",
    CIDR: "must be an IPv4 CIDR block like 203.0.113.0/24",
    SNS_TOPIC_ARN: "must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<name>",
    KMS_KEY_ARN: "must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>",
    ENCRYPTION_WORD: "allowed: s3-managed, kms, or {kms_key_arn: <an existing KMS key's ARN>}",
    INITIAL_MODEL: "must be a SageMaker model ARN like arn:aws:sagemaker:<region>:<account>:model/<name>, or "
    "previous (the final model of the job this project follows)",
    VOLUME_KEY: "must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key id>, or project (the "
    "project's own key: encryption)",
    PROJECT_NAME_PATTERN: "must be the name of another project: its file name without .yaml (lowercase letters, "
    "digits and single hyphens)",
    SUBNET_ID: "must be a subnet ID like subnet-0123456789abcdef0",
    SECURITY_GROUP_ID: "must be a security group ID like sg-0123456789abcdef0",
    DURATION_PATTERN: "must be a duration: seconds (300) or a whole number with s, m, h or d (30s, 5m, 8h, 10d)",
    NAME_PATTERN.pattern: "must be letters, digits and hyphens, starting and ending with a letter or digit",
    KEYWORD_PATTERN.pattern: "must be letters and digits, words separated by single spaces",
    EMAIL_PATTERN.pattern: "must be an e-mail address like worker@example.com",
}


def _text(description: str, *, min_length: int = 1, max_length: int | None = None, **more: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description, "minLength": min_length}
    if max_length is not None:
        schema["maxLength"] = max_length
    return {**schema, **more}


def _texts(description: str, item: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": item or {"type": "string", "minLength": 1}, **more}


def _duration(description: str) -> dict[str, Any]:
    return {
        "type": ["integer", "string"],
        "description": f"{description} Seconds (300), or a whole number with s, m, h or d: 30s, 5m, 8h, 10d.",
        "minimum": 1,
        "pattern": DURATION_PATTERN,
        "examples": ["5m", "8h", "10d", 300],
    }


def _choice(title: str, key: str, properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "object",
        "required": [key],
        "additionalProperties": False,
        "properties": properties,
    }


_BUCKET_DEFAULT_NEW = (
    "An existing S3 bucket (its name) that holds the data; the project's stack does not change it (give it the "
    "CORS rule the task type needs). Default: the project's own new input bucket."
)
_PREFIX_DATA = (
    "Where the data objects are in the bucket: a key prefix ending with '/'. The job's role may read only "
    "there. Default: '' (the whole bucket)."
)

_AUTOMATED = _choice(
    "automated data setup",
    "data_type",
    {
        "bucket": {"type": "string", "pattern": BUCKET, "description": _BUCKET_DEFAULT_NEW},
        "prefix": {"type": "string", "pattern": PREFIX, "description": _PREFIX_DATA, "default": ""},
        "data_type": {
            "enum": [t.value for t in DataType],
            "description": "What the deploy looks for under the prefix: image (.jpg .jpeg .png), text (.txt .csv: "
            "one object per line or CSV row), video-clip (.mp4 .webm .ogg) or video-frames (one sequence per "
            "sub-folder of frames).",
        },
        "on_mismatch": {
            "enum": [m.value for m in OnMismatch],
            "default": OnMismatch.FAIL.value,
            "description": "Objects of another type: fail the deploy (with examples) or skip them. Default: fail.",
        },
        "sample_percent": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 100,
            "description": "Label only this percentage of the objects, the same ones on every deploy. Default: all.",
        },
        "seed": _text("Changes which objects the sample picks. Default: 'groundtruth-cdk'."),
        "include": _texts("Globs on the key below the prefix, e.g. ['*.jpg', 'night/*']. Default: every key."),
        "exclude": _texts("Globs of keys below the prefix to leave out. Default: none."),
        "key_pattern": _text("A regular expression the key below the prefix must contain. Default: any key."),
        "text_column": _text("The CSV column holding the text (text data). Default: the file's only column."),
    },
    "The console's automated data setup: at deploy, find the data objects under the prefix and build the "
    "manifest from them.",
)
_MANIFEST = _choice(
    "a manifest in S3",
    "manifest",
    {
        "manifest": {
            "type": "string",
            "pattern": S3_URI,
            "description": "The input manifest (JSON Lines, one source-ref or source per line): s3://bucket/key.",
        },
        "where": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": ["string", "number", "boolean"]},
            "description": "Label only the manifest lines whose fields match: dotted paths to a glob (strings) or "
            "a value, e.g. {camera: 'front*'}. Default: every line.",
        },
        "bucket": {
            "type": "string",
            "pattern": BUCKET,
            "description": "The bucket with the data objects the manifest lists (the job's role may read them). "
            "Default: the manifest's bucket.",
        },
        "prefix": {"type": "string", "pattern": PREFIX, "description": _PREFIX_DATA, "default": ""},
    },
    "A manifest you provide (the console's manual data setup); video frame and 3D point cloud jobs need one.",
)
_LISTED = _choice(
    "objects listed here",
    "objects",
    {
        "objects": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_INLINE_OBJECTS,
            "items": {"type": ["string", "object"]},
            "description": "The data objects, each a manifest line ({source-ref: s3://...} or {source: text}) or "
            "a string: the text itself (text task types) or an object key below the prefix of the bucket.",
        },
        "bucket": {"type": "string", "pattern": BUCKET, "description": _BUCKET_DEFAULT_NEW},
        "prefix": {"type": "string", "pattern": PREFIX, "description": _PREFIX_DATA, "default": ""},
    },
    f"Up to {MAX_INLINE_OBJECTS} data objects listed in the file; the deploy writes the manifest.",
)

_PREVIOUS_PROJECT = _choice(
    "the output of another project",
    "previous_project",
    {
        "previous_project": {
            "type": "string",
            "pattern": PROJECT_NAME_PATTERN,
            "description": "The name of another project file in this folder (without .yaml), in the same region "
            "and account: this job labels or reviews that job's output, and starts by itself when that job "
            "completes. Its stack deploys first.",
        }
    },
    "Chain jobs: verify or adjust another project's labels, or label its output again with another task.",
)
_PREVIOUS_JOB = _choice(
    "the output of an existing job",
    "previous_job",
    {
        "previous_job": {
            "type": "object",
            "required": ["name", "output", "data"],
            "additionalProperties": False,
            "description": "A labeling job outside this app, in the project's region and account: this job labels "
            "or reviews its output, and starts by itself when that job completes (at once if it has).",
            "properties": {
                "name": _text("The job's name (its LabelingJobName).", max_length=63, pattern=NAME_PATTERN.pattern),
                "output": _text(
                    "Where that job wrote its labels (its S3OutputPath, or the folder of its output manifest): this "
                    "job's role may read there.",
                    pattern=S3_LOCATION,
                ),
                "data": _text(
                    "Where that job's data objects are: this job's role may read there, and workers' browsers load "
                    "them from there.",
                    pattern=S3_LOCATION,
                ),
                "kms_key_arn": _text(
                    "The KMS key that job's data or labels are encrypted with: this job's role may decrypt with it. "
                    "Default: none.",
                    pattern=KMS_KEY_ARN,
                ),
                "label_attribute_name": _text(
                    "The job's label attribute name: what a verification or adjustment job reviews. Default: "
                    "unknown (give reviewed_label_attribute_name).",
                    max_length=MAX_LABEL_ATTRIBUTE_NAME,
                    pattern=NAME_PATTERN.pattern,
                ),
                "task_type": {
                    "enum": [t.value for t in PROJECT_TASK_TYPES],
                    "description": "The job's task type, checked against what a review task type reviews. Default: "
                    "unknown.",
                },
                "labels": _texts(
                    "The job's labels: a verification or adjustment job uses them unless it gives its own. Default: "
                    "unknown (give labels).",
                    {"type": "string", "minLength": 1, "maxLength": MAX_LABEL},
                    minItems=1,
                ),
            },
        }
    },
    "Chain jobs: verify or adjust the labels of a job made elsewhere, or label its output again.",
)
_ARN_OR_NEW_TOPIC = "true: a new topic encrypted with a new KMS key; or an existing SNS topic's ARN. Default: none."

PROJECT_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "title": "groundtruth-cdk labeling project",
    "description": "One SageMaker Ground Truth labeling project (projects/<name>.yaml): "
    "`cdk deploy GroundTruth-<name>` creates its buckets, a scoped execution role and the labeling job.",
    "type": "object",
    # labels and data are required too, except for review jobs of a previous job (labels) and streaming jobs
    # (data): the loader checks that.
    "required": ["task_type", "instructions", "title", "description", "workers"],
    "additionalProperties": False,
    "properties": {
        "region": {
            "type": "string",
            "pattern": REGION,
            "description": "The AWS region of the project, e.g. eu-west-1. Default: none, a region-agnostic "
            "template that deploys to the region of your AWS credentials (a private team needs a region).",
        },
        "account": {
            "type": "string",
            "pattern": ACCOUNT,
            "description": "The AWS account id, in quotes. Default: the account of your AWS credentials.",
        },
        "task_type": {
            "enum": [t.value for t in PROJECT_TASK_TYPES],
            "description": "What workers do (custom task types need your own template and Lambdas: use the "
            "LabelingJob construct).",
        },
        "labels": _texts(
            "The label categories workers choose from, each unique; how many depends on the task type. Required, "
            "except for a verification or adjustment job that follows a previous job: it defaults to that job's.",
            {"type": "string", "minLength": 1, "maxLength": MAX_LABEL},
        ),
        "instructions": {
            "type": "object",
            "description": "What workers read (HTML): a short instruction beside the task and a full one behind a "
            "link.",
            "required": ["short", "full"],
            "additionalProperties": False,
            "properties": {
                "short": _text("The short instruction shown beside the task (HTML)."),
                "full": _text("The full instructions behind the task's instructions link (HTML)."),
            },
        },
        "title": _text("The task title workers see in their task list.", max_length=MAX_TITLE),
        "description": _text(
            "The task description workers see, on one line; also the question above the task.",
            max_length=MAX_DESCRIPTION,
        ),
        "keywords": _texts(
            "Keywords that help workers find the task. Default: none.",
            {"type": "string", "minLength": 1, "maxLength": MAX_KEYWORD, "pattern": KEYWORD_PATTERN.pattern},
            maxItems=MAX_KEYWORDS,
        ),
        "data": {
            "type": "object",
            "description": "What to label: automated data setup (data_type), a manifest in S3 (manifest), "
            "objects listed here (objects), or the output of an earlier job (previous_project, previous_job). "
            "Required, except for a streaming job (which may start without any).",
            "oneOf": [_AUTOMATED, _MANIFEST, _LISTED, _PREVIOUS_PROJECT, _PREVIOUS_JOB],
        },
        "workers": {
            "type": "object",
            "description": "Who labels: exactly one of team, mechanical_turk or vendor.",
            "oneOf": [
                _choice(
                    "a private team",
                    "team",
                    {
                        "team": {
                            "type": "string",
                            "pattern": NAME_PATTERN.pattern,
                            "maxLength": 63,
                            "description": "A team of the region's private workforce, defined in workforce.yaml.",
                        }
                    },
                    "A private team of the project's region (workforce.yaml).",
                ),
                _choice(
                    "Amazon Mechanical Turk",
                    "mechanical_turk",
                    {
                        "mechanical_turk": {
                            "type": "object",
                            "required": ["price_usd"],
                            "additionalProperties": False,
                            "description": "The public Mechanical Turk workforce; the data must be declared free "
                            "of personally identifiable information (content_classifiers).",
                            "properties": {
                                "price_usd": {
                                    "type": "string",
                                    "pattern": PRICE,
                                    "description": "What each worker is paid per object, in US dollars, as a "
                                    "quoted decimal ('0.036'): one of the task type's price points.",
                                    "examples": ["0.036", "0.012"],
                                }
                            },
                        }
                    },
                    "The public Amazon Mechanical Turk workforce.",
                ),
                _choice(
                    "a vendor",
                    "vendor",
                    {
                        "vendor": {
                            "type": "string",
                            "pattern": VENDOR_ARN,
                            "description": "The ARN of a vendor work team you subscribed to in AWS Marketplace.",
                        }
                    },
                    "A vendor work team from AWS Marketplace.",
                ),
            ],
        },
        "workers_per_object": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_WORKERS_PER_OBJECT,
            "default": 1,
            "description": "How many workers label each object; their answers are consolidated. Default 1.",
        },
        "task_time": _duration(
            "How long a worker has for one task: at least 30s, at most 8h (30d for video frame and 3D point "
            "cloud tasks). Default 5m."
        ),
        "expiry": _duration(
            "How long a task waits for a worker: at least 60s, at most 12h for Mechanical Turk and 30d "
            "otherwise. Default: 6h for Mechanical Turk, 10d otherwise."
        ),
        "max_concurrent_tasks": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_CONCURRENT_TASKS,
            "default": 1000,
            "description": "How many objects workers can hold at once. Default 1000.",
        },
        "stopping_conditions": {
            "type": "object",
            "additionalProperties": False,
            "description": "When the job stops early. Default: never (every object is labeled).",
            "properties": {
                "max_human_labeled_objects": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Stop after this many objects are labeled. Default: no limit.",
                },
                "max_percentage_labeled": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "description": "Stop after this percentage of the objects is labeled. Default: no limit.",
                },
            },
        },
        "content_classifiers": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": list(CONTENT_CLASSIFIERS)},
            "description": "What you declare about the data; Mechanical Turk requires "
            "free-of-personally-identifiable-information. Default: none.",
        },
        "auto_labeling": {
            "type": ["boolean", "object"],
            "default": False,
            "additionalProperties": False,
            "description": "Automated data labeling (active learning): a model labels the objects it is "
            "confident about (image-bounding-box, image-single-label, image-semantic-segmentation, "
            "text-single-label; at least 1,250 objects; not for streaming jobs). true, or a mapping of options. "
            "Ground Truth bills the training and inference instances. Default false.",
            "properties": {
                "initial_model": {
                    "type": "string",
                    "pattern": INITIAL_MODEL,
                    "description": "Start from a trained model: a SageMaker model ARN (an earlier job's "
                    "FinalActiveLearningModelArn), or previous: the final model of the job this project follows "
                    "(data: previous_project or previous_job). Default: train from scratch.",
                    "examples": [PREVIOUS_MODEL],
                },
                "volume_kms_key_arn": {
                    "type": "string",
                    "pattern": VOLUME_KEY,
                    "description": "The KMS key that encrypts the storage volumes of the training and inference "
                    "instances: a key ARN, or project (the project's own key; needs encryption: kms or "
                    "{kms_key_arn: ...}). Default: AWS managed encryption.",
                    "examples": [PROJECT_KEY],
                },
                "vpc": {
                    "type": "object",
                    "required": ["subnet_ids", "security_group_ids"],
                    "additionalProperties": False,
                    "description": "Run the training and inference jobs in your VPC. The subnets need a route to "
                    "S3 (a gateway endpoint or NAT). Default: SageMaker's network.",
                    "properties": {
                        "subnet_ids": _texts(
                            f"1-{MAX_SUBNETS} subnet IDs (subnet-...), private subnets of one VPC.",
                            {"type": "string", "pattern": SUBNET_ID},
                            minItems=1,
                            maxItems=MAX_SUBNETS,
                            uniqueItems=True,
                        ),
                        "security_group_ids": _texts(
                            f"1-{MAX_SECURITY_GROUPS} security group IDs (sg-...) for the jobs' network interfaces.",
                            {"type": "string", "pattern": SECURITY_GROUP_ID},
                            minItems=1,
                            maxItems=MAX_SECURITY_GROUPS,
                            uniqueItems=True,
                        ),
                    },
                },
            },
        },
        "encryption": {
            "type": ["string", "object"],
            "pattern": ENCRYPTION_WORD,
            "required": ["kms_key_arn"],
            "additionalProperties": False,
            "default": S3_MANAGED,
            "description": "How the buckets the stack creates and the labels are encrypted: s3-managed (SSE-S3), "
            "kms (a new customer managed KMS key with yearly rotation, retained with the buckets), or "
            "{kms_key_arn: <an existing key's ARN>}. The job's role gets exactly the key permissions it needs. "
            "Default: s3-managed.",
            "examples": [S3_MANAGED, NEW_KEY, {"kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/<key id>"}],
            "properties": {
                "kms_key_arn": _text(
                    "An existing customer managed KMS key (its ARN) in the project's region; its key policy must "
                    "let the account's IAM policies use it.",
                    pattern=KMS_KEY_ARN,
                )
            },
        },
        "streaming": {
            "type": "object",
            "additionalProperties": False,
            "description": "A streaming job: data objects arrive on an SNS topic while the job runs, until you stop "
            "it (or it gets no objects for 10 days). No stopping conditions, no automated data labeling; data is "
            "optional (an initial manifest). Ground Truth leaves an SQS queue named GroundTruth-<job name> "
            "behind: delete it after the job. Default: a regular job.",
            "properties": {
                "input_topic_arn": _text(
                    "An existing SNS topic the data objects arrive on (one JSON manifest line per message). "
                    "Default: a new topic encrypted with a new KMS key.",
                    pattern=SNS_TOPIC_ARN,
                ),
                "s3_events": {
                    "type": "boolean",
                    "default": False,
                    "description": "Label every object uploaded under the input prefix of the project's own input "
                    "bucket (S3 object-created events to the input topic): data.prefix, or streaming.prefix "
                    "without data. Not for text task types, nor with input_topic_arn. Default false.",
                },
                "prefix": {
                    "type": "string",
                    "pattern": PREFIX,
                    "default": DEFAULT_STREAMING_PREFIX,
                    "description": "Without data: the key prefix in the project's input bucket where uploads are "
                    f"labeled (s3_events). With data, its prefix is the one. Default: '{DEFAULT_STREAMING_PREFIX}'.",
                },
                "output_topic": {
                    "type": ["boolean", "string"],
                    "pattern": SNS_TOPIC_ARN,
                    "description": "Where Ground Truth publishes each labeled object: " + _ARN_OR_NEW_TOPIC,
                    "examples": [True, "arn:aws:sns:eu-west-1:111122223333:labels"],
                },
            },
        },
        "notifications": {
            "type": "object",
            "additionalProperties": False,
            "description": "Tell people when the job changes status (in progress, completed, failed, stopped): an "
            "EventBridge rule publishes to an SNS topic. Default: none.",
            "properties": {
                "emails": _texts(
                    f"E-mail addresses to subscribe (at most {MAX_NOTIFICATION_EMAILS}); AWS asks each to confirm. "
                    "Default: none.",
                    {"type": "string", "pattern": EMAIL_PATTERN.pattern},
                    maxItems=MAX_NOTIFICATION_EMAILS,
                    uniqueItems=True,
                ),
                "topic_arn": _text(
                    "An existing SNS topic to publish to (it must let EventBridge publish). Default: a new topic "
                    "encrypted with a new KMS key.",
                    pattern=SNS_TOPIC_ARN,
                ),
            },
        },
        "output": {
            "type": "object",
            "additionalProperties": False,
            "description": "Where the labels go in the project's output bucket.",
            "properties": {
                "prefix": {
                    "type": "string",
                    "pattern": PREFIX,
                    "default": "labels/",
                    "description": "Key prefix under which Ground Truth writes <job name>/... Default: 'labels/'.",
                }
            },
        },
        "label_attribute_name": _text(
            "The key of the labels in the output manifest. Default: the task type's name (with '-ref' where the "
            "task type requires it).",
            max_length=MAX_LABEL_ATTRIBUTE_NAME,
            pattern=NAME_PATTERN.pattern,
        ),
        "reviewed_label_attribute_name": _text(
            "Verification and adjustment task types only (required there): the label attribute name of the job "
            "whose labels are reviewed.",
            max_length=MAX_LABEL_ATTRIBUTE_NAME,
            pattern=NAME_PATTERN.pattern,
        ),
        "tags": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Tags of the labeling job (text values, at most 48). Default: none.",
        },
    },
}

_TEAM: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description"],
    "additionalProperties": False,
    "properties": {
        "name": _text(
            "The team's name, which project files use (workers: {team: <name>}).",
            max_length=63,
            pattern=NAME_PATTERN.pattern,
        ),
        "description": _text("What the team does.", max_length=MAX_TEAM_DESCRIPTION),
        "members": _texts(
            "Workers' e-mail addresses (Cognito workforces); each is invited by e-mail. Default: none.",
            {"type": "string", "pattern": EMAIL_PATTERN.pattern},
            uniqueItems=True,
        ),
        "oidc_groups": _texts(
            "The identity provider's groups that make up the team (OIDC workforces only).",
            maxItems=MAX_MEMBER_DEFINITIONS,
            uniqueItems=True,
        ),
        "notify": {
            "type": "boolean",
            "default": True,
            "description": "E-mail members when new tasks arrive. Default true.",
        },
    },
}

_OIDC: dict[str, Any] = {
    "type": "object",
    "description": "Sign workers in with your OpenID Connect identity provider instead of Cognito.",
    "required": [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "user_info_endpoint",
        "logout_endpoint",
        "jwks_uri",
        "client_id",
        "client_secret_arn",
    ],
    "additionalProperties": False,
    "properties": {
        **{
            key: _text(f"The identity provider's {what} (https).", pattern=HTTPS_URL)
            for key, what in (
                ("issuer", "issuer URL"),
                ("authorization_endpoint", "authorization endpoint"),
                ("token_endpoint", "token endpoint"),
                ("user_info_endpoint", "user info endpoint"),
                ("logout_endpoint", "logout endpoint"),
                ("jwks_uri", "JSON Web Key Set URI"),
            )
        },
        "client_id": _text("The OIDC client id."),
        "client_secret_arn": _text(
            "The Secrets Manager secret holding the client secret; the template holds only a reference to it.",
            pattern=SECRET_ARN,
        ),
        "scope": _text("The OIDC scope to request. Default: the provider's."),
    },
}

WORKFORCE_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "title": "groundtruth-cdk workforces",
    "description": "The private workforce of each region (workforce.yaml): the stack GroundTruth-Workforce-<region> "
    "creates it (or adopts the existing one) with its teams. Projects name a team with workers: {team: <name>}.",
    "type": "object",
    "propertyNames": {"type": "string", "pattern": REGION},
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "description": "The private workforce of this region.",
        "properties": {
            "adopt_existing": {
                "type": "boolean",
                "default": False,
                "description": "Use the workforce the account already has in the region (e.g. the console's) "
                "instead of creating one. Default false.",
            },
            "adopted_identity": {
                "enum": [i.value for i in IdentityProvider],
                "default": IdentityProvider.COGNITO.value,
                "description": "With adopt_existing: how the existing workforce signs in. Default cognito.",
            },
            "teams": {
                "type": "array",
                "maxItems": MAX_TEAMS,
                "items": _TEAM,
                "description": f"The work teams (at most {MAX_TEAMS} per account and region). Default: none.",
            },
            "oidc": _OIDC,
            "source_ip_cidrs": _texts(
                "Allow the labeling portal only from these IPv4 CIDR blocks. Default: any address.",
                {"type": "string", "pattern": CIDR},
                maxItems=MAX_SOURCE_CIDRS,
            ),
        },
    },
}

#: File name → schema, as published in ``groundtruth_cdk/schema/``.
PUBLISHED = {"project.schema.json": PROJECT_SCHEMA, "workforce.schema.json": WORKFORCE_SCHEMA}


def schema_text(schema: dict[str, Any]) -> str:
    """``schema`` as the published file holds it."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write the published schema files into ``directory`` and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in PUBLISHED.items():
        path = directory / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
