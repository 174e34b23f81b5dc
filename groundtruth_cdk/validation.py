"""Synth-time rules shared by the constructs (and later the project files and the CLI).

Each construct collects every problem in a :class:`Problems` and raises one ``ValueError`` that lists
them all: the field, the value received and what is allowed. Values that are unresolved CDK tokens are
skipped: they are only known at deploy time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import aws_cdk as cdk

from groundtruth_cdk.task_types import RESERVED_LABEL_ATTRIBUTE_NAMES, RefSuffix, TaskTypeSpec

#: ``LabelingJobName`` (1-63) and ``LabelAttributeName`` (1-127) share this shape.
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
KEYWORD_PATTERN = re.compile(r"^[A-Za-z0-9]+( [A-Za-z0-9]+)*$")
#: ``TaskTitle``: XML 1.0 characters of the Basic Multilingual Plane.
TITLE_PATTERN = re.compile(r"^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]*$")
#: ``TaskDescription`` is ``.+``: one line (no line terminator in Java's sense).
LINE_BREAKS = frozenset("\n\r\u0085\u2028\u2029")
#: Tag keys and values: letters, separators, numbers and ``_.:/=+-@``.
TAG_PUNCTUATION = frozenset("_.:/=+-@")
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
#: The handler appends ``-<8 hex>`` to the prefix; a job name is at most 63 characters.
MAX_JOB_NAME_PREFIX = 54
MAX_LABEL_ATTRIBUTE_NAME = 127
MAX_TITLE = 128
MAX_DESCRIPTION = 255
MAX_KEYWORDS = 5
MAX_KEYWORD = 30
MAX_LABEL = 256
MAX_USER_TAGS = 48  # 50 per job, two are the handler's ownership tags
MIN_TASK_TIME_SECONDS = 30
MIN_AVAILABILITY_SECONDS = 60
MAX_CONCURRENT_TASKS = 5000
MAX_WORKERS_PER_OBJECT = 9


def is_token(value: Any) -> bool:
    """Whether ``value`` (a string, number or list) holds an unresolved CDK token."""
    return cdk.Token.is_unresolved(value)


class Problems:
    """Collects synth-time problems of one construct and raises them together."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: list[str] = []

    def add(self, field: str, value: Any, allowed: str) -> None:
        """Record that ``field`` got ``value`` where ``allowed`` describes what is accepted."""
        self._items.append(f"{field}: got {_show(value)}; {allowed}")

    def raise_if_any(self) -> None:
        """Raise one ``ValueError`` listing every recorded problem, if there is one."""
        if self._items:
            lines = "\n".join(f"  - {item}" for item in self._items)
            count = len(self._items)
            raise ValueError(f"{self._what}: {count} invalid value{'s' if count > 1 else ''}:\n{lines}")

    # -- rules -------------------------------------------------------------------------------------

    def check_name(self, field: str, value: str, *, max_length: int) -> None:
        """A job or label attribute name: ``[a-zA-Z0-9](-*[a-zA-Z0-9])*`` of 1..max_length characters."""
        if is_token(value):
            return
        if not 1 <= len(value) <= max_length or not NAME_PATTERN.match(value):
            self.add(
                field,
                value,
                f"must be 1-{max_length} letters, digits and hyphens, start and end with a letter or digit",
            )

    def check_range(self, field: str, value: int | None, low: int, high: int | None, unit: str = "") -> None:
        """An integer in ``low..high`` (``high`` None: no upper bound). ``None`` means unset: skipped."""
        if value is None or is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field, value, "must be an integer")
            return
        if value < low or (high is not None and value > high):
            bound = f"{low}..{high}" if high is not None else f">= {low}"
            self.add(field, value, f"must be {bound}{unit}")

    def check_length(self, field: str, value: str | None, low: int, high: int) -> None:
        """A string of ``low..high`` characters."""
        if value is None or is_token(value):
            return
        if not low <= len(value) <= high:
            self.add(field, _abbreviate(value), f"must be {low}-{high} characters long (is {len(value)})")

    def check_label_attribute_name(self, name: str, spec: TaskTypeSpec, *, reviewed: str | None = None) -> None:
        """The naming rules of ``LabelAttributeName`` for ``spec``'s task type."""
        field = "label_attribute_name"
        self.check_name(field, name, max_length=MAX_LABEL_ATTRIBUTE_NAME)
        if is_token(name):
            return
        if name in RESERVED_LABEL_ATTRIBUTE_NAMES:
            self.add(field, name, "'source' and 'source-ref' are reserved for the data object")
        if name.endswith("-metadata"):
            self.add(field, name, "must not end with '-metadata' (Ground Truth adds '<name>-metadata')")
        ends_ref = name.endswith("-ref")
        if spec.label_attribute_ref is RefSuffix.REQUIRED and not ends_ref:
            self.add(field, name, f"{spec.title} jobs need a name that ends with '-ref'")
        if spec.label_attribute_ref is RefSuffix.FORBIDDEN and ends_ref and name not in RESERVED_LABEL_ATTRIBUTE_NAMES:
            self.add(field, name, f"{spec.title} jobs need a name that does not end with '-ref'")
        if reviewed is not None and not is_token(reviewed) and reviewed == name:
            self.add(
                field,
                name,
                "a verification or adjustment job needs a different name than the job it reviews "
                "(reviewed_label_attribute_name)",
            )

    def check_labels(self, labels: Sequence[str], spec: TaskTypeSpec) -> None:
        """Label count for ``spec``'s task type, uniqueness, length."""
        count = len(labels)
        if count < spec.min_labels or (spec.max_labels is not None and count > spec.max_labels):
            bound = f"{spec.min_labels}..{spec.max_labels}" if spec.max_labels else f">= {spec.min_labels}"
            self.add("labels", f"{count} labels", f"{spec.title} jobs take {bound} labels")
        seen: set[str] = set()
        for label in labels:
            if is_token(label):
                continue
            if not 1 <= len(label) <= MAX_LABEL:
                self.add("labels", _abbreviate(label), f"each label must be 1-{MAX_LABEL} characters long")
            if label in seen:
                self.add("labels", label, "labels must be unique")
            seen.add(label)

    def check_title(self, value: str) -> None:
        """``TaskTitle``: 1-128 characters, none of them control characters or outside the BMP."""
        self.check_length("task_title", value, 1, MAX_TITLE)
        if not is_token(value) and not TITLE_PATTERN.match(value):
            self.add("task_title", value, "must not contain control characters or characters beyond U+FFFD")

    def check_description(self, value: str) -> None:
        """``TaskDescription``: 1-255 characters on one line."""
        self.check_length("task_description", value, 1, MAX_DESCRIPTION)
        if not is_token(value) and LINE_BREAKS.intersection(value):
            self.add("task_description", value, "must be a single line (no line breaks)")

    def check_tags(self, tags: Mapping[str, str]) -> None:
        """Job tags: at most 48; keys 1-128 and values 0-256 characters of letters, numbers, spaces, ``_.:/=+-@``."""
        if len(tags) > MAX_USER_TAGS:
            self.add("tags", f"{len(tags)} tags", f"at most {MAX_USER_TAGS} (the deploy adds 2 of its own)")
        for key, value in tags.items():
            if is_token(key) or is_token(value):
                continue
            if not 1 <= len(key) <= MAX_TAG_KEY or not _tag_text(key) or key.lower().startswith("aws:"):
                self.add(
                    "tags",
                    key,
                    f"a tag key is 1-{MAX_TAG_KEY} letters, numbers, spaces and _.:/=+-@, not starting with 'aws:'",
                )
            if len(value) > MAX_TAG_VALUE or not _tag_text(value):
                self.add(
                    f"tags[{key!r}]",
                    value,
                    f"a tag value is 0-{MAX_TAG_VALUE} letters, numbers, spaces and _.:/=+-@",
                )

    def check_keywords(self, keywords: Sequence[str]) -> None:
        """``TaskKeywords``: 1-5 items, each 1-30 characters of words separated by single spaces."""
        if not keywords:
            return
        if len(keywords) > MAX_KEYWORDS:
            self.add("task_keywords", list(keywords), f"at most {MAX_KEYWORDS} keywords")
        for keyword in keywords:
            if is_token(keyword):
                continue
            if not 1 <= len(keyword) <= MAX_KEYWORD or not KEYWORD_PATTERN.match(keyword):
                self.add(
                    "task_keywords",
                    keyword,
                    f"each keyword is 1-{MAX_KEYWORD} letters and digits, words separated by single spaces",
                )

    def check_price(self, price: Decimal, spec: TaskTypeSpec) -> None:
        """A Mechanical Turk price must be one of the task type's price points."""
        if price not in spec.mechanical_turk_prices:
            points = ", ".join(str(p) for p in spec.mechanical_turk_prices) or "none"
            self.add(
                "workforce.price_usd",
                str(price),
                f"Mechanical Turk price points for {spec.title} are (USD) {points}",
            )


def _tag_text(text: str) -> bool:
    return all(unicodedata.category(c)[0] in "LZN" or c in TAG_PUNCTUATION for c in text)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(_abbreviate(value))
    return repr(value)


def _abbreviate(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."
