"""``workforce.yaml``: the private workforce and work teams of each region the projects use.

::

    eu-west-1:
      teams:
        - name: street-labelers
          description: Labels street scenes
          members: [ana@example.com, bo@example.com]

Each region becomes a ``WorkforceStack`` (``GroundTruth-Workforce-<region>``) when a project of that
region names one of its teams (``workers: {team: street-labelers}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from groundtruth_cdk.private_workforce import IdentityProvider, OidcProvider
from groundtruth_cdk.project.errors import Problem, ProjectError
from groundtruth_cdk.project.schema_check import SchemaChecker, show
from groundtruth_cdk.project.schemas import PATTERN_MESSAGES, WORKFORCE_SCHEMA
from groundtruth_cdk.project.yaml_source import YamlDocument, read_yaml

#: The file's name; the loader looks for it next to the project file and in the folders above.
WORKFORCE_FILE_NAME = "workforce.yaml"


@dataclass(frozen=True)
class TeamSettings:
    """A work team as ``workforce.yaml`` declares it (see ``WorkTeam`` for each field)."""

    name: str
    description: str
    members: tuple[str, ...] = ()
    oidc_groups: tuple[str, ...] = ()
    notify: bool = True


@dataclass(frozen=True)
class OidcSettings:
    """An OIDC identity provider; the client secret stays in Secrets Manager."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    user_info_endpoint: str
    logout_endpoint: str
    jwks_uri: str
    client_id: str
    client_secret_arn: str
    scope: str | None = None

    def provider(self) -> OidcProvider:
        """The ``OidcProvider`` for ``WorkforceStack``: the secret as a Secrets Manager dynamic reference."""
        return OidcProvider(
            issuer=self.issuer,
            authorization_endpoint=self.authorization_endpoint,
            token_endpoint=self.token_endpoint,
            user_info_endpoint=self.user_info_endpoint,
            logout_endpoint=self.logout_endpoint,
            jwks_uri=self.jwks_uri,
            client_id=self.client_id,
            client_secret=cdk.SecretValue.secrets_manager(self.client_secret_arn),
            scope=self.scope,
        )


@dataclass(frozen=True)
class RegionWorkforce:
    """The workforce settings of one region (the ``WorkforceStack`` arguments)."""

    region: str
    teams: tuple[TeamSettings, ...] = ()
    adopt_existing: bool = False
    adopted_identity: IdentityProvider = IdentityProvider.COGNITO
    oidc: OidcSettings | None = None
    source_ip_cidrs: tuple[str, ...] = ()

    @property
    def team_names(self) -> tuple[str, ...]:
        """The names of the region's teams."""
        return tuple(team.name for team in self.teams)


@dataclass(frozen=True)
class WorkforceFile:
    """A loaded ``workforce.yaml``: region → workforce."""

    file: str
    regions: Mapping[str, RegionWorkforce]


_CHECKER = SchemaChecker(PATTERN_MESSAGES)


def load_workforce(path: Path | str) -> WorkforceFile:
    """Load ``workforce.yaml``; raise :class:`ProjectError` listing every problem with its line.

    An empty file declares no workforce.
    """
    document = read_yaml(path)
    if document.value is None:
        document.value = {}
    problems = [document.problem(p, m) for p, m in _CHECKER.check(document.value, WORKFORCE_SCHEMA)]
    if problems:
        raise ProjectError(problems)
    regions = {region: _region(region, settings or {}) for region, settings in document.value.items()}
    for region, workforce in regions.items():
        problems += _check_region(document, region, workforce)
    if problems:
        raise ProjectError(problems)
    return WorkforceFile(str(path), regions)


def find_workforce_file(start: Path) -> Path | None:
    """``workforce.yaml`` in ``start`` or the nearest folder above it, if any."""
    for folder in (start, *start.parents):
        candidate = folder / WORKFORCE_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def _region(region: str, settings: Mapping[str, Any]) -> RegionWorkforce:
    oidc = settings.get("oidc")
    return RegionWorkforce(
        region=region,
        teams=tuple(
            TeamSettings(
                name=team["name"],
                description=team["description"],
                members=tuple(team.get("members", ())),
                oidc_groups=tuple(team.get("oidc_groups", ())),
                notify=team.get("notify", True),
            )
            for team in settings.get("teams", ())
        ),
        adopt_existing=settings.get("adopt_existing", False),
        adopted_identity=IdentityProvider(settings.get("adopted_identity", IdentityProvider.COGNITO.value)),
        oidc=OidcSettings(**oidc) if oidc is not None else None,
        source_ip_cidrs=tuple(settings.get("source_ip_cidrs", ())),
    )


def _check_region(document: YamlDocument, region: str, workforce: RegionWorkforce) -> list[Problem]:
    """The rules of ``PrivateWorkforce`` and ``WorkTeam`` that the schema cannot express."""
    problems: list[Problem] = []
    settings = document.value[region] or {}
    if workforce.adopt_existing and (workforce.oidc is not None or workforce.source_ip_cidrs):
        key = "oidc" if workforce.oidc is not None else "source_ip_cidrs"
        problems.append(
            document.problem(
                (region, key),
                "got a setting for an adopted workforce; an adopted workforce keeps its own settings: leave oidc "
                "and source_ip_cidrs out, or set adopt_existing: false",
            )
        )
    if "adopted_identity" in settings and not workforce.adopt_existing:
        problems.append(
            document.problem(
                (region, "adopted_identity"),
                f"got {show(settings['adopted_identity'])}; only with adopt_existing: true (a created workforce "
                "signs in with Cognito, or with oidc when given)",
            )
        )
    if workforce.adopt_existing:
        oidc = workforce.adopted_identity is IdentityProvider.OIDC
    else:
        oidc = workforce.oidc is not None
    seen: set[str] = set()
    for index, team in enumerate(workforce.teams):
        path = (region, "teams", index)
        if team.name in seen:
            problems.append(
                document.problem((*path, "name"), f"got {show(team.name)} again; each team needs its own name")
            )
        seen.add(team.name)
        if oidc and team.members:
            problems.append(
                document.problem(
                    (*path, "members"),
                    "got e-mail addresses; an OIDC workforce's teams are the identity provider's groups: give "
                    "oidc_groups instead",
                )
            )
        if oidc and not team.oidc_groups:
            problems.append(
                document.problem((*path, "oidc_groups"), "missing; an OIDC workforce's team needs 1-10 oidc_groups")
            )
        if not oidc and team.oidc_groups:
            problems.append(
                document.problem(
                    (*path, "oidc_groups"),
                    "got groups; a Cognito workforce's teams take members (e-mail addresses), not OIDC groups",
                )
            )
    return problems
