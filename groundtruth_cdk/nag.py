"""Acknowledging cdk-nag findings precisely: one acknowledgment per wildcard, with a reason.

cdk-nag 3 reports each wildcard of an IAM policy as its own finding, e.g.
``AwsSolutions-IAM5[Resource::<DataBucket1234.Arn>/images/*]``. These helpers render a resource the
way cdk-nag does, so a construct acknowledges exactly the wildcards it wrote and no others.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct, IValidation


def render(stack: cdk.Stack, value: Any) -> str:
    """``value`` (a string that may hold tokens) as cdk-nag prints it: ``<Logical.Attr>``, ``<AWS::Region>``."""
    return _render(stack.resolve(value))


def _render(resolved: Any) -> str:
    if isinstance(resolved, str):
        return resolved
    if isinstance(resolved, dict) and len(resolved) == 1:
        ((function, argument),) = resolved.items()
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(_render(part) for part in parts)
        if function == "Fn::ImportValue":
            return _render(argument)
    raise ValueError(f"cannot render {resolved!r} the way cdk-nag does")


def acknowledge_wildcard_resources(
    scope: IConstruct, resources: Iterable[str], reason: str, *, cross_stack: bool = False
) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for each wildcard resource in ``resources`` on ``scope``.

    A resource that refers to another stack (``cross_stack``: a bucket of an earlier project) reaches the
    template as an ``Fn::ImportValue`` only once the app resolves its cross-stack references, so such
    resources are rendered again then (in the validation phase, before the template is written) and
    acknowledged in that form too.
    """
    resources = list(resources)
    _acknowledge_rendered(scope, resources, reason)
    if cross_stack:
        scope.node.add_validation(_AcknowledgeOnceResolved(scope, resources, reason))


def _acknowledge_rendered(scope: IConstruct, resources: list[str], reason: str) -> None:
    stack = cdk.Stack.of(scope)
    acknowledgments = [
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{rendered}]", reason=reason)
        for rendered in sorted({render(stack, resource) for resource in resources})
        if "*" in rendered
    ]
    if acknowledgments:
        cdk.Validations.of(scope).acknowledge(*acknowledgments)


@jsii.implements(IValidation)
class _AcknowledgeOnceResolved:
    """Acknowledges wildcard resources as they read after cross-stack references are resolved."""

    def __init__(self, scope: IConstruct, resources: list[str], reason: str) -> None:
        self._scope, self._resources, self._reason = scope, resources, reason

    def validate(self) -> list[str]:
        """Add the acknowledgments; never report an error."""
        _acknowledge_rendered(self._scope, self._resources, self._reason)
        return []


def acknowledge_wildcard_actions(scope: IConstruct, actions: Iterable[str], reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for each wildcard action in ``actions`` on ``scope``."""
    acknowledgments = [
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Action::{action}]", reason=reason)
        for action in sorted(set(actions))
        if "*" in action
    ]
    if acknowledgments:
        cdk.Validations.of(scope).acknowledge(*acknowledgments)


def allow(
    role: iam.IRole,
    *,
    sid: str | None,
    actions: list[str],
    resources: list[str],
    wildcard_reason: str | None = None,
    conditions: dict[str, Any] | None = None,
    cross_stack: bool = False,
) -> None:
    """Add one statement to ``role`` and acknowledge its wildcard resources with ``wildcard_reason``
    (``cross_stack``: the resources refer to another stack; see :func:`acknowledge_wildcard_resources`).

    A statement with a wildcard but no reason is left for cdk-nag to report.
    """
    role.add_to_principal_policy(
        iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions)
    )
    if wildcard_reason is not None:
        acknowledge_wildcard_resources(role, resources, wildcard_reason, cross_stack=cross_stack)


def policy_wildcards(scope: Construct) -> tuple[list[str], list[str]]:
    """The wildcard (resources, actions) of every IAM policy under ``scope`` so far, rendered for cdk-nag."""
    resources: list[str] = []
    actions: list[str] = []
    for child in scope.node.find_all():
        if not isinstance(child, iam.Policy):
            continue
        document = cdk.Stack.of(child).resolve(child.document.to_json())
        for statement in document.get("Statement", []):
            resources.extend(r for r in map(_render, _as_list(statement.get("Resource"))) if "*" in r)
            actions.extend(a for a in _as_list(statement.get("Action")) if "*" in a)
    return resources, actions


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
