"""A small JSON Schema (2020-12) checker with messages for people, driven by the published schemas.

It understands the keywords the project and workforce schemas use (:data:`SUPPORTED_KEYWORDS`) and
reports every failure as ``(field path, "got <value>; <what is allowed>")``. ``oneOf`` is read as a
choice between mappings told apart by their first required key (``data: {manifest: ...}`` or
``data: {objects: ...}``), which gives one clear message instead of one per alternative.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from groundtruth_cdk.project.yaml_source import FieldPath

#: Keywords that change what is valid; the checker implements each.
ASSERTION_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "minProperties",
        "oneOf",
    }
)
#: Keywords that only describe (for editors).
ANNOTATION_KEYWORDS = frozenset({"$schema", "$id", "title", "description", "default", "examples"})
SUPPORTED_KEYWORDS = ASSERTION_KEYWORDS | ANNOTATION_KEYWORDS

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value lines)",
    "null": "empty",
}

Failure = tuple[FieldPath, str]


class SchemaChecker:
    """Checks plain values (from YAML) against a schema dict.

    Args:
        pattern_messages: for each ``pattern`` of the schema, what it means in words (``"an S3 URI like
            s3://bucket/key"``). A pattern without one is shown as the regular expression.
    """

    def __init__(self, pattern_messages: Mapping[str, str]) -> None:
        self._pattern_messages = pattern_messages

    def check(self, value: Any, schema: Mapping[str, Any], path: FieldPath = ()) -> list[Failure]:
        """Every failure of ``value`` against ``schema``; a value of the wrong type is not looked into."""
        failures: list[Failure] = []
        types = schema.get("type")
        if types is not None:
            allowed = [types] if isinstance(types, str) else list(types)
            if not any(_has_type(value, t) for t in allowed):
                return [(path, _type_message(value, allowed))]
        if "enum" in schema and value not in schema["enum"]:
            choices = [str(choice) for choice in schema["enum"]]
            message = f"got {show(value)}; allowed: {', '.join(choices)}"
            if isinstance(value, str):
                message += did_you_mean(value, choices)
            return [(path, message)]
        if isinstance(value, str):
            failures += self._string(value, schema, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            failures += _number(value, schema, path)
        elif isinstance(value, list):
            failures += self._array(value, schema, path)
        elif isinstance(value, dict):
            failures += self._object(value, schema, path)
        if "oneOf" in schema and isinstance(value, dict):
            failures += self._one_of(value, schema["oneOf"], path)
        return failures

    def _string(self, value: str, schema: Mapping[str, Any], path: FieldPath) -> list[Failure]:
        low, high = schema.get("minLength"), schema.get("maxLength")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            if low == 1 and high is None:
                return [(path, f"got {show(value)}; must not be empty")]
            bound = f"{low or 0}-{high}" if high is not None else f"at least {low}"
            return [(path, f"got {show(value)}; must be {bound} characters long (is {len(value)})")]
        pattern = schema.get("pattern")
        if pattern is not None and not re.search(pattern, value):
            what = self._pattern_messages.get(pattern, f"must match the regular expression {pattern}")
            return [(path, f"got {show(value)}; {what}")]
        return []

    def _array(self, value: list[Any], schema: Mapping[str, Any], path: FieldPath) -> list[Failure]:
        failures: list[Failure] = []
        low, high = schema.get("minItems"), schema.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            bound = f"{low}..{high}" if low is not None and high is not None else f"at least {low}"
            if low is None:
                bound = f"at most {high}"
            failures.append((path, f"got {len(value)} item{'s' if len(value) != 1 else ''}; give {bound}"))
        items = schema.get("items")
        for index, item in enumerate(value):
            if items is not None:
                failures += self.check(item, items, (*path, index))
            if schema.get("uniqueItems") and item in value[:index]:
                failures.append(((*path, index), f"got {show(item)} again; each item may be given once"))
        return failures

    def _object(self, value: dict[str, Any], schema: Mapping[str, Any], path: FieldPath) -> list[Failure]:
        failures: list[Failure] = []
        properties: Mapping[str, Any] = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                failures.append(((*path, key), f"missing; required: {_summary(properties.get(key, {}))}"))
        low = schema.get("minProperties")
        if low is not None and len(value) < low:
            failures.append((path, f"got {len(value)} entries; give at least {low}"))
        names = schema.get("propertyNames")
        additional = schema.get("additionalProperties", True)
        for key, item in value.items():
            child = (*path, key)
            if names is not None:
                name_failures = self.check(key, names, child)
                if name_failures:
                    failures += name_failures
                    continue
            if key in properties:
                failures += self.check(item, properties[key], child)
            elif additional is False:
                allowed = sorted(properties)
                failures.append((child, f"unknown key; allowed keys: {', '.join(allowed)}{did_you_mean(key, allowed)}"))
            elif isinstance(additional, Mapping):
                failures += self.check(item, additional, child)
        return failures

    def _one_of(self, value: dict[str, Any], choices: Sequence[Mapping[str, Any]], path: FieldPath) -> list[Failure]:
        keys = [choice["required"][0] for choice in choices]
        given = [key for key in keys if key in value]
        options = ", ".join(f"{key} ({choice.get('title', key)})" for key, choice in zip(keys, choices, strict=True))
        if len(given) == 1:
            return self.check(value, choices[keys.index(given[0])], path)
        if not given:
            return [(path, f"got none of {', '.join(keys)}; give exactly one of: {options}")]
        return [(path, f"got {' and '.join(given)}; give exactly one of: {options}")]


def _number(value: float, schema: Mapping[str, Any], path: FieldPath) -> list[Failure]:
    low, high, above = schema.get("minimum"), schema.get("maximum"), schema.get("exclusiveMinimum")
    too_low = (low is not None and value < low) or (above is not None and value <= above)
    if not too_low and not (high is not None and value > high):
        return []
    if above is not None:
        bound = f"more than {above}" + (f" and at most {high}" if high is not None else "")
    elif low is not None and high is not None:
        bound = f"{low}..{high}"
    else:
        bound = f"at least {low}" if low is not None else f"at most {high}"
    return [(path, f"got {show(value)}; must be {bound}")]


def _has_type(value: Any, type_: str) -> bool:
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "array":
        return isinstance(value, list)
    if type_ == "object":
        return isinstance(value, dict)
    return type_ == "null" and value is None


def _type_message(value: Any, types: list[str]) -> str:
    message = f"got {describe(value)}; must be {' or '.join(_TYPE_NAMES[t] for t in types)}"
    if "string" in types and value is not None and not isinstance(value, (list, dict, str)):
        written = ("true" if value else "false") if isinstance(value, bool) else str(value)
        message += f": write it in quotes, '{written}'"
        if isinstance(value, float):
            message += (
                f" (unquoted, YAML reads {value!r} as a floating-point number, which cannot represent a decimal "
                "amount such as a price exactly)"
            )
        elif isinstance(value, bool):
            message += " (unquoted, YAML reads yes, no, on, off, true and false as booleans)"
    return message


def describe(value: Any) -> str:
    """``value`` with what kind of value it is, for type errors."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value!r} (a number)"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return show(value)


def show(value: Any) -> str:
    """``value`` as an error message shows it: strings quoted and shortened, booleans as YAML writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (list, dict)):
        return describe(value)
    return repr(value)


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a close choice, else ``""``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close and len(word) >= 3:
        close = [choice for choice in choices if choice.startswith(word) or word.startswith(choice)][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _summary(schema: Mapping[str, Any]) -> str:
    """The first sentence of a field's description."""
    text = str(schema.get("description", "see the schema")).split(". ")[0].rstrip(".")
    return text[:1].lower() + text[1:]
