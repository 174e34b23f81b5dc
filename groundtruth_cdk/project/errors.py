"""What the project loader reports: one :class:`Problem` per error, all of them in one :class:`ProjectError`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    """One error in a project (or workforce) file: where it is, which field, and what is wrong.

    ``str()`` gives ``<file>:<line>: <field>: <message>``, the form editors and terminals link to.
    """

    file: str
    #: 1-based line of the field's key (or of the list item); the nearest enclosing key when the field is missing.
    line: int
    #: Dotted path of the field in the file, e.g. ``workers.mechanical_turk.price_usd`` or ``labels[2]``.
    field: str
    #: ``got <value>; <what is allowed>``.
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ProjectError(ValueError):
    """Every problem found in one or more project files; ``str()`` is one line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        #: The problems, ordered by file and line.
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__("\n".join(str(problem) for problem in self.problems))
