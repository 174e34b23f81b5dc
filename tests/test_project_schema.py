"""The published JSON Schemas: generated from the code's schema dicts, valid draft 2020-12, and they accept
every example; the loader's own checker understands every keyword they use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from groundtruth_cdk.project.schema_check import SUPPORTED_KEYWORDS, SchemaChecker
from groundtruth_cdk.project.schemas import (
    PATTERN_MESSAGES,
    PROJECT_SCHEMA,
    PUBLISHED,
    SCHEMA_DIR,
    WORKFORCE_SCHEMA,
    schema_text,
    write_schemas,
)
from tests.project_builders import WORKFORCE, mturk_project, valid_project

ROOT = Path(__file__).resolve().parent.parent
CHECKER = SchemaChecker(PATTERN_MESSAGES)
EXAMPLES = sorted((ROOT / "projects").glob("*.yaml"))


def _schemas(schema: Any, keyword: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every sub-schema (and the keyword it sits under)."""
    if isinstance(schema, dict):
        yield keyword, schema
        for key, value in schema.items():
            if key in ("properties", "patternProperties", "$defs"):
                for child in value.values():
                    yield from _schemas(child, key)
            elif key in ("items", "additionalProperties", "propertyNames") and isinstance(value, dict):
                yield from _schemas(value, key)
            elif key == "oneOf":
                for child in value:
                    yield from _schemas(child, key)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_published_schema_is_the_generated_one(name: str) -> None:
    published = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert published == schema_text(PUBLISHED[name]), (
        f"groundtruth_cdk/schema/{name} is out of date: regenerate it with make schema"
    )


def test_write_schemas_writes_the_published_files(tmp_path: Path) -> None:
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(PUBLISHED)
    for path in written:
        assert path.read_text() == (SCHEMA_DIR / path.name).read_text()


@pytest.mark.parametrize("schema", [PROJECT_SCHEMA, WORKFORCE_SCHEMA], ids=["project", "workforce"])
def test_the_schemas_are_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("schema", [PROJECT_SCHEMA, WORKFORCE_SCHEMA], ids=["project", "workforce"])
def test_the_loader_understands_every_keyword(schema: dict[str, Any]) -> None:
    used = {key for _, sub in _schemas(schema) for key in sub}
    assert used <= SUPPORTED_KEYWORDS, f"the checker does not implement {sorted(used - SUPPORTED_KEYWORDS)}"


@pytest.mark.parametrize("schema", [PROJECT_SCHEMA, WORKFORCE_SCHEMA], ids=["project", "workforce"])
def test_every_pattern_is_explained_and_compiles(schema: dict[str, Any]) -> None:
    for _, sub in _schemas(schema):
        if "pattern" in sub:
            re.compile(sub["pattern"])
            assert sub["pattern"] in PATTERN_MESSAGES, sub["pattern"]


@pytest.mark.parametrize("schema", [PROJECT_SCHEMA, WORKFORCE_SCHEMA], ids=["project", "workforce"])
def test_every_choice_is_told_apart_by_its_first_required_key(schema: dict[str, Any]) -> None:
    for _, sub in _schemas(schema):
        if "oneOf" in sub:
            keys = [choice["required"][0] for choice in sub["oneOf"]]
            assert len(set(keys)) == len(keys)
            for choice in sub["oneOf"]:
                assert choice["additionalProperties"] is False
                others = set(keys) - {choice["required"][0]}
                assert not others & set(choice["properties"]), "a choice must not allow another's key"


def test_every_field_is_described() -> None:
    for keyword, sub in _schemas(PROJECT_SCHEMA):
        if keyword == "properties":
            assert sub.get("description"), sub


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates_against_the_published_schema(path: Path) -> None:
    schema = yaml.safe_load((SCHEMA_DIR / "project.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(path.read_text()))


def test_the_example_workforce_validates_against_the_published_schema() -> None:
    schema = yaml.safe_load((SCHEMA_DIR / "workforce.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(yaml.safe_load((ROOT / "workforce.yaml").read_text()))
    validator.validate(WORKFORCE)


@pytest.mark.parametrize(
    "document",
    [
        valid_project(titel="x"),
        valid_project(title=None),
        valid_project(task_type="image"),
        valid_project(
            workers={"team": "a", "vendor": "arn:aws:sagemaker:eu-west-1:111122223333:workteam/vendor-crowd/v"}
        ),
        valid_project(workers={}),
        valid_project(data={"data_type": "image", "manifest": "s3://bucket/key"}),
        valid_project(data={"manifest": "s3://bucket/key", "sample_percent": 5}),
        mturk_project(workers={"mechanical_turk": {"price_usd": 0.036}}),
        valid_project(task_time="5 min"),
        valid_project(labels=[1, 2]),
        valid_project(encryption="sse-kms"),
        valid_project(encryption={"kms_key_arn": "key/1234"}),
        valid_project(auto_labeling={"initial_model": "latest"}),
        valid_project(auto_labeling={"vpc": {"subnet_ids": ["subnet-0123456789abcdef0"]}}),
        valid_project(streaming={"output_topic": "topic"}),
        valid_project(notifications={"emails": ["not an address"]}),
        valid_project(data={"previous_project": "Other.yaml"}),
        valid_project(data={"previous_job": {}}),
    ],
)
def test_what_the_loader_rejects_the_published_schema_rejects_too(document: dict[str, Any]) -> None:
    assert CHECKER.check(document, PROJECT_SCHEMA)
    assert not jsonschema.Draft202012Validator(PROJECT_SCHEMA).is_valid(document)


@pytest.mark.parametrize(
    "document",
    [
        valid_project(),
        mturk_project(),
        valid_project(
            data=None,
            encryption="kms",
            streaming={"s3_events": True, "output_topic": True},
            notifications={"emails": ["ana@example.com"]},
        ),
        valid_project(
            task_type="image-bounding-box-verification",
            labels=None,
            data={"previous_project": "other"},
            encryption={"kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab"},
            auto_labeling={
                "initial_model": "previous",
                "volume_kms_key_arn": "project",
                "vpc": {"subnet_ids": ["subnet-0123456789abcdef0"], "security_group_ids": ["sg-0123456789abcdef0"]},
            },
        ),
    ],
    ids=["team", "mechanical-turk", "streaming", "chained"],
)
def test_what_the_loader_accepts_the_published_schema_accepts_too(document: dict[str, Any]) -> None:
    assert CHECKER.check(document, PROJECT_SCHEMA) == []
    jsonschema.Draft202012Validator(PROJECT_SCHEMA).validate(document)
