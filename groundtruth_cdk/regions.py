"""Where the AWS-owned pieces of Ground Truth live: per-region Lambda accounts and fixed accounts.

A stack with a concrete region gets literal ARNs; a region-agnostic stack (region is a token) gets a
``CfnMapping`` keyed by ``AWS::Region``, so the template deploys to any of the supported regions and
fails fast (``Fn::FindInMap`` finds nothing) anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import aws_cdk as cdk
from constructs import Construct

#: Region → the AWS account that owns the built-in ``PRE-*`` and ``ACS-*`` Lambdas there.
BUILT_IN_LAMBDA_ACCOUNTS: Mapping[str, str] = MappingProxyType(
    {
        "us-east-1": "432418664414",
        "us-east-2": "266458841044",
        "us-west-2": "081040173940",
        "ca-central-1": "918755190332",
        "eu-west-1": "568282634449",
        "eu-west-2": "487402164563",
        "eu-central-1": "203001061592",
        "ap-northeast-1": "477331159723",
        "ap-northeast-2": "845288260483",
        "ap-south-1": "565803892007",
        "ap-southeast-1": "377565633583",
        "ap-southeast-2": "454466003867",
    }
)
SUPPORTED_REGIONS = tuple(BUILT_IN_LAMBDA_ACCOUNTS)

#: Owns the hosted worker UIs (``human-task-ui/*``) and the public workteam in every region.
HUMAN_TASK_UI_ACCOUNT = "394669845002"
#: Owns the auto-labeling algorithm specifications in every region.
AUTO_LABELING_ACCOUNT = "027400017018"

_MAPPING_ID = "GroundTruthBuiltInLambdaAccounts"
_MAPPING_KEY = "account"


def is_supported_region(region: str) -> bool:
    """Whether Ground Truth's built-in task types exist in ``region`` (tokens count as supported)."""
    return cdk.Token.is_unresolved(region) or region in BUILT_IN_LAMBDA_ACCOUNTS


def built_in_lambda_account(scope: Construct) -> str:
    """The account of the built-in PRE/ACS Lambdas for the stack of ``scope``.

    A literal for a concrete supported region; an ``Fn::FindInMap`` into one shared ``CfnMapping``
    per stack when the region is a token. Raises ``ValueError`` for an unsupported concrete region.
    """
    stack = cdk.Stack.of(scope)
    region = stack.region
    if not cdk.Token.is_unresolved(region):
        try:
            return BUILT_IN_LAMBDA_ACCOUNTS[region]
        except KeyError:
            raise ValueError(unsupported_region_message(region)) from None
    mapping = stack.node.try_find_child(_MAPPING_ID)
    if not isinstance(mapping, cdk.CfnMapping):
        mapping = cdk.CfnMapping(
            stack,
            _MAPPING_ID,
            mapping={region: {_MAPPING_KEY: account} for region, account in BUILT_IN_LAMBDA_ACCOUNTS.items()},
        )
    return mapping.find_in_map(cdk.Aws.REGION, _MAPPING_KEY)


#: What a region must be, for error messages.
SUPPORTED_REGIONS_TEXT = (
    f"Ground Truth's built-in task types (PRE/ACS Lambdas) exist only in {', '.join(SUPPORTED_REGIONS)}"
)


def unsupported_region_message(region: str) -> str:
    """The error for a stack in a region without Ground Truth's built-in task types."""
    return f"region: got {region!r}; {SUPPORTED_REGIONS_TEXT}"


def built_in_lambda_arns(scope: Construct, suffix: str) -> tuple[str, str]:
    """The (pre-annotation, annotation-consolidation) Lambda ARNs ``PRE-<suffix>``/``ACS-<suffix>``."""
    stack = cdk.Stack.of(scope)
    account = built_in_lambda_account(scope)
    prefix = f"arn:{stack.partition}:lambda:{stack.region}:{account}:function:"
    return (f"{prefix}PRE-{suffix}", f"{prefix}ACS-{suffix}")


def human_task_ui_arn(scope: Construct, name: str) -> str:
    """The ARN of an AWS-hosted worker UI, e.g. ``PointCloudObjectDetection``."""
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:sagemaker:{stack.region}:{HUMAN_TASK_UI_ACCOUNT}:human-task-ui/{name}"


def public_workteam_arn(scope: Construct) -> str:
    """The ARN of the public (Amazon Mechanical Turk) work team in the stack's region."""
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:sagemaker:{stack.region}:{HUMAN_TASK_UI_ACCOUNT}:workteam/public-crowd/default"


def auto_labeling_algorithm_arn(scope: Construct, algorithm: str) -> str:
    """The ARN of an auto-labeling algorithm specification, e.g. ``object-detection``."""
    stack = cdk.Stack.of(scope)
    return (
        f"arn:{stack.partition}:sagemaker:{stack.region}:{AUTO_LABELING_ACCOUNT}:"
        f"labeling-job-algorithm-specification/{algorithm}"
    )
