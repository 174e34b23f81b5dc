"""Data setup from an existing manifest: keep the lines where every condition holds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from groundtruth_cdk.handlers.labeling_job import data_setup

from .builders import DATA_BUCKET, SETUP_MANIFEST_URI, manifest_lines, put_objects, query_setup, read_text

Build = Callable[..., data_setup.Outcome]

SOURCE = f"s3://{DATA_BUCKET}/manifests/all.manifest"
LINES: list[dict[str, Any]] = [
    {"source-ref": "s3://d/1.jpg", "split": "train", "metadata": {"camera": "front-left", "hour": 9, "night": False}},
    {"source-ref": "s3://d/2.jpg", "split": "test", "metadata": {"camera": "front-right", "hour": 22, "night": True}},
    {"source-ref": "s3://d/3.jpg", "split": "train", "metadata": {"camera": "rear", "hour": 9.0, "night": None}},
    {"source-ref": "s3://d/4.jpg", "split": "train*", "metadata": {"camera": "Front", "hour": 1, "night": 1}},
    {"source-ref": "s3://d/5.jpg", "metadata": "none", "note": "caf\u00e9"},
]


def _put_source(s3: Any, lines: list[str] | None = None) -> None:
    text = "\n".join(lines if lines is not None else [json.dumps(line, ensure_ascii=False) for line in LINES])
    put_objects(s3, ["manifests/all.manifest"], (text + "\n").encode())


def _kept(s3: Any) -> list[str]:
    return [line["source-ref"].removeprefix("s3://d/") for line in manifest_lines(s3)]


@pytest.mark.parametrize(
    ("where", "kept"),
    [
        ({"split": "train"}, ["1.jpg", "3.jpg"]),
        ({"split": "train*"}, ["1.jpg", "3.jpg", "4.jpg"]),
        ({"split": "train[*]"}, ["4.jpg"]),
        ({"metadata.camera": "front*"}, ["1.jpg", "2.jpg"]),
        ({"metadata.camera": "*"}, ["1.jpg", "2.jpg", "3.jpg", "4.jpg"]),
        ({"metadata.camera": "front-?ight"}, ["2.jpg"]),
        ({"metadata.hour": 9}, ["1.jpg", "3.jpg"]),
        ({"metadata.night": True}, ["2.jpg"]),
        ({"metadata.night": False}, ["1.jpg"]),
        ({"metadata.night": None}, ["3.jpg"]),
        ({"metadata.night": 1}, ["4.jpg"]),
        ({"metadata.hour": "9"}, []),
        ({"split": "train", "metadata.hour": 9, "metadata.camera": "front*"}, ["1.jpg"]),
        ({"metadata": {"camera": "rear", "hour": 9, "night": None}}, ["3.jpg"]),
        ({"note": "caf\u00e9"}, ["5.jpg"]),
        ({}, ["1.jpg", "2.jpg", "3.jpg", "4.jpg", "5.jpg"]),
    ],
)
def test_conditions(s3: Any, build: Build, where: dict[str, Any], kept: list[str]) -> None:
    _put_source(s3)

    if not kept:
        with pytest.raises(data_setup.DataSetupError, match="No data objects selected"):
            build(query_setup(SOURCE, where))
        return
    outcome = build(query_setup(SOURCE, where))

    assert _kept(s3) == kept
    assert (outcome.object_count, outcome.skipped_count, outcome.manifest_uri) == (len(kept), 0, SETUP_MANIFEST_URI)


def test_kept_lines_are_copied_verbatim(s3: Any, build: Build) -> None:
    lines = ['{"source": "a",  "k": "v"}', "", '  {"source":"b","k":"w"}\r', '{"source":"c","k":"v","x":[1, 2]}']
    _put_source(s3, lines)

    build(query_setup(SOURCE, {"k": "v"}))

    assert read_text(s3, SETUP_MANIFEST_URI) == '{"source": "a",  "k": "v"}\n{"source":"c","k":"v","x":[1, 2]}\n'


def test_a_line_that_is_not_json_is_an_error_naming_its_number(s3: Any, build: Build, no_uploads_left: None) -> None:
    _put_source(s3, ['{"source": "a"}', "", '{"source": "b"', '{"source": "c"}'])

    with pytest.raises(data_setup.DataSetupError, match=re.escape(f"Line 3 of {SOURCE} is not valid JSON")):
        build(query_setup(SOURCE, {}))


def test_a_line_that_is_not_an_object_is_an_error(s3: Any, build: Build) -> None:
    _put_source(s3, ['{"source": "a"}', '["source", "b"]'])

    with pytest.raises(data_setup.DataSetupError, match=re.escape(f"Line 2 of {SOURCE} is not a JSON object")):
        build(query_setup(SOURCE, {}))


def test_no_matching_line_is_an_error_naming_the_manifest_and_the_conditions(s3: Any, build: Build) -> None:
    _put_source(s3)

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(query_setup(SOURCE, {"split": "validation"}))

    assert str(raised.value).startswith(
        f'No data objects selected from {SOURCE} (where {{"split": "validation"}}): listed 5, 0 passed the filters'
    )


def test_a_byte_order_mark_is_ignored(s3: Any, build: Build) -> None:
    put_objects(s3, ["manifests/all.manifest"], '\ufeff{"source": "a"}\n'.encode())

    build(query_setup(SOURCE, {"source": "a"}))

    assert manifest_lines(s3) == [{"source": "a"}]


def test_limits(s3: Any, build: Build) -> None:
    _put_source(s3)

    with pytest.raises(data_setup.DataSetupError, match=re.escape(f"More than 2 data objects selected from {SOURCE}")):
        build(query_setup(SOURCE, {"split": "train*"}, MaxObjects=2))
    with pytest.raises(data_setup.DataSetupError, match="auto-labeling needs at least 4"):
        build(query_setup(SOURCE, {"split": "train*"}, MinObjects=4))
    outcome = build(query_setup(SOURCE, {"split": "train*"}, RecommendedObjects=10))
    assert outcome.notes == ("only 3 data objects: auto-labeling works best with at least 10",)


def test_a_missing_manifest_is_an_error(s3: Any, build: Build) -> None:
    with pytest.raises(data_setup.DataSetupError, match=re.escape(f"GetObject {SOURCE} failed: the object does not")):
        build(query_setup(SOURCE, {}))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (query_setup("s3://bucket-only", {}), "ManifestS3Uri must be s3://bucket/key"),
        (query_setup(SOURCE, ["split"]), "Where must be an object"),  # type: ignore[arg-type]
        (query_setup(SOURCE, {"metadata..camera": "x"}), "invalid field path 'metadata..camera'"),
        (query_setup(SOURCE, {}, Prefix="data/"), "unknown fields ['Prefix']"),
    ],
)
def test_invalid_queries_are_rejected(value: str, message: str) -> None:
    with pytest.raises(data_setup.DataSetupError, match=re.escape(message)):
        data_setup.parse_setup(value)
