"""Data setup from an S3 prefix: images and video clips, mismatches, filters, sampling, limits, region."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends

from groundtruth_cdk.handlers.labeling_job import data_setup

from .builders import (
    ARTIFACTS_BUCKET,
    DATA_BUCKET,
    SETUP_FOLDER,
    SETUP_MANIFEST_URI,
    manifest_lines,
    prefix_setup,
    put_objects,
    source_refs,
)

Build = Callable[..., data_setup.Outcome]


def _fill(keys: list[str], bucket: str = DATA_BUCKET) -> None:
    """Put many (empty) objects straight into moto's backend: much faster than one PutObject each."""
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key in keys:
        backend.put_object(bucket, key, b"")


def _artifact_keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET).get("Contents", [])]


def _sampled(s3: Any, build: Build, **fields: Any) -> set[str]:
    build(prefix_setup(**fields))
    return {line["source-ref"] for line in manifest_lines(s3)}


# --------------------------------------------------------------------------------------------------
# Data types
# --------------------------------------------------------------------------------------------------


def test_images_become_one_source_ref_line_each_in_key_order(s3: Any, build: Build) -> None:
    images = ["data/b.png", "data/a.jpg", "data/C.JPEG", "data/d.Jpg"]
    put_objects(s3, images)

    outcome = build(prefix_setup())

    assert manifest_lines(s3) == source_refs(images)
    assert outcome == data_setup.Outcome(manifest_uri=SETUP_MANIFEST_URI, object_count=4, skipped_count=0, notes=())
    head = s3.head_object(Bucket=ARTIFACTS_BUCKET, Key=f"{SETUP_FOLDER}input.manifest")
    assert head["ContentType"] == "application/jsonl"


def test_video_clips_become_one_source_ref_line_each(s3: Any, build: Build) -> None:
    clips = ["data/a.mp4", "data/b.WEBM", "data/c.ogg"]
    put_objects(s3, clips)

    outcome = build(prefix_setup(DataType="video-clip"))

    assert manifest_lines(s3) == source_refs(clips)
    assert outcome.object_count == 3


