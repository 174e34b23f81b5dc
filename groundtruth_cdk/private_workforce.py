"""The private workforce (one per account and region) and its work teams.

:class:`PrivateWorkforce` creates a Cognito (or OIDC) workforce, or adopts the one the account already
has; :class:`WorkTeam` adds a team with its members. Members are Cognito users created by
CloudFormation (Cognito e-mails each an invitation with a temporary password and the portal URL), one
resource per e-mail address with an id derived from the address, so adding or removing a member
touches only that member.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IConstruct

from groundtruth_cdk import compliance, lambdas, nag
from groundtruth_cdk.validation import Problems, is_token
from groundtruth_cdk.workforce import TEAM_ARN_PARAMETER

#: AWS quotas (reference/ground-truth.md §7).
MAX_TEAMS = 25
MAX_MEMBER_DEFINITIONS = 10
MAX_SOURCE_CIDRS = 10
MAX_TEAM_DESCRIPTION = 200
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
WORKFORCE_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,99}$")
#: Where each workforce stack publishes what project stacks need (stable names: no exports).
PORTAL_URL_PARAMETER = "/groundtruth-cdk/workforce/portal-url"
OAUTH_SCOPES = ["email", "openid", "profile"]

#: App → environments that already have a PrivateWorkforce that creates one (AWS allows one).
_CREATED: weakref.WeakKeyDictionary[IConstruct, set[str]] = weakref.WeakKeyDictionary()


class IdentityProvider(Enum):
    """How workers sign in to the labeling portal."""

    COGNITO = "cognito"
    OIDC = "oidc"


@dataclass(frozen=True)
class OidcProvider:
    """Your OpenID Connect identity provider. The client secret must come from Secrets Manager
    (``cdk.SecretValue.secrets_manager(...)``): the template then holds only a dynamic reference."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    user_info_endpoint: str
    logout_endpoint: str
    jwks_uri: str
    client_id: str
    client_secret: cdk.SecretValue | None
    scope: str | None = None


