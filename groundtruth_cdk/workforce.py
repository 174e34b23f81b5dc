"""Who labels: a private work team, a vendor team, or the public Mechanical Turk workforce.

:class:`Workforce` is the value :class:`~groundtruth_cdk.LabelingJob` takes; every choice ends up as a
``HumanTaskConfig.WorkteamArn`` (plus a price for Mechanical Turk).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from groundtruth_cdk.regions import public_workteam_arn
from groundtruth_cdk.validation import NAME_PATTERN, is_token

#: Where a ``WorkforceStack`` publishes each team's ARN for project stacks.
TEAM_ARN_PARAMETER = "/groundtruth-cdk/workteams/{name}/arn"

_WORKTEAM_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:workteam/(private-crowd|vendor-crowd)/.+$")


class WorkforceType(Enum):
    """The three kinds of workforce Ground Truth offers."""

    PRIVATE = "private"
    VENDOR = "vendor"
    PUBLIC = "public"


@dataclass(frozen=True)
class Workforce:
    """The workforce a labeling job sends its tasks to. Build it with one of the class methods."""

    type: WorkforceType
    #: The work team's ARN; ``None`` for the public workforce (it depends on the stack's region).
    workteam_arn: str | None = None
    #: Mechanical Turk only: what each worker is paid per data object, in USD.
    price_usd: Decimal | None = None
    #: A private team known by name (its ARN is read from SSM at deploy).
    team_name: str | None = None

    @classmethod
    def private_team(cls, workteam_arn: str) -> Workforce:
        """A private work team (``arn:...:workteam/private-crowd/<name>``), e.g. a ``WorkTeam``'s ARN."""
        return cls(WorkforceType.PRIVATE, workteam_arn=workteam_arn)

    @classmethod
    def private_team_by_name(cls, team_name: str) -> Workforce:
        """A private work team of this account and region's ``WorkforceStack``, by name.

        The team's ARN is read at deploy from the SSM parameter the workforce stack publishes
        (``/groundtruth-cdk/workteams/<name>/arn``): deploy the workforce stack first, and a project stack
        never creates, changes or deletes the team.
        """
        return cls(WorkforceType.PRIVATE, team_name=team_name)

    @classmethod
    def vendor(cls, workteam_arn: str) -> Workforce:
        """A vendor team from AWS Marketplace you subscribed to (``arn:...:workteam/vendor-crowd/<name>``)."""
        return cls(WorkforceType.VENDOR, workteam_arn=workteam_arn)

    @classmethod
    def mechanical_turk(cls, price_usd: str | Decimal) -> Workforce:
        """The public Amazon Mechanical Turk workforce, paying ``price_usd`` per object and worker.

        Give the price as a decimal string (``"0.036"``) or ``Decimal``: never a float. It must be one of
        the task type's price points, and the job must declare its data free of personally
        identifiable information (``content_classifiers``); the job checks both at synth.
        """
        if isinstance(price_usd, float) or not isinstance(price_usd, (str, Decimal)):
            raise ValueError(
                f"workforce.price_usd: got {price_usd!r}; give the price as a decimal string such as "
                "'0.036' (floats cannot represent prices exactly)"
            )
        try:
            price = Decimal(price_usd)
        except InvalidOperation:
            raise ValueError(
                f"workforce.price_usd: got {price_usd!r}; must be a decimal number of dollars such as '0.036'"
            ) from None
        return cls(WorkforceType.PUBLIC, price_usd=price)

    def resolve_workteam_arn(self, scope: Construct) -> str:
        """The work team ARN for a job in the stack of ``scope``."""
        if self.type is WorkforceType.PUBLIC:
            return public_workteam_arn(scope)
        if self.team_name is not None:
            return ssm.StringParameter.value_for_string_parameter(scope, TEAM_ARN_PARAMETER.format(name=self.team_name))
        assert self.workteam_arn is not None
        return self.workteam_arn

    def workteam_arn_problem(self) -> str | None:
        """Why ``workteam_arn`` is not a private/vendor team ARN, or ``None`` when it is fine."""
        if self.team_name is not None:
            return (
                None
                if is_token(self.team_name) or NAME_PATTERN.match(self.team_name)
                else "a team name is 1-63 letters, digits and hyphens"
            )
        if self.type is WorkforceType.PUBLIC or self.workteam_arn is None or is_token(self.workteam_arn):
            return None
        crowd = "private-crowd" if self.type is WorkforceType.PRIVATE else "vendor-crowd"
        match = _WORKTEAM_ARN.match(self.workteam_arn)
        if match is None or match.group(1) != crowd:
            return f"must be a work team ARN like arn:aws:sagemaker:<region>:<account>:workteam/{crowd}/<name>"
        return None

    def amount_in_usd(self) -> dict[str, int]:
        """``PublicWorkforceTaskPrice.AmountInUsd`` for the price: dollars, cents, tenths of a cent."""
        assert self.price_usd is not None
        tenths = int(self.price_usd * 1000)
        return {"Dollars": tenths // 1000, "Cents": (tenths % 1000) // 10, "TenthFractionsOfACent": tenths % 10}
