"""``WorkforceStack``: the one private workforce of an account and region, and its teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from groundtruth_cdk.private_workforce import IdentityProvider, OidcProvider, PrivateWorkforce, WorkTeam


@dataclass(frozen=True)
class TeamSpec:
    """A work team of a :class:`WorkforceStack`. See :class:`~groundtruth_cdk.WorkTeam` for the fields."""

    name: str
    description: str
    members: Sequence[str] = field(default_factory=tuple)
    oidc_groups: Sequence[str] = field(default_factory=tuple)
    extra_cognito_groups: Sequence[str] = field(default_factory=tuple)
    notify: bool = True


class WorkforceStack(cdk.Stack):
    """The private workforce of one account and region and its work teams; deploy it before projects.

    It owns the workforce (or adopts the existing one with ``adopt_existing``) and publishes, as SSM
    parameters, the portal URL (``/groundtruth-cdk/workforce/portal-url``) and each team's ARN
    (``/groundtruth-cdk/workteams/<name>/arn``). Project stacks refer to a team with
    ``Workforce.private_team_by_name(name)``: they never create a workforce, and deleting a project leaves
    its team in place. CloudFormation deletes teams before the workforce.

    Args:
        teams: the work teams. Default none.
        adopt_existing: adopt the account's existing workforce instead of creating one. Default ``False``.
        adopted_identity: with ``adopt_existing``, how that workforce signs in. Default Cognito.
        oidc: create an OIDC workforce instead of a Cognito one. Default: Cognito.
        source_ip_cidrs, mfa, feature_plan, domain_prefix, email: see :class:`PrivateWorkforce`.
        **kwargs: ``cdk.Stack`` arguments (``env``, ``description``, ...).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        teams: Sequence[TeamSpec] = (),
        adopt_existing: bool = False,
        adopted_identity: IdentityProvider = IdentityProvider.COGNITO,
        oidc: OidcProvider | None = None,
        source_ip_cidrs: Sequence[str] = (),
        mfa: cognito.Mfa = cognito.Mfa.REQUIRED,
        feature_plan: cognito.FeaturePlan = cognito.FeaturePlan.ESSENTIALS,
        domain_prefix: str | None = None,
        email: cognito.UserPoolEmail | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("description", "SageMaker Ground Truth private workforce and work teams (groundtruth-cdk)")
        super().__init__(scope, id, **kwargs)
        #: The workforce.
        self.workforce = PrivateWorkforce(
            self,
            "Workforce",
            adopt_existing=adopt_existing,
            adopted_identity=adopted_identity,
            oidc=oidc,
            source_ip_cidrs=source_ip_cidrs,
            mfa=mfa,
            feature_plan=feature_plan,
            domain_prefix=domain_prefix,
            email=email,
        )
        #: The teams by name.
        self.teams: dict[str, WorkTeam] = {}
        for spec in teams:
            self.teams[spec.name] = WorkTeam(
                self,
                f"Team-{spec.name}",
                workforce=self.workforce,
                team_name=spec.name,
                description=spec.description,
                members=spec.members,
                oidc_groups=spec.oidc_groups,
                extra_cognito_groups=spec.extra_cognito_groups,
                notify=spec.notify,
            )
        cdk.CfnOutput(self, "PortalUrl", value=self.workforce.portal_url, description="The labeling portal")
        for name, team in self.teams.items():
            cdk.CfnOutput(self, f"TeamArn{name.replace('-', '')}", value=team.team_arn, description=f"Work team {name}")
            if team.notification_topic is not None:
                cdk.CfnOutput(
                    self,
                    f"TeamNewTasksTopic{name.replace('-', '')}",
                    value=team.notification_topic.topic_arn,
                    description=f"New-task notifications of work team {name} (its members are subscribed by e-mail)",
                )