class PrivateWorkforce(Construct):
    """The account's private workforce in this region: created (Cognito or OIDC) or adopted.

    A created Cognito workforce gets a user pool with a strong password policy, admin-only sign-up, MFA
    (``mfa``, default required, with authenticator apps), deletion protection and ``RETAIN`` (workers are
    not lost with the stack); a domain whose prefix includes the account id (unique in the region); an app
    client with a secret, set up for Ground Truth (OAuth code flow, ``email openid profile``, Cognito
    sign-in, callback ``https://<portal>/oauth2/idpresponse``) once the workforce exists; and invitation
    e-mails that name the portal URL. Before creating, the deploy checks that the account has no workforce
    in the region yet, and fails with advice to adopt it if it has.

    Args:
        workforce_name: the workforce's name. Default ``"groundtruth"``.
        oidc: sign in with your OIDC identity provider instead of Cognito. Default: Cognito.
        adopt_existing: use the workforce the account already has in this region (found at deploy); nothing
            is created and nothing is ever deleted. Default ``False``. See :meth:`adopt`.
        adopted_identity: with ``adopt_existing``: whether that workforce signs in with Cognito or OIDC
            (checked at deploy). Default Cognito.
        source_ip_cidrs: restrict the portal to these CIDRs (at most 10). Default: any address.
        mfa: Cognito MFA. Default ``REQUIRED`` (authenticator app, TOTP).
        feature_plan: Cognito feature plan. Default ``ESSENTIALS``; ``PLUS`` adds threat protection
            (full function), at extra cost.
        domain_prefix: Cognito domain prefix. Default ``groundtruth-<account id>``.
        email: how Cognito sends e-mail. Default: Cognito's own sender (a few dozen e-mails a day; use SES
            for larger teams).
        removal_policy: what happens to the user pool with the stack. Default ``RETAIN``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        workforce_name: str = "groundtruth",
        oidc: OidcProvider | None = None,
        adopt_existing: bool = False,
        adopted_identity: IdentityProvider = IdentityProvider.COGNITO,
        source_ip_cidrs: Sequence[str] = (),
        mfa: cognito.Mfa = cognito.Mfa.REQUIRED,
        feature_plan: cognito.FeaturePlan = cognito.FeaturePlan.ESSENTIALS,
        domain_prefix: str | None = None,
        email: cognito.UserPoolEmail | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        problems = Problems(f"PrivateWorkforce {self.node.path}")
        if not is_token(workforce_name) and not WORKFORCE_NAME_PATTERN.match(workforce_name):
            problems.add("workforce_name", workforce_name, "1-100 letters, digits and hyphens")
        _check_cidrs(problems, source_ip_cidrs)
        if oidc is not None:
            _check_oidc(problems, stack, oidc)
        if adopt_existing and (oidc is not None or source_ip_cidrs):
            problems.add(
                "adopt_existing",
                True,
                "an adopted workforce keeps its own settings; leave oidc and source_ip_cidrs unset",
            )
        environment = f"{stack.account}/{stack.region}" if not is_token(stack.region) else "region-agnostic"
        created = _CREATED.setdefault(self.node.root, set())
        if not adopt_existing and environment in created:
            problems.add(
                "PrivateWorkforce",
                environment,
                "AWS allows one private workforce per account and region and this app already creates one "
                "there; give both stacks the same WorkforceStack or adopt it (PrivateWorkforce.adopt)",
            )
        problems.raise_if_any()
        if not adopt_existing:
            created.add(environment)

        self._teams: list[WorkTeam] = []
        self._users: dict[str, cognito.CfnUserPoolUser] = {}
        self._notification_key: kms.Key | None = None
        #: The Cognito user pool this construct created (``None`` when adopted or OIDC).
        self.user_pool: cognito.UserPool | None = None
        self.identity = (
            adopted_identity if adopt_existing else IdentityProvider.OIDC if oidc else IdentityProvider.COGNITO
        )
        self.adopted = adopt_existing
        handlers = _WorkforceHandlers(self, "Handlers")
        self._handlers = handlers
        if adopt_existing:
            found = cdk.CustomResource(
                self,
                "Existing",
                service_token=handlers.discover_token,
                resource_type="Custom::GroundTruthWorkforce",
                properties={"Mode": "adopt", "ExpectedIdentity": adopted_identity.value},
            )
            #: The workforce's name.
            self.workforce_name = found.get_att_string("WorkforceName")
            #: The workforce's ARN.
            self.workforce_arn = found.get_att_string("WorkforceArn")
            #: The labeling portal: ``https://<subdomain>``.
            self.portal_url = found.get_att_string("PortalUrl")
            self.user_pool_id: str | None = found.get_att_string("UserPool")
            self.client_id: str | None = found.get_att_string("ClientId")
            self._workforce_dependency: Construct = found
        else:
            guard = cdk.CustomResource(
                self,
                "OnlyWorkforceCheck",
                service_token=handlers.discover_token,
                resource_type="Custom::GroundTruthWorkforce",
                properties={"Mode": "guard"},
            )
            if oidc is None:
                cognito_config = self._cognito(
                    stack, mfa=mfa, feature_plan=feature_plan, domain_prefix=domain_prefix, email=email,
                    removal_policy=removal_policy,
                )  # fmt: skip
                oidc_config = None
            else:
                cognito_config, oidc_config = None, _oidc_config(oidc)
                self.user_pool_id = self.client_id = None
            workforce = sagemaker.CfnWorkforce(
                self,
                "Resource",
                workforce_name=workforce_name,
                cognito_config=cognito_config,
                oidc_config=oidc_config,
                source_ip_config=(
                    sagemaker.CfnWorkforce.SourceIpConfigProperty(cidrs=list(source_ip_cidrs))
                    if source_ip_cidrs
                    else None
                ),
            )
            workforce.node.add_dependency(guard)
            if self.user_pool is not None:
                workforce.node.add_dependency(self.user_pool.node.find_child("Domain"))
            self.workforce_name = workforce_name
            self.workforce_arn = workforce.attr_workforce_arn
            self.portal_url = f"https://{workforce.attr_sub_domain}"
            self._workforce_dependency = workforce
            if self.user_pool is not None:
                self._configure_client(workforce)
        self.portal_url_parameter = ssm.StringParameter(
            self,
            "PortalUrl",
            parameter_name=PORTAL_URL_PARAMETER,
            string_value=self.portal_url,
            description="The Ground Truth labeling portal of this account and region",
        )
        compliance.acknowledge_created(self)

    @classmethod
    def adopt(
        cls, scope: Construct, id: str, *, identity: IdentityProvider = IdentityProvider.COGNITO
    ) -> PrivateWorkforce:
        """Use the workforce the account already has in this region (for example the console's)."""
        return cls(scope, id, adopt_existing=True, adopted_identity=identity)

    # -- Cognito ------------------------------------------------------------------------------------

    def _cognito(
        self,
        stack: cdk.Stack,
        *,
        mfa: cognito.Mfa,
        feature_plan: cognito.FeaturePlan,
        domain_prefix: str | None,
        email: cognito.UserPoolEmail | None,
        removal_policy: cdk.RemovalPolicy,
    ) -> sagemaker.CfnWorkforce.CognitoConfigProperty:
        invitation = self._handlers.invitation_function(PORTAL_URL_PARAMETER)
        plus = feature_plan == cognito.FeaturePlan.PLUS
        pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(7),
            ),
            mfa=mfa,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=feature_plan,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION if plus else None,
            deletion_protection=True,
            removal_policy=removal_policy,
            email=email,
            lambda_triggers=cognito.UserPoolTriggers(custom_message=invitation),
        )
        pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix or f"groundtruth-{stack.account}"),
        )
        client = pool.add_client(
            "Client",
            generate_secret=True,
            disable_o_auth=True,  # set up for Ground Truth once the portal exists (_configure_client)
            prevent_user_existence_errors=True,
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
        )
        self.user_pool = pool
        self.user_pool_id = pool.user_pool_id
        self.client_id = client.user_pool_client_id
        acknowledgments = []
        if mfa != cognito.Mfa.REQUIRED:
            acknowledgments.append(
                cdk.Acknowledgment(
                    id="AwsSolutions-COG2",
                    reason="MFA is a deliberate choice of this workforce (mfa=OPTIONAL/OFF): its workers are "
                    "invited by an administrator and reach only labeling tasks.",
                )
            )
        if not plus:
            acknowledgments.append(
                cdk.Acknowledgment(
                    id="AwsSolutions-COG8",
                    reason="Threat protection needs Cognito's Plus feature plan, billed per active user; the "
                    "pool admits only administrator-invited workers. Set feature_plan=PLUS to enable it.",
                )
            )
        if acknowledgments:
            cdk.Validations.of(pool).acknowledge(*acknowledgments)
        return sagemaker.CfnWorkforce.CognitoConfigProperty(
            client_id=client.user_pool_client_id, user_pool=pool.user_pool_id
        )

    def _configure_client(self, workforce: sagemaker.CfnWorkforce) -> None:
        assert self.user_pool is not None
        # A change of the client's settings makes CloudFormation update it, which resets its OAuth settings:
        # the fingerprint then changes too, and the set-up runs again.
        client = self.user_pool.node.find_child("Client").node.default_child
        assert isinstance(client, cognito.CfnUserPoolClient)
        rendered = cdk.Stack.of(self).resolve(client._cfn_properties)  # the properties CloudFormation gets
        fingerprint = hashlib.sha256(json.dumps(rendered, sort_keys=True).encode()).hexdigest()[:16]
        configured = cdk.CustomResource(
            self,
            "ClientForGroundTruth",
            service_token=self._handlers.client_token(self.user_pool),
            resource_type="Custom::GroundTruthWorkforceClient",
            properties={
                "UserPoolId": self.user_pool_id,
                "ClientId": self.client_id,
                "CallbackUrls": [f"{self.portal_url}/oauth2/idpresponse"],
                "LogoutUrls": [self.portal_url],
                "OAuthFlows": ["code"],
                "OAuthScopes": OAUTH_SCOPES,
                "IdentityProviders": ["COGNITO"],
                "Fingerprint": fingerprint,
            },
        )
        configured.node.add_dependency(workforce)

    # -- teams and members ----------------------------------------------------------------------------

    @property
    def teams(self) -> tuple[WorkTeam, ...]:
        """The work teams declared on this workforce."""
        return tuple(self._teams)

    def _register(self, team: WorkTeam) -> None:
        self._teams.append(team)

    def _member(self, email: str) -> cognito.CfnUserPoolUser:
        """The Cognito user for ``email``, created once however many teams list it."""
        key = email.lower()
        user = self._users.get(key)
        if user is None:
            assert self.user_pool_id is not None
            user = cognito.CfnUserPoolUser(
                self,
                f"Member{hashlib.sha256(key.encode()).hexdigest()[:12]}",
                user_pool_id=self.user_pool_id,
                username=key,
                desired_delivery_mediums=["EMAIL"],
                user_attributes=[
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email", value=key),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email_verified", value="true"),
                ],
            )
            user.node.add_dependency(self.portal_url_parameter)
            user.node.add_dependency(self._workforce_dependency)
            self._users[key] = user
        return user

    def _notification_key_for_teams(self) -> kms.Key:
        if self._notification_key is None:
            key = kms.Key(
                self,
                "NotificationKey",
                enable_key_rotation=True,
                description="Encrypts the work teams' new-task notification topics",
            )
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="SageMakerPublishesTeamNotifications",
                    principals=[iam.ServicePrincipal("sagemaker.amazonaws.com")],
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    resources=["*"],
                    conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
                )
            )
            self._notification_key = key
        return self._notification_key


