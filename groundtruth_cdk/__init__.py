"""groundtruth-cdk: SageMaker Ground Truth labeling jobs as AWS CDK constructs.

Declare the buckets, the execution role and the job inside any CDK stack; ``cdk deploy`` creates the
labeling job through a custom resource. Every fact about a task type lives in :mod:`.task_types`.
"""

from groundtruth_cdk.buckets import LabelingBuckets
from groundtruth_cdk.inputs import InlineManifest, ManifestInput, OnMismatch, S3Data
from groundtruth_cdk.labeling_job import ContentClassifier, Instructions, LabelingJob, StoppingConditions
from groundtruth_cdk.private_workforce import IdentityProvider, OidcProvider, PrivateWorkforce, WorkTeam
from groundtruth_cdk.role import LabelingJobRole, S3Access
from groundtruth_cdk.task_types import CATALOGUE, DataType, TaskType, TaskTypeSpec
from groundtruth_cdk.workforce import Workforce, WorkforceType

__all__ = [
    "CATALOGUE",
    "ContentClassifier",
    "DataType",
    "IdentityProvider",
    "InlineManifest",
    "Instructions",
    "LabelingBuckets",
    "LabelingJob",
    "LabelingJobRole",
    "ManifestInput",
    "OidcProvider",
    "OnMismatch",
    "PrivateWorkforce",
    "S3Access",
    "S3Data",
    "StoppingConditions",
    "TaskType",
    "TaskTypeSpec",
    "WorkTeam",
    "Workforce",
    "WorkforceType",
]
