"""workforce.yaml: the workforce stack's settings per region, with the same line-numbered errors."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

from groundtruth_cdk import IdentityProvider
from groundtruth_cdk.project import (
    Problem,
    ProjectError,
    RegionWorkforce,
    TeamSettings,
    find_workforce_file,
    load_workforce,
)
from tests.project_builders import line_of, write_workforce

ROOT = Path(__file__).resolve().parent.parent
OIDC = {
    "issuer": "https://idp.example.com",
    "authorization_endpoint": "https://idp.example.com/authorize",
    "token_endpoint": "https://idp.example.com/token",
    "user_info_endpoint": "https://idp.example.com/userinfo",
    "logout_endpoint": "https://idp.example.com/logout",
    "jwks_uri": "https://idp.example.com/jwks",
    "client_id": "groundtruth",
    "client_secret_arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:groundtruth-oidc-AbCdEf",
}


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ProjectError) as raised:
        load_workforce(path)
    return raised.value.problems


def test_the_example_workforce_file() -> None:
    workforce = load_workforce(ROOT / "workforce.yaml")
    assert list(workforce.regions) == ["eu-west-1"]
    europe = workforce.regions["eu-west-1"]
    assert europe.team_names == ("street-labelers", "reviewers")
    assert all(member.endswith("@example.com") for team in europe.teams for member in team.members)


def test_settings_and_defaults(tmp_path: Path) -> None:
    path = write_workforce(
        tmp_path,
        {
            "eu-west-1": {"teams": [{"name": "a", "description": "A team"}]},
            "us-east-1": {
                "adopt_existing": True,
                "adopted_identity": "oidc",
                "teams": [{"name": "b", "description": "B", "oidc_groups": ["labelers"], "notify": False}],
            },
            "ap-south-1": {"oidc": OIDC, "source_ip_cidrs": ["203.0.113.0/24"], "teams": []},
        },
    )
    regions = load_workforce(path).regions
    assert regions["eu-west-1"] == RegionWorkforce("eu-west-1", teams=(TeamSettings("a", "A team"),))
    assert regions["us-east-1"].adopt_existing
    assert regions["us-east-1"].adopted_identity is IdentityProvider.OIDC
    assert regions["us-east-1"].teams == (TeamSettings("b", "B", oidc_groups=("labelers",), notify=False),)
    assert regions["ap-south-1"].source_ip_cidrs == ("203.0.113.0/24",)
    oidc = regions["ap-south-1"].oidc
    assert oidc is not None
    provider = oidc.provider()
    assert provider.client_id == "groundtruth"
    assert provider.client_secret is not None
    stack = cdk.Stack(cdk.App(), "S")
    reference = stack.resolve(provider.client_secret.unsafe_unwrap())
    assert "{{resolve:secretsmanager:" + OIDC["client_secret_arn"] in str(reference)


def test_an_empty_file_declares_no_workforce(tmp_path: Path) -> None:
    assert load_workforce(write_workforce(tmp_path, "# none yet\n")).regions == {}


def test_a_region_key_must_be_a_region(tmp_path: Path) -> None:
    path = write_workforce(tmp_path, {"europe": {"teams": []}})
    assert problems_of(path) == [
        Problem(str(path), 1, "europe", "got 'europe'; must be an AWS region name like eu-west-1")
    ]


def test_schema_errors_with_lines(tmp_path: Path) -> None:
    path = write_workforce(
        tmp_path,
        {
            "eu-west-1": {
                "adopt": True,
                "teams": [
                    {"name": "ok", "description": "Fine", "members": ["ana@example.com", "not-an-email"]},
                    {"name": "bad name", "description": "x" * 201},
                ],
            }
        },
    )
    problems = problems_of(path)
    assert [(p.line, p.field) for p in problems] == [
        (line_of(path, "adopt:"), "eu-west-1.adopt"),
        (line_of(path, "not-an-email"), "eu-west-1.teams[0].members[1]"),
        (line_of(path, "bad name"), "eu-west-1.teams[1].name"),
        (line_of(path, "description: xxx"), "eu-west-1.teams[1].description"),
    ]
    assert problems[0].message.startswith("unknown key; allowed keys: adopt_existing, adopted_identity, oidc,")
    assert problems[0].message.endswith("(did you mean 'adopt_existing'?)")
    assert problems[1].message == "got 'not-an-email'; must be an e-mail address like worker@example.com"
    assert (
        problems[3].message
        == "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'; must be 1-200 characters long (is 201)"
    )


def test_team_names_are_unique_per_region(tmp_path: Path) -> None:
    path = write_workforce(
        tmp_path,
        {"eu-west-1": {"teams": [{"name": "a", "description": "One"}, {"name": "a", "description": "Two"}]}},
    )
    assert problems_of(path) == [
        Problem(
            str(path),
            line_of(path, "name: a", 2),
            "eu-west-1.teams[1].name",
            "got 'a' again; each team needs its own name",
        )
    ]


def test_oidc_teams_are_groups_and_cognito_teams_are_members(tmp_path: Path) -> None:
    path = write_workforce(
        tmp_path,
        {
            "eu-west-1": {"oidc": OIDC, "teams": [{"name": "a", "description": "A", "members": ["ana@example.com"]}]},
            "us-east-1": {"teams": [{"name": "b", "description": "B", "oidc_groups": ["g"]}]},
        },
    )
    assert {(p.field, p.message.split(";")[0]) for p in problems_of(path)} == {
        ("eu-west-1.teams[0].members", "got e-mail addresses"),
        ("eu-west-1.teams[0].oidc_groups", "missing"),
        ("us-east-1.teams[0].oidc_groups", "got groups"),
    }


def test_an_adopted_workforce_keeps_its_settings(tmp_path: Path) -> None:
    path = write_workforce(
        tmp_path,
        {"eu-west-1": {"adopt_existing": True, "oidc": OIDC}, "us-east-1": {"adopted_identity": "oidc"}},
    )
    problems = problems_of(path)
    assert [(p.line, p.field) for p in problems] == [
        (line_of(path, "oidc:"), "eu-west-1.oidc"),
        (line_of(path, "adopted_identity"), "us-east-1.adopted_identity"),
    ]
    assert "an adopted workforce keeps its own settings" in problems[0].message
    assert problems[1].message.startswith("got 'oidc'; only with adopt_existing: true")


def test_oidc_needs_every_endpoint_and_a_secret_arn(tmp_path: Path) -> None:
    oidc = {**OIDC, "jwks_uri": "http://idp.example.com/jwks", "client_secret_arn": "my-secret"}
    del oidc["issuer"]
    path = write_workforce(tmp_path, {"eu-west-1": {"oidc": oidc}})
    assert [(p.field, p.message) for p in problems_of(path)] == [
        ("eu-west-1.oidc.issuer", "missing; required: the identity provider's issuer URL (https)"),
        ("eu-west-1.oidc.jwks_uri", "got 'http://idp.example.com/jwks'; must be an https:// URL"),
        (
            "eu-west-1.oidc.client_secret_arn",
            "got 'my-secret'; must be a Secrets Manager secret ARN like "
            "arn:aws:secretsmanager:<region>:<account>:secret:<name>",
        ),
    ]


def test_the_file_is_found_in_the_folder_or_above(tmp_path: Path) -> None:
    path = write_workforce(tmp_path)
    deeper = tmp_path / "projects" / "team-a"
    deeper.mkdir(parents=True)
    assert find_workforce_file(deeper) == path
    path.unlink()
    found = find_workforce_file(deeper)
    assert found is None or tmp_path not in found.parents