class WorkTeam(Construct):
    """A work team of a private workforce: a Cognito group (or OIDC groups) and ``AWS::SageMaker::Workteam``.

    Members are e-mail addresses (Cognito workforces): each becomes a Cognito user in the team's group
    and receives Cognito's invitation with a temporary password and the portal URL. With ``notify``
    (the default) the team gets an encrypted SNS topic that SageMaker publishes new tasks to, with each
    member subscribed by e-mail (AWS asks each to confirm).

    Args:
        workforce: the private workforce.
        team_name: 1-63 letters, digits and hyphens. Default: this construct's id, lower-cased.
        description: what the team does, 1-200 characters.
        members: workers' e-mail addresses (Cognito). Default none.
        extra_cognito_groups: names of existing Cognito groups of the pool whose users also belong to the
            team (each a member definition; at most 10 in all). Default none.
        oidc_groups: the identity provider's groups that make up the team (OIDC; 1-10). Default none.
        notify: e-mail members when new tasks arrive. Default ``True``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        workforce: PrivateWorkforce,
        description: str,
        team_name: str | None = None,
        members: Sequence[str] = (),
        extra_cognito_groups: Sequence[str] = (),
        oidc_groups: Sequence[str] = (),
        notify: bool = True,
    ) -> None:
        super().__init__(scope, id)
        name = team_name or re.sub(r"[^a-z0-9]+", "-", id.lower()).strip("-")
        problems = Problems(f"WorkTeam {self.node.path}")
        problems.check_name("team_name", name, max_length=63)
        problems.check_length("description", description, 1, MAX_TEAM_DESCRIPTION)
        for email in members:
            if not is_token(email) and not EMAIL_PATTERN.match(email):
                problems.add("members", email, "each member is an e-mail address like worker@example.com")
        cognito_workforce = workforce.identity is IdentityProvider.COGNITO
        if cognito_workforce and oidc_groups:
            problems.add("oidc_groups", list(oidc_groups), "a Cognito workforce's teams take members, not OIDC groups")
        if not cognito_workforce:
            if members or extra_cognito_groups:
                problems.add(
                    "members",
                    list(members) + list(extra_cognito_groups),
                    "an OIDC workforce's teams are the identity provider's groups (oidc_groups), not e-mail "
                    "addresses or Cognito groups",
                )
            if not 1 <= len(oidc_groups) <= MAX_MEMBER_DEFINITIONS:
                problems.add("oidc_groups", len(oidc_groups), f"an OIDC team has 1-{MAX_MEMBER_DEFINITIONS} groups")
        if cognito_workforce and 1 + len(extra_cognito_groups) > MAX_MEMBER_DEFINITIONS:
            problems.add(
                "extra_cognito_groups",
                len(extra_cognito_groups),
                f"a team has at most {MAX_MEMBER_DEFINITIONS} member definitions: its own group and "
                f"{MAX_MEMBER_DEFINITIONS - 1} more",
            )
        if len(workforce.teams) >= MAX_TEAMS:
            problems.add("WorkTeam", name, f"AWS allows at most {MAX_TEAMS} work teams per account and region")
        if any(team.team_name == name for team in workforce.teams):
            problems.add("team_name", name, "each team of a workforce needs its own name")
        problems.raise_if_any()
        workforce._register(self)

        #: The team's name.
        self.team_name: str = name
        #: The labeling portal where members work.
        self.portal_url = workforce.portal_url
        definitions: list[sagemaker.CfnWorkteam.MemberDefinitionProperty] = []
        if cognito_workforce:
            assert workforce.user_pool_id is not None
            assert workforce.client_id is not None
            group = cognito.CfnUserPoolGroup(
                self,
                "Group",
                user_pool_id=workforce.user_pool_id,
                group_name=name,
                description=description,
            )
            for index, group_name in enumerate([name, *extra_cognito_groups]):
                definitions.append(
                    sagemaker.CfnWorkteam.MemberDefinitionProperty(
                        cognito_member_definition=sagemaker.CfnWorkteam.CognitoMemberDefinitionProperty(
                            cognito_user_pool=workforce.user_pool_id,
                            cognito_user_group=group.ref if index == 0 else group_name,
                            cognito_client_id=workforce.client_id,
                        )
                    )
                )
            for email in members:
                user = workforce._member(email)
                cognito.CfnUserPoolUserToGroupAttachment(
                    self,
                    f"Member{hashlib.sha256(email.lower().encode()).hexdigest()[:12]}",
                    user_pool_id=workforce.user_pool_id,
                    group_name=group.ref,
                    username=user.ref,
                )
        else:
            definitions.append(
                sagemaker.CfnWorkteam.MemberDefinitionProperty(
                    oidc_member_definition=sagemaker.CfnWorkteam.OidcMemberDefinitionProperty(
                        oidc_groups=list(oidc_groups)
                    )
                )
            )
        #: The topic SageMaker announces new tasks on (``None`` without ``notify``).
        self.notification_topic: sns.Topic | None = None
        if notify:
            topic = sns.Topic(
                self,
                "NewTasks",
                display_name=f"New labeling tasks for {name}",
                master_key=workforce._notification_key_for_teams(),
                enforce_ssl=True,
            )
            topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="SageMakerAnnouncesNewTasks",
                    principals=[iam.ServicePrincipal("sagemaker.amazonaws.com")],
                    actions=["sns:Publish"],
                    resources=[topic.topic_arn],
                    conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
                )
            )
            for email in members:
                topic.add_subscription(subscriptions.EmailSubscription(email.lower()))
            self.notification_topic = topic
        team = sagemaker.CfnWorkteam(
            self,
            "Resource",
            workteam_name=name,
            workforce_name=workforce.workforce_name,
            description=description,
            member_definitions=definitions,
            notification_configuration=(
                sagemaker.CfnWorkteam.NotificationConfigurationProperty(notification_topic_arn=topic.topic_arn)
                if notify
                else None
            ),
        )
        # Deletion order: CloudFormation deletes the team before what it depends on (the workforce).
        team.node.add_dependency(workforce._workforce_dependency)
        #: The team's ARN.
        self.team_arn = team.attr_workteam_arn
        compliance.acknowledge_created(self)
        #: The parameter project stacks read the team's ARN from (``Workforce.private_team_by_name``).
        self.arn_parameter = ssm.StringParameter(
            self,
            "ArnParameter",
            parameter_name=TEAM_ARN_PARAMETER.format(name=name),
            string_value=team.attr_workteam_arn,
            description=f"ARN of the Ground Truth work team {name}",
        )


class _WorkforceHandlers(Construct):
    """The deploy-time functions behind a workforce: discovery/guard, client set-up, invitations."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._code = lambdas.handler_code("workforce")
        role = lambdas.lambda_role(self, "DiscoverRole", "Finds the account's Ground Truth workforce in this region")
        stack = cdk.Stack.of(self)
        nag.allow(
            role,
            sid="FindTheWorkforce",
            actions=["sagemaker:ListWorkforces"],
            resources=["*"],
            wildcard_reason="sagemaker:ListWorkforces has no resource-level permissions; it only lists, to find the "
            "one workforce or to check there is none.",
        )
        nag.allow(
            role,
            sid="DescribeTheWorkforce",
            actions=["sagemaker:DescribeWorkforce"],
            resources=[stack.format_arn(service="sagemaker", resource="workforce", resource_name="*")],
            wildcard_reason="The workforce to adopt is found at deploy (one per account and region); the "
            "wildcard covers only this account's workforces in this region.",
        )
        discover = lambdas.python_function(
            self,
            "Discover",
            code=self._code,
            handler="index.discover",
            role=role,
            timeout=cdk.Duration.minutes(4),
            description="Ground Truth workforce: adopt the existing one, or check there is none before creating",
        )
        self.discover_token = lambdas.provider(
            self, "DiscoverProvider", on_event=discover, what="the workforce"
        ).service_token
        self._client_token: str | None = None

    def client_token(self, pool: cognito.UserPool) -> str:
        """The service token of the function that sets the app client up for Ground Truth."""
        if self._client_token is None:
            role = lambdas.lambda_role(
                self, "ClientRole", "Sets the workforce's Cognito app client up for Ground Truth"
            )
            nag.allow(
                role,
                sid="ConfigureTheAppClient",
                actions=["cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient"],
                resources=[pool.user_pool_arn],
            )
            function = lambdas.python_function(
                self,
                "ConfigureClient",
                code=self._code,
                handler="index.configure_client",
                role=role,
                timeout=cdk.Duration.minutes(4),
                description="Ground Truth workforce: OAuth settings and portal URLs of the app client",
            )
            self._client_token = lambdas.provider(
                self, "ClientProvider", on_event=function, what="the app client"
            ).service_token
        return self._client_token

    def invitation_function(self, parameter_name: str) -> lambda_.IFunction:
        """The Cognito custom-message trigger that puts the portal URL into invitations."""
        stack = cdk.Stack.of(self)
        role = lambdas.lambda_role(self, "InvitationRole", "Writes the workforce's invitation e-mails")
        nag.allow(
            role,
            sid="ReadThePortalUrl",
            actions=["ssm:GetParameter"],
            resources=[stack.format_arn(service="ssm", resource="parameter", resource_name=parameter_name.lstrip("/"))],
        )
        return lambdas.python_function(
            self,
            "Invitation",
            code=self._code,
            handler="index.custom_message",
            role=role,
            timeout=cdk.Duration.seconds(5),  # Cognito waits 5 s for a trigger
            environment={"PORTAL_URL_PARAMETER": parameter_name},
            description="Ground Truth workforce: invitation e-mails that name the labeling portal",
        )


