"""PrivateWorkforce, WorkTeam and WorkforceStack: created, OIDC and adopted workforces, teams, members."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from groundtruth_cdk import IdentityProvider, OidcProvider, PrivateWorkforce, TaskType, Workforce, WorkTeam
from groundtruth_cdk.stacks import TeamSpec, WorkforceStack
from tests.builders import CDK_CONTEXT, add_job, stack, synth_under_cdk_nag

ENV = cdk.Environment(account="123456789012", region="eu-west-1")
TEAMS = [
    TeamSpec("labelers", "Labels street scenes", members=["ana@example.com", "Bo@Example.com"]),
    TeamSpec("reviewers", "Reviews the labels", members=["ana@example.com"], notify=False),
]


def _oidc(scope: cdk.Stack, secret: cdk.SecretValue | None = None, **overrides: Any) -> OidcProvider:
    values: dict[str, Any] = {
        "issuer": "https://idp.example.com",
        "authorization_endpoint": "https://idp.example.com/authorize",
        "token_endpoint": "https://idp.example.com/token",
        "user_info_endpoint": "https://idp.example.com/userinfo",
        "logout_endpoint": "https://idp.example.com/logout",
        "jwks_uri": "https://idp.example.com/jwks",
        "client_id": "groundtruth",
        "client_secret": secret
        if secret is not None
        else secretsmanager.Secret.from_secret_name_v2(scope, "IdpSecret", "idp/client").secret_value_from_json(
            "secret"
        ),
    }
    values.update(overrides)
    return OidcProvider(**values)


@pytest.fixture(scope="module")
def cognito_stack() -> tuple[WorkforceStack, dict[str, Any]]:
    app = cdk.App(context=CDK_CONTEXT)
    workforce_stack = WorkforceStack(app, "Workforce", env=ENV, teams=TEAMS, source_ip_cidrs=["203.0.113.0/24"])
    return workforce_stack, Template.from_stack(workforce_stack).to_json()


def _of_type(template: dict[str, Any], type_: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def _one(template: dict[str, Any], type_: str) -> dict[str, Any]:
    (resource,) = _of_type(template, type_).values()
    return resource


def test_user_pool_is_admin_only_strong_mfa_and_retained(cognito_stack: tuple[WorkforceStack, dict[str, Any]]) -> None:
    pool = _one(cognito_stack[1], "AWS::Cognito::UserPool")
    assert pool["DeletionPolicy"] == "Retain"
    properties = pool["Properties"]
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert properties["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "RequireUppercase": True,
        "TemporaryPasswordValidityDays": 7,
    }
    assert properties["MfaConfiguration"] == "ON"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert properties["DeletionProtection"] == "ACTIVE"
    assert "CustomMessage" in properties["LambdaConfig"]


def test_domain_prefix_is_unique_per_account(cognito_stack: tuple[WorkforceStack, dict[str, Any]]) -> None:
    domain = _one(cognito_stack[1], "AWS::Cognito::UserPoolDomain")
    assert domain["Properties"]["Domain"] == "groundtruth-123456789012"


def test_client_has_a_secret_and_gets_ground_truths_oauth_after_the_workforce(
    cognito_stack: tuple[WorkforceStack, dict[str, Any]],
) -> None:
    template = cognito_stack[1]
    client = _one(template, "AWS::Cognito::UserPoolClient")["Properties"]
    assert client["GenerateSecret"] is True
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    workforce_id = next(iter(_of_type(template, "AWS::SageMaker::Workforce")))
    configured = _one(template, "Custom::GroundTruthWorkforceClient")
    assert configured["DependsOn"] == [workforce_id]
    subdomain = {"Fn::GetAtt": [workforce_id, "SubDomain"]}
    assert configured["Properties"]["CallbackUrls"] == [
        {"Fn::Join": ["", ["https://", subdomain, "/oauth2/idpresponse"]]}
    ]
    assert configured["Properties"]["LogoutUrls"] == [{"Fn::Join": ["", ["https://", subdomain]]}]
    assert configured["Properties"]["OAuthFlows"] == ["code"]
    assert configured["Properties"]["OAuthScopes"] == ["email", "openid", "profile"]


def test_workforce_is_created_after_the_only_one_check(cognito_stack: tuple[WorkforceStack, dict[str, Any]]) -> None:
    template = cognito_stack[1]
    workforce = _one(template, "AWS::SageMaker::Workforce")
    (guard_id,) = [
        k for k, v in _of_type(template, "Custom::GroundTruthWorkforce").items() if v["Properties"]["Mode"] == "guard"
    ]
    assert guard_id in workforce["DependsOn"]
    assert workforce["Properties"]["SourceIpConfig"] == {"Cidrs": ["203.0.113.0/24"]}
    assert set(workforce["Properties"]["CognitoConfig"]) == {"ClientId", "UserPool"}


def test_invitations_read_the_portal_url_published_by_the_stack(
    cognito_stack: tuple[WorkforceStack, dict[str, Any]],
) -> None:
    template = cognito_stack[1]
    parameters = {
        v["Properties"]["Name"]: v["Properties"]["Value"] for v in _of_type(template, "AWS::SSM::Parameter").values()
    }
    workforce_id = next(iter(_of_type(template, "AWS::SageMaker::Workforce")))
    assert parameters["/groundtruth-cdk/workforce/portal-url"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [workforce_id, "SubDomain"]}]]
    }
    functions = _of_type(template, "AWS::Lambda::Function")
    (invitation,) = [f for f in functions.values() if f["Properties"]["Handler"] == "index.custom_message"]
    assert invitation["Properties"]["Environment"]["Variables"] == {
        "PORTAL_URL_PARAMETER": "/groundtruth-cdk/workforce/portal-url"
    }
    users = _of_type(template, "AWS::Cognito::UserPoolUser")
    portal_parameter = next(
        k
        for k, v in _of_type(template, "AWS::SSM::Parameter").items()
        if v["Properties"]["Name"].endswith("portal-url")
    )
    assert all(portal_parameter in user["DependsOn"] for user in users.values())


def test_members_are_users_once_each_in_their_teams_groups(
    cognito_stack: tuple[WorkforceStack, dict[str, Any]],
) -> None:
    template = cognito_stack[1]
    users = {v["Properties"]["Username"]: k for k, v in _of_type(template, "AWS::Cognito::UserPoolUser").items()}
    assert sorted(users) == ["ana@example.com", "bo@example.com"]
    user = _of_type(template, "AWS::Cognito::UserPoolUser")[users["ana@example.com"]]["Properties"]
    assert user["DesiredDeliveryMediums"] == ["EMAIL"]
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    attachments = sorted(
        (v["Properties"]["GroupName"]["Ref"], v["Properties"]["Username"]["Ref"])
        for v in _of_type(template, "AWS::Cognito::UserPoolUserToGroupAttachment").values()
    )
    groups = {v["Properties"]["GroupName"]: k for k, v in _of_type(template, "AWS::Cognito::UserPoolGroup").items()}
    assert attachments == sorted(
        [
            (groups["labelers"], users["ana@example.com"]),
            (groups["labelers"], users["bo@example.com"]),
            (groups["reviewers"], users["ana@example.com"]),
        ]
    )


def test_adding_a_member_keeps_every_other_resource_id() -> None:
    def ids(members: list[str]) -> set[str]:
        workforce_stack = WorkforceStack(
            cdk.App(context=CDK_CONTEXT), "W", env=ENV, teams=[TeamSpec("t", "Team", members=members)]
        )
        return set(Template.from_stack(workforce_stack).to_json()["Resources"])

    before = ids(["ana@example.com", "bo@example.com"])
    after = ids(["ana@example.com", "cy@example.com", "bo@example.com"])
    assert before < after
    assert len(after - before) == 3  # the user, the group attachment, the notification subscription


def test_teams_are_deleted_before_the_workforce_and_publish_their_arns(
    cognito_stack: tuple[WorkforceStack, dict[str, Any]],
) -> None:
    template = cognito_stack[1]
    workforce_id = next(iter(_of_type(template, "AWS::SageMaker::Workforce")))
    teams = _of_type(template, "AWS::SageMaker::Workteam")
    assert sorted(t["Properties"]["WorkteamName"] for t in teams.values()) == ["labelers", "reviewers"]
    for team in teams.values():
        assert workforce_id in team["DependsOn"], "a team depends on (so is deleted before) the workforce"
        assert team["Properties"]["WorkforceName"] == "groundtruth"
        (definition,) = team["Properties"]["MemberDefinitions"]
        assert set(definition["CognitoMemberDefinition"]) == {"CognitoClientId", "CognitoUserGroup", "CognitoUserPool"}
    parameters = {v["Properties"]["Name"] for v in _of_type(template, "AWS::SSM::Parameter").values()}
    assert {"/groundtruth-cdk/workteams/labelers/arn", "/groundtruth-cdk/workteams/reviewers/arn"} <= parameters


def test_notifications_go_to_an_encrypted_topic_sagemaker_may_publish_to(
    cognito_stack: tuple[WorkforceStack, dict[str, Any]],
) -> None:
    template = cognito_stack[1]
    topic_id, topic = next(iter(_of_type(template, "AWS::SNS::Topic").items()))
    assert "KmsMasterKeyId" in topic["Properties"]
    (labelers,) = [
        t
        for t in _of_type(template, "AWS::SageMaker::Workteam").values()
        if t["Properties"]["WorkteamName"] == "labelers"
    ]
    assert labelers["Properties"]["NotificationConfiguration"] == {"NotificationTopicArn": {"Ref": topic_id}}
    statements = _one(template, "AWS::SNS::TopicPolicy")["Properties"]["PolicyDocument"]["Statement"]
    publish = next(s for s in statements if s.get("Sid") == "SageMakerAnnouncesNewTasks")
    assert publish["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    key_statements = _one(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
    assert any(s.get("Sid") == "SageMakerPublishesTeamNotifications" for s in key_statements)
    emails = sorted(s["Properties"]["Endpoint"] for s in _of_type(template, "AWS::SNS::Subscription").values())
    assert emails == ["ana@example.com", "bo@example.com"]
    topic_outputs = {key: output["Value"] for key, output in template["Outputs"].items() if "NewTasksTopic" in key}
    assert topic_outputs == {"TeamNewTasksTopiclabelers": {"Ref": topic_id}}, (
        "the notified team's topic is an output; the team without notify has none"
    )


def test_handler_roles_are_least_privilege(cognito_stack: tuple[WorkforceStack, dict[str, Any]]) -> None:
    template = cognito_stack[1]
    statements = [
        s
        for policy in _of_type(template, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid")
    ]
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["FindTheWorkforce"]["Action"] == "sagemaker:ListWorkforces"
    assert by_sid["DescribeTheWorkforce"]["Resource"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sagemaker:eu-west-1:123456789012:workforce/*"]]
    }
    pool_id = next(iter(_of_type(template, "AWS::Cognito::UserPool")))
    assert by_sid["ConfigureTheAppClient"] == {
        "Action": ["cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient"],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [pool_id, "Arn"]},
        "Sid": "ConfigureTheAppClient",
    }
    assert by_sid["ReadThePortalUrl"]["Action"] == "ssm:GetParameter"


def test_oidc_workforce_takes_the_secret_by_dynamic_reference() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce(scope, "Workforce", oidc=_oidc(scope))
    WorkTeam(scope, "Team", workforce=workforce, description="Annotators", oidc_groups=["annotators"])
    template = Template.from_stack(scope).to_json()
    config = _one(template, "AWS::SageMaker::Workforce")["Properties"]["OidcConfig"]
    rendered = json.dumps(config["ClientSecret"])
    assert "{{resolve:secretsmanager:" in rendered
    assert not _of_type(template, "AWS::Cognito::UserPool")
    (team,) = _of_type(template, "AWS::SageMaker::Workteam").values()
    assert team["Properties"]["MemberDefinitions"] == [{"OidcMemberDefinition": {"OidcGroups": ["annotators"]}}]


def test_adopted_workforce_is_found_at_deploy_and_never_created() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce.adopt(scope, "Workforce")
    WorkTeam(scope, "Team", workforce=workforce, description="Annotators", members=["ana@example.com"])
    template = Template.from_stack(scope).to_json()
    assert not _of_type(template, "AWS::SageMaker::Workforce")
    assert not _of_type(template, "AWS::Cognito::UserPool")
    ((found_id, found),) = _of_type(template, "Custom::GroundTruthWorkforce").items()
    assert found["Properties"]["Mode"] == "adopt"
    assert found["Properties"]["ExpectedIdentity"] == "cognito"
    (team,) = _of_type(template, "AWS::SageMaker::Workteam").values()
    definition = team["Properties"]["MemberDefinitions"][0]["CognitoMemberDefinition"]
    assert definition["CognitoUserPool"] == {"Fn::GetAtt": [found_id, "UserPool"]}
    assert definition["CognitoClientId"] == {"Fn::GetAtt": [found_id, "ClientId"]}
    assert team["Properties"]["WorkforceName"] == {"Fn::GetAtt": [found_id, "WorkforceName"]}
    (user,) = _of_type(template, "AWS::Cognito::UserPoolUser").values()
    assert user["Properties"]["UserPoolId"] == {"Fn::GetAtt": [found_id, "UserPool"]}


def test_adopting_an_oidc_workforce_is_declared() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce.adopt(scope, "Workforce", identity=IdentityProvider.OIDC)
    WorkTeam(scope, "Team", workforce=workforce, description="Annotators", oidc_groups=["a"])
    found = _one(Template.from_stack(scope).to_json(), "Custom::GroundTruthWorkforce")
    assert found["Properties"]["ExpectedIdentity"] == "oidc"


def test_project_stacks_find_a_team_by_name() -> None:
    scope = stack("eu-west-1")
    job = add_job(scope, task_type=TaskType.IMAGE_BOUNDING_BOX, workforce=Workforce.private_team_by_name("labelers"))
    template = Template.from_stack(scope).to_json()
    team_arn = scope.resolve(job.request["HumanTaskConfig"]["WorkteamArn"])
    parameter = template["Parameters"][team_arn["Ref"]]
    assert parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
    assert parameter["Default"] == "/groundtruth-cdk/workteams/labelers/arn"


@pytest.mark.parametrize(
    "workforce_stack",
    [
        pytest.param(lambda app: WorkforceStack(app, "Cognito", env=ENV, teams=TEAMS), id="cognito"),
        pytest.param(
            lambda app: WorkforceStack(
                app,
                "Oidc",
                env=ENV,
                oidc=_oidc(cdk.Stack(app, "Secrets", env=ENV)),
                teams=[TeamSpec("annotators", "Annotators", oidc_groups=["g1", "g2"])],
            ),
            id="oidc",
        ),
        pytest.param(
            lambda app: WorkforceStack(app, "Adopted", env=ENV, adopt_existing=True, teams=TEAMS), id="adopted"
        ),
    ],
)
def test_workforce_stacks_are_clean_under_cdk_nag(workforce_stack: Any, tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path), context=CDK_CONTEXT)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    workforce_stack(app)
    synth_under_cdk_nag(app, tmp_path)


def test_mfa_and_plus_plan_are_acknowledged_only_when_not_configured() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce(
        scope, "W", mfa=cdk.aws_cognito.Mfa.OPTIONAL, feature_plan=cdk.aws_cognito.FeaturePlan.PLUS
    )
    assert workforce.user_pool is not None
    acknowledged = {
        rule
        for entry in workforce.user_pool.node.metadata
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule in entry.data
    }
    assert any("COG2" in rule for rule in acknowledged)
    assert not any("COG8" in rule for rule in acknowledged)
    pool = _one(Template.from_stack(scope).to_json(), "AWS::Cognito::UserPool")["Properties"]
    assert pool["UserPoolTier"] == "PLUS"


# -- fail at synth ------------------------------------------------------------------------------------


def _raises(match: str, build: Any) -> None:
    with pytest.raises(ValueError, match=match):
        build()


def test_fails_for_an_invalid_member_email() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce(scope, "W")
    _raises(
        r"WorkTeam Test/T: 1 invalid value:\n  - members: got 'ana\(at\)example.com'; each member is an e-mail address",
        lambda: WorkTeam(scope, "T", workforce=workforce, description="d", members=["ana(at)example.com"]),
    )


def test_fails_for_too_many_or_bad_cidrs() -> None:
    cidrs = [f"10.0.{n}.0/24" for n in range(11)]
    _raises(
        r"source_ip_cidrs: got '11 CIDRs'; at most 10",
        lambda: PrivateWorkforce(stack("eu-west-1"), "W", source_ip_cidrs=cidrs),
    )
    _raises(
        r"source_ip_cidrs: got '10.0.0.1/24'; each is a network",
        lambda: PrivateWorkforce(stack("eu-west-1"), "W", source_ip_cidrs=["10.0.0.1/24"]),
    )


def test_fails_for_oidc_without_a_secret_or_with_a_plain_one() -> None:
    scope = stack("eu-west-1")
    missing = _oidc(scope, secret=None)
    object.__setattr__(missing, "client_secret", None)
    _raises(
        r"oidc.client_secret: got None; give the client secret as cdk.SecretValue.secrets_manager",
        lambda: PrivateWorkforce(scope, "A", oidc=missing),
    )
    plain = _oidc(stack("eu-west-1"), secret=cdk.SecretValue.unsafe_plain_text("hunter2"))
    _raises(
        r"oidc.client_secret: got '<a plain value>'; must come from Secrets Manager",
        lambda: PrivateWorkforce(stack("eu-west-1"), "B", oidc=plain),
    )
    insecure = _oidc(stack("eu-west-1"), issuer="http://idp.example.com")
    _raises(
        r"oidc.issuer: got 'http://idp.example.com'; must be an https:// URL",
        lambda: PrivateWorkforce(stack("eu-west-1"), "C", oidc=insecure),
    )


def test_fails_for_the_26th_team() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce(scope, "W")
    for n in range(25):
        WorkTeam(scope, f"T{n}", workforce=workforce, description="d", notify=False)
    _raises(
        r"WorkTeam: got 't25'; AWS allows at most 25 work teams",
        lambda: WorkTeam(scope, "T25", workforce=workforce, description="d"),
    )


def test_fails_for_team_limits() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce(scope, "W")
    _raises(
        r"description: got 'x{57}\.\.\.'; must be 1-200 characters",
        lambda: WorkTeam(scope, "A", workforce=workforce, description="x" * 201),
    )
    _raises(
        r"team_name: got 'bad_name'",
        lambda: WorkTeam(scope, "B", workforce=workforce, team_name="bad_name", description="d"),
    )
    _raises(
        r"extra_cognito_groups: got 10; a team has at most 10 member definitions",
        lambda: WorkTeam(
            scope, "C", workforce=workforce, description="d", extra_cognito_groups=[f"g{n}" for n in range(10)]
        ),
    )
    WorkTeam(scope, "D", workforce=workforce, team_name="same", description="d")
    _raises(
        r"team_name: got 'same'; each team of a workforce needs its own name",
        lambda: WorkTeam(scope, "E", workforce=workforce, team_name="same", description="d"),
    )
    _raises(
        r"oidc_groups: got \['g'\]; a Cognito workforce's teams take members",
        lambda: WorkTeam(scope, "F", workforce=workforce, description="d", oidc_groups=["g"]),
    )


def test_fails_for_oidc_team_with_emails_or_without_groups() -> None:
    scope = stack("eu-west-1")
    workforce = PrivateWorkforce(scope, "W", oidc=_oidc(scope))
    _raises(
        r"members: got \['a@example.com'\]; an OIDC workforce's teams are the identity provider's groups",
        lambda: WorkTeam(
            scope, "A", workforce=workforce, description="d", members=["a@example.com"], oidc_groups=["g"]
        ),
    )
    _raises(
        r"oidc_groups: got 0; an OIDC team has 1-10 groups",
        lambda: WorkTeam(scope, "B", workforce=workforce, description="d"),
    )


def test_fails_for_a_second_workforce_in_one_account_and_region() -> None:
    app = cdk.App()
    PrivateWorkforce(cdk.Stack(app, "One", env=ENV), "W")
    _raises(
        r"PrivateWorkforce: got '123456789012/eu-west-1'; AWS allows one private workforce per account and region",
        lambda: PrivateWorkforce(cdk.Stack(app, "Two", env=ENV), "W"),
    )
    PrivateWorkforce.adopt(cdk.Stack(app, "Three", env=ENV), "W")  # adopting is fine


def test_client_set_up_runs_again_whenever_the_client_resource_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    def fingerprint() -> str:
        scope = stack("eu-west-1")
        PrivateWorkforce(scope, "W")
        resource = _one(Template.from_stack(scope).to_json(), "Custom::GroundTruthWorkforceClient")
        return str(resource["Properties"]["Fingerprint"])

    before = fingerprint()
    assert fingerprint() == before, "the same client gives the same fingerprint: no needless re-run"
    add_client = cdk.aws_cognito.UserPool.add_client

    def with_shorter_tokens(pool: Any, id: str, **kwargs: Any) -> Any:
        return add_client(pool, id, id_token_validity=cdk.Duration.minutes(30), **kwargs)

    monkeypatch.setattr(cdk.aws_cognito.UserPool, "add_client", with_shorter_tokens)
    assert fingerprint() != before, "a changed client (which CloudFormation updates) re-runs the set-up"
