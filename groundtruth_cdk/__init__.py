"""groundtruth-cdk: SageMaker Ground Truth labeling jobs as AWS CDK constructs.

Declare the buckets, the execution role and the job inside any CDK stack; ``cdk deploy`` creates the
labeling job through a custom resource. Every fact about a task type lives in :mod:`.task_types`.

The names below are imported on first use, so ``groundtruth --help`` and the deploy-time handlers do not
start the CDK's JavaScript runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groundtruth_cdk.buckets import LabelingBuckets
    from groundtruth_cdk.inputs import InlineManifest, ManifestInput, OnMismatch, PreviousJobOutput, S3Data
    from groundtruth_cdk.job_settings import AutoLabelingVpc, Notifications, Streaming
    from groundtruth_cdk.labeling_job import (
        AutoLabeling,
        ContentClassifier,
        Instructions,
        LabelingJob,
        StoppingConditions,
    )
    from groundtruth_cdk.private_workforce import IdentityProvider, OidcProvider, PrivateWorkforce, WorkTeam
    from groundtruth_cdk.role import LabelingJobRole, S3Access
    from groundtruth_cdk.task_types import CATALOGUE, DataType, TaskType, TaskTypeSpec
    from groundtruth_cdk.workforce import Workforce, WorkforceType

_MODULE_OF = {
    "AutoLabeling": "labeling_job",
    "AutoLabelingVpc": "job_settings",
    "CATALOGUE": "task_types",
    "ContentClassifier": "labeling_job",
    "DataType": "task_types",
    "IdentityProvider": "private_workforce",
    "InlineManifest": "inputs",
    "Instructions": "labeling_job",
    "LabelingBuckets": "buckets",
    "LabelingJob": "labeling_job",
    "LabelingJobRole": "role",
    "ManifestInput": "inputs",
    "Notifications": "job_settings",
    "OidcProvider": "private_workforce",
    "OnMismatch": "inputs",
    "PreviousJobOutput": "inputs",
    "PrivateWorkforce": "private_workforce",
    "S3Access": "role",
    "S3Data": "inputs",
    "StoppingConditions": "labeling_job",
    "Streaming": "job_settings",
    "TaskType": "task_types",
    "TaskTypeSpec": "task_types",
    "WorkTeam": "private_workforce",
    "Workforce": "workforce",
    "WorkforceType": "workforce",
}
__all__ = [
    "CATALOGUE",
    "AutoLabeling",
    "AutoLabelingVpc",
    "ContentClassifier",
    "DataType",
    "IdentityProvider",
    "InlineManifest",
    "Instructions",
    "LabelingBuckets",
    "LabelingJob",
    "LabelingJobRole",
    "ManifestInput",
    "Notifications",
    "OidcProvider",
    "OnMismatch",
    "PreviousJobOutput",
    "PrivateWorkforce",
    "S3Access",
    "S3Data",
    "StoppingConditions",
    "Streaming",
    "TaskType",
    "TaskTypeSpec",
    "WorkTeam",
    "Workforce",
    "WorkforceType",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    try:
        module = _MODULE_OF[name]
    except KeyError:
        raise AttributeError(f"module 'groundtruth_cdk' has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"groundtruth_cdk.{module}"), name)