def _check_cidrs(problems: Problems, cidrs: Sequence[str]) -> None:
    if len(cidrs) > MAX_SOURCE_CIDRS:
        problems.add("source_ip_cidrs", f"{len(cidrs)} CIDRs", f"at most {MAX_SOURCE_CIDRS}")
    for cidr in cidrs:
        if is_token(cidr):
            continue
        try:
            ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            problems.add("source_ip_cidrs", cidr, "each is a network in CIDR notation, e.g. 203.0.113.0/24")


def _check_oidc(problems: Problems, stack: cdk.Stack, oidc: OidcProvider) -> None:
    for field in (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "user_info_endpoint",
        "logout_endpoint",
        "jwks_uri",
    ):
        value = getattr(oidc, field)
        if not is_token(value) and not value.startswith("https://"):
            problems.add(f"oidc.{field}", value, "must be an https:// URL")
    if oidc.client_secret is None:
        problems.add("oidc.client_secret", None, "give the client secret as cdk.SecretValue.secrets_manager(...)")
        return
    rendered = stack.resolve(oidc.client_secret.unsafe_unwrap())  # inspected, never written out
    if not isinstance(rendered, (str, dict)) or "{{resolve:secretsmanager:" not in json.dumps(rendered):
        problems.add(
            "oidc.client_secret",
            "<a plain value>",
            "must come from Secrets Manager (cdk.SecretValue.secrets_manager(...)) so the template holds only "
            "a dynamic reference, never the secret",
        )


def _oidc_config(oidc: OidcProvider) -> sagemaker.CfnWorkforce.OidcConfigProperty:
    assert oidc.client_secret is not None
    return sagemaker.CfnWorkforce.OidcConfigProperty(
        authorization_endpoint=oidc.authorization_endpoint,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret.unsafe_unwrap(),  # a Secrets Manager dynamic reference, checked above
        issuer=oidc.issuer,
        jwks_uri=oidc.jwks_uri,
        logout_endpoint=oidc.logout_endpoint,
        token_endpoint=oidc.token_endpoint,
        user_info_endpoint=oidc.user_info_endpoint,
        scope=oidc.scope,
    )