def test_the_manifest_is_compact_json_lines(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.jpg", 'data/quote".jpg'])

    build(prefix_setup())

    body = s3.get_object(Bucket=ARTIFACTS_BUCKET, Key=f"{SETUP_FOLDER}input.manifest")["Body"].read().decode()
    assert body == '{"source-ref":"s3://data-bucket/data/a.jpg"}\n{"source-ref":"s3://data-bucket/data/quote\\".jpg"}\n'


def test_nested_folders_count_and_folder_placeholders_are_ignored(s3: Any, build: Build) -> None:
    images = ["data/a.jpg", "data/x/b.jpg", "data/x/y/z/c.png"]
    put_objects(s3, [*images, "data/", "data/x/", "data/x/y/"])

    outcome = build(prefix_setup())

    assert manifest_lines(s3) == source_refs(images)
    assert outcome.skipped_count == 0


def test_unicode_and_spaces_in_keys_are_kept_as_they_are(s3: Any, build: Build) -> None:
    images = ["data/café ☕/photo 1.jpg", "data/日本/画像 (2).png", "data/a+b%20c&d.jpg"]
    put_objects(s3, images)

    build(prefix_setup())

    assert manifest_lines(s3) == source_refs(images)


def test_an_empty_prefix_lists_the_whole_bucket(s3: Any, build: Build) -> None:
    images = ["a.jpg", "data/b.jpg", "other/c.png"]
    put_objects(s3, images)

    build(prefix_setup(Prefix=""))

    assert manifest_lines(s3) == source_refs(images)


def test_a_prefix_without_a_trailing_slash_is_a_folder(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.jpg", "database/b.jpg"])

    build(prefix_setup(Prefix="data"))

    assert manifest_lines(s3) == source_refs(["data/a.jpg"])


# --------------------------------------------------------------------------------------------------
# Mismatches
# --------------------------------------------------------------------------------------------------

MIXED_IMAGES = ["data/img-1.jpg", "data/img-2.png", "data/img-3.jpeg"]
MIXED_OTHERS = [f"data/doc-{index:02d}.txt" for index in range(11)] + ["data/noext"]


def test_mixed_types_fail_with_counts_examples_and_advice(s3: Any, build: Build, no_uploads_left: None) -> None:
    put_objects(s3, MIXED_IMAGES + MIXED_OTHERS)

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(prefix_setup())

    message = str(raised.value)
    assert "12 of the objects under s3://data-bucket/data/ are not images (.jpg, .jpeg, .png)" in message
    assert "listed 15, 15 passed the filters, 3 matched" in message
    examples = re.findall(r"'(doc-\d\d\.txt|noext)'", message)
    assert len(examples) == 10
    assert examples == [key.removeprefix("data/") for key in MIXED_OTHERS[:10]]
    for advice in ("data type", "prefix", "include/exclude", 'on_mismatch="skip"'):
        assert advice in message
    assert _artifact_keys(s3) == []


def test_mixed_types_in_skip_mode_leave_the_others_out_and_count_them(s3: Any, build: Build) -> None:
    put_objects(s3, MIXED_IMAGES + MIXED_OTHERS)

    outcome = build(prefix_setup(OnMismatch="skip"))

    assert manifest_lines(s3) == source_refs(MIXED_IMAGES)
    assert (outcome.object_count, outcome.skipped_count) == (3, 12)
    assert outcome.notes == ("skipped 12 objects that are not images (.jpg, .jpeg, .png)",)


def test_long_example_keys_are_shortened(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/" + "x" * 500 + ".gif"])

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(prefix_setup())

    assert len(str(raised.value)) < 800
    assert "xxx...xxx" in str(raised.value)


# --------------------------------------------------------------------------------------------------
# Empty selections
# --------------------------------------------------------------------------------------------------


def test_an_empty_prefix_is_an_error_naming_the_location(s3: Any, build: Build, no_uploads_left: None) -> None:
    put_objects(s3, ["elsewhere/a.jpg"])

    with pytest.raises(data_setup.DataSetupError, match=r"No data objects selected from s3://data-bucket/data/"):
        build(prefix_setup())

    assert _artifact_keys(s3) == []


def test_a_selection_emptied_by_the_filters_is_an_error_naming_them(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.jpg", "data/b.jpg"])

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(prefix_setup(Include=["cars/*"], Exclude=["*.png"], KeyPattern="^2024"))

    message = str(raised.value)
    assert "s3://data-bucket/data/" in message
    assert "include=['cars/*'], exclude=['*.png'], key_pattern='^2024'" in message
    assert "listed 2, 0 passed the filters" in message


def test_a_selection_emptied_by_skipping_is_an_error(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.txt"])

    with pytest.raises(data_setup.DataSetupError, match=r"No data objects selected .* 1 skipped"):
        build(prefix_setup(OnMismatch="skip"))


# --------------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------------

FILTERED = [
    "data/cars/front/1.jpg",
    "data/cars/rear/2.jpg",
    "data/cars/rear/3.png",
    "data/bikes/4.jpg",
    "data/cars/notes.txt",
    "data/Cars/5.jpg",
]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"Include": ["cars/*"], "Exclude": ["*.txt"]},
            ["data/cars/front/1.jpg", "data/cars/rear/2.jpg", "data/cars/rear/3.png"],
        ),
        ({"Include": ["cars/*.jpg", "bikes/*"]}, ["data/cars/front/1.jpg", "data/cars/rear/2.jpg", "data/bikes/4.jpg"]),
        ({"Exclude": ["*.txt", "cars/rear/*"]}, ["data/cars/front/1.jpg", "data/bikes/4.jpg", "data/Cars/5.jpg"]),
        ({"Include": ["cars/*"], "Exclude": ["*.png", "*.txt"]}, ["data/cars/front/1.jpg", "data/cars/rear/2.jpg"]),
        ({"KeyPattern": r"^cars/\w+/\d\.jpg$"}, ["data/cars/front/1.jpg", "data/cars/rear/2.jpg"]),
        ({"KeyPattern": r"^(bikes|Cars)/"}, ["data/bikes/4.jpg", "data/Cars/5.jpg"]),
        ({"Include": ["?ars/*"], "KeyPattern": "front|5", "Exclude": []}, ["data/cars/front/1.jpg", "data/Cars/5.jpg"]),
    ],
)
def test_filters_apply_to_the_key_relative_to_the_prefix(
    s3: Any, build: Build, fields: dict[str, Any], expected: list[str]
) -> None:
    put_objects(s3, FILTERED)

    outcome = build(prefix_setup(**fields))

    assert manifest_lines(s3) == source_refs(expected)
    assert outcome.skipped_count == 0  # filtered-out objects are not mismatches


def test_globs_are_case_sensitive(s3: Any, build: Build) -> None:
    put_objects(s3, FILTERED)

    build(prefix_setup(Include=["Cars/*"]))

    assert manifest_lines(s3) == source_refs(["data/Cars/5.jpg"])


# --------------------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------------------

SAMPLED = [f"data/set-{index % 7}/img-{index:05d}.jpg" for index in range(1000)]


def test_sampling_is_reproducible_and_depends_on_the_seed(s3: Any, build: Build) -> None:
    _fill(SAMPLED)

    first = _sampled(s3, build, SamplePercent=10, Seed="alpha")
    again = _sampled(s3, build, SamplePercent=10, Seed="alpha")
    other = _sampled(s3, build, SamplePercent=10, Seed="beta")

    assert first == again
    assert first != other
    assert 70 <= len(first) <= 130  # 10% of 1,000
    assert 70 <= len(other) <= 130


def test_an_objects_selection_does_not_depend_on_what_else_is_listed(s3: Any, build: Build) -> None:
    _fill(SAMPLED)

    everything = _sampled(s3, build, SamplePercent=30, Seed="s")
    subset = _sampled(s3, build, SamplePercent=30, Seed="s", Include=["set-3/*"])

    assert subset == {uri for uri in everything if "/set-3/" in uri}
    assert subset


def test_a_sample_of_everything_is_everything(s3: Any, build: Build) -> None:
    put_objects(s3, SAMPLED[:20])

    assert len(_sampled(s3, build, SamplePercent=100, Seed="x")) == 20


@pytest.mark.parametrize("percent", [1, 10, 50, 99.5])
def test_the_sample_proportion_is_close_to_the_percentage(percent: float) -> None:
    sampler = data_setup._Sampler(percent, "seed")

    kept = sum(sampler.keeps(f"data/img-{index:06d}.jpg") for index in range(100_000))

    assert abs(kept / 100_000 - percent / 100) < 0.005


# --------------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------------


def test_more_objects_than_the_limit_stop_the_listing(
    s3: Any, build: Build, monkeypatch: pytest.MonkeyPatch, no_uploads_left: None
) -> None:
    put_objects(s3, [f"data/{index:03d}.jpg" for index in range(60)])
    monkeypatch.setattr(data_setup, "LIST_PAGE_SIZE", 5)
    calls = _count_calls(monkeypatch, s3, "list_objects_v2")

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(prefix_setup(MaxObjects=12))

    assert "More than 12 data objects selected from s3://data-bucket/data/" in str(raised.value)
    assert "sample_percent" in str(raised.value)
    assert len(calls) == 3  # 15 keys listed of 60: the rest never is
    assert _artifact_keys(s3) == []


def test_exactly_the_limit_is_fine(s3: Any, build: Build) -> None:
    put_objects(s3, [f"data/{index}.jpg" for index in range(5)])

    assert build(prefix_setup(MaxObjects="5")).object_count == 5


def test_fewer_objects_than_auto_labeling_needs_is_an_error(s3: Any, build: Build, no_uploads_left: None) -> None:
    put_objects(s3, [f"data/{index}.jpg" for index in range(3)])

    with pytest.raises(data_setup.DataSetupError, match=r"Only 3 data objects .* auto-labeling needs at least 4"):
        build(prefix_setup(MinObjects=4))

    assert _artifact_keys(s3) == []


def test_fewer_objects_than_recommended_is_a_warning(s3: Any, build: Build) -> None:
    put_objects(s3, [f"data/{index}.jpg" for index in range(3)])

    outcome = build(prefix_setup(MinObjects=3, RecommendedObjects=5000))

    assert outcome.object_count == 3
    assert outcome.notes == ("only 3 data objects: auto-labeling works best with at least 5,000",)


# --------------------------------------------------------------------------------------------------
# Region and retries
# --------------------------------------------------------------------------------------------------


def test_a_data_bucket_in_another_region_is_an_error(s3: Any, build: Build) -> None:
    s3.create_bucket(Bucket="eu-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    put_objects(s3, ["data/a.jpg"], bucket="eu-data")

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(prefix_setup(Bucket="eu-data"))

    assert str(raised.value).startswith(
        "The data bucket eu-data is in eu-west-1 but the labeling job is in us-east-1: Ground Truth reads input "
        "data only from its own region."
    )


def test_a_us_east_1_bucket_has_no_location_constraint(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.jpg"])

    with pytest.raises(data_setup.DataSetupError, match="is in us-east-1 but the labeling job is in eu-west-1"):
        build(prefix_setup(), region="eu-west-1")
    assert build(prefix_setup(), region="us-east-1").object_count == 1


def test_a_missing_data_bucket_is_an_error_naming_it(s3: Any, build: Build) -> None:
    with pytest.raises(data_setup.DataSetupError, match="GetBucketLocation nowhere failed: the bucket does not exist"):
        build(prefix_setup(Bucket="nowhere"))


def test_slow_down_is_retried(s3: Any, build: Build, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    put_objects(s3, ["data/a.jpg"])
    real = s3.list_objects_v2
    failures = [ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "List")]

    def flaky(**kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(**kwargs)

    monkeypatch.setattr(s3, "list_objects_v2", flaky)

    assert build(prefix_setup()).object_count == 1
    assert len(sleeps) == 1


def _count_calls(monkeypatch: pytest.MonkeyPatch, client: Any, operation: str) -> list[dict[str, Any]]:
    """Record the keyword arguments of every call of ``client.<operation>`` (still calling it)."""
    calls: list[dict[str, Any]] = []
    real = getattr(client, operation)

    def recording(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(client, operation, recording)
    return calls


# --------------------------------------------------------------------------------------------------
# The property itself
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Source": "S3Prefix"}, "must be a JSON string"),
        ("{not json", "Property DataSetup is not valid JSON"),
        ("[]", "must be a JSON object"),
        (json.dumps({"Source": "Athena"}), "Source must be 'S3Prefix' or 'ManifestQuery', not 'Athena'"),
        (prefix_setup(DataType="audio"), "DataType must be one of"),
        (prefix_setup(DataType=None), "DataType must be one of"),
        (prefix_setup(Bucket=""), "Bucket must be a non-empty string"),
        (prefix_setup(OnMismatch="ignore"), "OnMismatch must be one of"),
        (prefix_setup(SamplePercent=0), "SamplePercent must be > 0 and <= 100"),
        (prefix_setup(SamplePercent=100.5), "SamplePercent must be > 0 and <= 100"),
        (prefix_setup(SamplePercent="ten"), "SamplePercent must be a number"),
        (prefix_setup(SamplePercent=True), "SamplePercent must be a number"),
        (prefix_setup(KeyPattern="("), "KeyPattern is not a valid regular expression"),
        (prefix_setup(Include="*.jpg"), "Include must be a list of non-empty strings"),
        (prefix_setup(TextColumn="text"), "TextColumn only applies to DataType 'text'"),
        (prefix_setup(MaxObjects=0), "MaxObjects must be an integer >= 1"),
        (prefix_setup(MinObjects=2.5), "MinObjects must be an integer >= 1"),
        (prefix_setup(RecommendedObjects=False), "RecommendedObjects must be an integer >= 1"),
        (prefix_setup(Sampling=10), "unknown fields ['Sampling']"),
    ],
)
def test_invalid_properties_are_rejected_with_the_field_name(value: Any, message: str) -> None:
    with pytest.raises(data_setup.DataSetupError, match=re.escape(message)):
        data_setup.parse_setup(value)


def test_numbers_may_arrive_as_strings() -> None:
    setup = data_setup.parse_setup(prefix_setup(SamplePercent="12.5", MaxObjects="20000", MinObjects=" 1250 "))

    assert isinstance(setup, data_setup.PrefixSource)
    assert setup.sample_percent == 12.5
    assert setup.limits == data_setup.Limits(max_objects=20000, min_objects=1250, recommended_objects=None)


def test_optional_fields_may_be_left_out(handler: ModuleType) -> None:
    setup = data_setup.parse_setup(json.dumps({"Source": "S3Prefix", "Bucket": "b", "DataType": "image"}))

    assert setup == data_setup.PrefixSource(bucket="b", prefix="", data_type="image")
    assert setup.limits.max_objects == 100_000
