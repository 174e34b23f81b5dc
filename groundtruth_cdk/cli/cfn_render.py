"""CloudFormation values as a reader sees them: every intrinsic function resolved or shown as a placeholder.

What CloudFormation knows only when it creates a resource becomes ``<deploy-time: <kind> <construct path>>``
(``<deploy-time: bucket Data/InputBucket>``, ``<deploy-time: role Job/Role.Arn>``); what the deploying
account decides becomes ``<AWS::AccountId>``; the region, the partition and the region mappings resolve
to literal values for the region of the plan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: A short name for the resource types a project stack creates.
RESOURCE_KINDS = {
    "AWS::S3::Bucket": "bucket",
    "AWS::S3::BucketPolicy": "bucket policy",
    "AWS::IAM::Role": "role",
    "AWS::IAM::Policy": "policy",
    "AWS::IAM::ManagedPolicy": "managed policy",
    "AWS::Lambda::Function": "function",
    "AWS::Logs::LogGroup": "log group",
    "AWS::StepFunctions::StateMachine": "state machine",
    "AWS::KMS::Key": "key",
    "AWS::SNS::Topic": "topic",
    "AWS::SSM::Parameter": "parameter",
    "Custom::LabelingJob": "labeling job",
}

#: Removed from lists and objects (``{"Ref": "AWS::NoValue"}``).
_NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def partition_of(region: str) -> str:
    """The AWS partition of ``region``."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def short_path(path: str, stack_name: str) -> str:
    """A construct path without the stack and the ``/Resource`` and ``/Default`` leaves L2 constructs add."""
    relative = path.removeprefix(f"{stack_name}/")
    parts = relative.split("/")
    while len(parts) > 1 and parts[-1] in ("Resource", "Default"):
        parts.pop()
    return "/".join(parts)


@dataclass
class TemplateRenderer:
    """Renders values of one synthesized template for a deploy to ``region``.

    Args:
        template: the synthesized template.
        paths: logical id → short construct path (see :func:`short_path`).
        region: the region the stack deploys to.
        account: the account, when the project names it.
        stack_name: the stack's name.
    """

    template: Mapping[str, Any]
    paths: Mapping[str, str]
    region: str
    account: str | None
    stack_name: str
    _pseudo: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        """Resolve the pseudo parameters for the region and account."""
        partition = partition_of(self.region)
        self._pseudo = {
            "AWS::Region": self.region,
            "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
            "AWS::AccountId": self.account or "<AWS::AccountId>",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": "<AWS::StackId>",
            "AWS::NotificationARNs": "<AWS::NotificationARNs>",
        }

    def render(self, value: Any) -> Any:
        """``value`` with every intrinsic function resolved or replaced by a placeholder string."""
        rendered = self._render(value)
        return None if rendered is _NO_VALUE else rendered

    def text(self, value: Any) -> str:
        """``value`` rendered as one string (lists joined with ``, ``, objects as JSON)."""
        rendered = self.render(value)
        if isinstance(rendered, str):
            return rendered
        if isinstance(rendered, list):
            return ", ".join(self.text(item) for item in rendered)
        return json.dumps(rendered, ensure_ascii=False)

    def resource(self, logical_id: str) -> Mapping[str, Any]:
        """The template's resource ``logical_id`` (empty when there is none)."""
        resources: Mapping[str, Any] = self.template.get("Resources", {})
        found: Mapping[str, Any] = resources.get(logical_id, {})
        return found

    def describe(self, logical_id: str) -> str:
        """``<kind> <construct path>`` of a resource, e.g. ``bucket Data/InputBucket``."""
        kind_of = self.resource(logical_id).get("Type", "resource")
        kind = RESOURCE_KINDS.get(kind_of, kind_of)
        return f"{kind} {self.paths.get(logical_id, logical_id)}"

    # -- intrinsic functions -----------------------------------------------------------------------

    def _render(self, value: Any) -> Any:
        """``value`` rendered; ``_NO_VALUE`` for ``AWS::NoValue``."""
        if isinstance(value, list):
            return [item for item in (self._render(v) for v in value) if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Fn::GetAtt":
                return self._get_att(argument)
            if key == "Fn::Join":
                return self._join(argument)
            if key == "Fn::FindInMap":
                return self._find_in_map(argument)
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::Select":
                return self._select(argument)
            if key == "Fn::Split":
                return self._split(argument)
            if key.startswith("Fn::"):
                shown = json.dumps(self._render(argument), ensure_ascii=False)
                return f"<deploy-time: {key} {shown}>"
        rendered = {k: self._render(v) for k, v in value.items()}
        return {k: v for k, v in rendered.items() if v is not _NO_VALUE}

    def _ref(self, name: Any) -> Any:
        """``Ref``: a pseudo parameter, a template parameter or a resource."""
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        parameter = self.template.get("Parameters", {}).get(name)
        if parameter is not None:
            if str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                return f"<deploy-time: SSM parameter {parameter.get('Default', name)}>"
            return f"<parameter {name}>"
        return f"<deploy-time: {self.describe(str(name))}>"

    def _get_att(self, argument: Any) -> str:
        """``Fn::GetAtt``: an attribute of a resource, known at deploy."""
        if isinstance(argument, str):
            logical_id, _, attribute = argument.partition(".")
        else:
            logical_id, attribute = str(argument[0]), self._as_text(self._render(argument[1]))
        return f"<deploy-time: {self.describe(logical_id)}.{attribute}>"

    def _join(self, argument: Any) -> str:
        """``Fn::Join``."""
        delimiter, parts = argument
        return str(delimiter).join(self._as_text(self._render(part)) for part in self._render(parts))

    def _find_in_map(self, argument: Any) -> Any:
        """``Fn::FindInMap``, from the template's mappings."""
        name, top, second = (self._render(part) for part in argument)
        try:
            return self.template["Mappings"][name][top][second]
        except (KeyError, TypeError):
            return f"<deploy-time: Mappings {name}[{top}][{second}]: not found>"

    def _sub(self, argument: Any) -> str:
        """``Fn::Sub``, with its own variables or references."""
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def replace(match: re.Match[str]) -> str:
            """One ``${name}`` of the string."""
            name = match.group(1)
            if name in variables:
                return self._as_text(self._render(variables[name]))
            if "." in name:
                return self._get_att(name)
            return self._as_text(self._ref(name))

        return _SUB_VARIABLE.sub(replace, str(text))

    def _select(self, argument: Any) -> Any:
        """``Fn::Select`` of a known list, else a placeholder."""
        index, items = self._render(argument[0]), self._render(argument[1])
        if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
            return items[int(index)]
        return f"<deploy-time: Fn::Select {self._as_text(index)} of {self._as_text(items)}>"

    def _split(self, argument: Any) -> Any:
        """``Fn::Split`` of a known string, else a placeholder."""
        delimiter, source = argument[0], self._render(argument[1])
        if isinstance(source, str) and "<" not in source:
            return source.split(delimiter)
        return f"<deploy-time: Fn::Split {json.dumps(delimiter)} of {self._as_text(source)}>"

    @staticmethod
    def _as_text(value: Any) -> str:
        """A rendered value inside a string."""
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)
