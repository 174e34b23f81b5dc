"""A YAML file read into plain values, remembering the line of every key and list item.

PyYAML composes the document into nodes that carry their position; :func:`read_yaml` converts the
nodes itself so that each field path (``("workers", "mechanical_turk", "price_usd")``) maps to the
line where it is written. Duplicate keys, which PyYAML would silently accept, are errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from groundtruth_cdk.project.errors import Problem, ProjectError

#: A field's place in a document: mapping keys and list indices from the top.
FieldPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def format_path(path: Sequence[str | int]) -> str:
    """``("data", "objects", 3)`` → ``data.objects[3]``; keys with other characters are quoted."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or "(document)"


@dataclass
class YamlDocument:
    """The plain value of a YAML file and the line of each field in it."""

    file: str
    value: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of ``path``, or of its nearest enclosing field that is in the file (1 for none)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def has(self, path: FieldPath) -> bool:
        """Whether ``path`` is written in the file."""
        return path in self.lines

    def get(self, path: FieldPath) -> Any:
        """The value at ``path`` (``None`` when it is not there)."""
        value = self.value
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or part >= len(value):
                    return None
            elif not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    def problem(self, path: FieldPath, message: str) -> Problem:
        """A problem of the field at ``path``, at its line."""
        return Problem(self.file, self.line_of(path), format_path(path), message)


def read_yaml(path: Path | str) -> YamlDocument:
    """Read the YAML file at ``path``; raise :class:`ProjectError` when it cannot be read or parsed."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError([Problem(file, 1, "(file)", f"cannot be read: {error}")]) from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse ``text`` (the content of ``file``); a syntax error raises :class:`ProjectError` with its line."""
    loader = yaml.SafeLoader(text)
    document = YamlDocument(file, None)
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is not None:
            document.lines[()] = node.start_mark.line + 1
            document.value = _Converter(loader, document, problems).convert(node, ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = f"{error.problem or error.context}"
        if mark is not None:
            message += f" (column {mark.column + 1})"
        if error.problem and error.context and error.context_mark is not None and error.context_mark is not mark:
            message += f", {error.context} on line {error.context_mark.line + 1}"
        raise ProjectError([Problem(file, mark.line + 1 if mark else 1, "YAML syntax", message)]) from None
    except yaml.YAMLError as error:
        raise ProjectError([Problem(file, 1, "YAML syntax", str(error))]) from None
    finally:
        loader.dispose()
    if problems:
        raise ProjectError(problems)
    return document


class _Converter:
    def __init__(self, loader: yaml.SafeLoader, document: YamlDocument, problems: list[Problem]) -> None:
        self._loader = loader
        self._document = document
        self._problems = problems
        self._open: set[int] = set()

    def convert(self, node: yaml.Node, path: FieldPath) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self._loader.construct_object(node, deep=True)
        if id(node) in self._open:
            self._problems.append(self._document.problem(path, "an alias refers to itself; write the value out"))
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self._open.discard(id(node))

    def _sequence(self, node: yaml.SequenceNode, path: FieldPath) -> list[Any]:
        items = []
        for index, child in enumerate(node.value):
            self._document.lines[(*path, index)] = child.start_mark.line + 1
            items.append(self.convert(child, (*path, index)))
        return items

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        self._loader.flatten_mapping(node)  # applies '<<' merge keys
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self.convert(key_node, path) if isinstance(key_node, yaml.ScalarNode) else key_node
            if not isinstance(key, str):
                shown = repr(key) if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                self._problems.append(
                    yaml_problem(self._document.file, line, path, f"a key got {shown}; keys are text (quote it)")
                )
                continue
            child = (*path, key)
            if key in result:
                first = self._document.lines[child]
                self._problems.append(
                    yaml_problem(
                        self._document.file, line, child, f"duplicate key; it is already given on line {first}"
                    )
                )
                continue
            self._document.lines[child] = line
            result[key] = self.convert(value_node, child)
        return result


def yaml_problem(file: str, line: int, path: FieldPath, message: str) -> Problem:
    """A problem at an explicit line."""
    return Problem(file, line, format_path(path), message)
