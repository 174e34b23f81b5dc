"""Region tables: the 12 Ground Truth regions, literal ARNs or a mapping, and a clear error elsewhere."""

from __future__ import annotations

import pytest

from groundtruth_cdk import regions
from tests.builders import stack


def test_twelve_regions_have_built_in_lambdas() -> None:
    assert len(regions.BUILT_IN_LAMBDA_ACCOUNTS) == 12
    assert all(len(account) == 12 and account.isdigit() for account in regions.BUILT_IN_LAMBDA_ACCOUNTS.values())


def test_concrete_region_gets_literal_accounts() -> None:
    assert regions.built_in_lambda_account(stack("ap-northeast-2")) == "845288260483"


def test_unsupported_region_fails_with_the_supported_list() -> None:
    with pytest.raises(ValueError, match=r"region: got 'me-south-1'; .* exist only in us-east-1, us-east-2"):
        regions.built_in_lambda_account(stack("me-south-1"))


def test_region_agnostic_stacks_share_one_mapping() -> None:
    scope = stack(None, account=None)
    first = scope.resolve(regions.built_in_lambda_account(scope))
    second = scope.resolve(regions.built_in_lambda_account(scope))
    assert first == second == {"Fn::FindInMap": ["GroundTruthBuiltInLambdaAccounts", {"Ref": "AWS::Region"}, "account"]}


def test_tokens_count_as_supported() -> None:
    assert regions.is_supported_region(stack(None, account=None).region)
    assert not regions.is_supported_region("cn-north-1")
