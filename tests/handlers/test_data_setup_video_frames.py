"""Data setup of video frames: one sequence file per sub-folder of frame images, one manifest line each."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from groundtruth_cdk.handlers.labeling_job import data_setup

from .builders import ARTIFACTS_BUCKET, SETUP_FOLDER, manifest_lines, prefix_setup, put_objects, read_text

Build = Callable[..., data_setup.Outcome]

SEQUENCES = f"s3://{ARTIFACTS_BUCKET}/{SETUP_FOLDER}sequences/"


def _frames_setup(**fields: Any) -> str:
    return prefix_setup(DataType="video-frames", Prefix="videos/", **fields)


def _sequence(s3: Any, number: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read_text(s3, f"{SEQUENCES}{number}.json"))
    return document


def test_each_sub_folder_is_one_sequence_file_and_one_manifest_line(s3: Any, build: Build) -> None:
    put_objects(
        s3,
        [
            "videos/drive-b/0002.jpg",
            "videos/drive-b/0001.jpg",
            "videos/drive-a/cam/0010.PNG",
            "videos/drive-a/0001.jpeg",
            "videos/drive-a/0002.jpg",
            "videos/drive-a/",
            "videos/drive-b/",
        ],
    )

    outcome = build(_frames_setup())

    assert manifest_lines(s3) == [{"source-ref": f"{SEQUENCES}1.json"}, {"source-ref": f"{SEQUENCES}2.json"}]
    assert _sequence(s3, 1) == {
        "seq-no": 1,
        "prefix": "s3://data-bucket/videos/drive-a/",
        "number-of-frames": 3,
        "frames": [
            {"frame-no": 1, "frame": "0001.jpeg"},
            {"frame-no": 2, "frame": "0002.jpg"},
            {"frame-no": 3, "frame": "cam/0010.PNG"},
        ],
    }
    assert _sequence(s3, 2) == {
        "seq-no": 2,
        "prefix": "s3://data-bucket/videos/drive-b/",
        "number-of-frames": 2,
        "frames": [{"frame-no": 1, "frame": "0001.jpg"}, {"frame-no": 2, "frame": "0002.jpg"}],
    }
    assert (outcome.object_count, outcome.skipped_count) == (2, 0)
    head = s3.head_object(Bucket=ARTIFACTS_BUCKET, Key=f"{SETUP_FOLDER}sequences/1.json")
    assert head["ContentType"] == "application/json"


def test_frames_follow_their_numbers_padded_or_not(s3: Any, build: Build) -> None:
    frames = ["frame1.jpg", "frame10.jpg", "frame11.jpg", "frame2.jpg"]
    put_objects(s3, [f"videos/clip/{frame}" for frame in reversed(frames)])

    build(_frames_setup())

    expected = ["frame1.jpg", "frame2.jpg", "frame10.jpg", "frame11.jpg"]
    assert [frame["frame"] for frame in _sequence(s3, 1)["frames"]] == expected


def test_unicode_and_spaces_in_folder_names(s3: Any, build: Build) -> None:
    put_objects(s3, ["videos/caf\u00e9 run/frame 1.jpg"])

    build(_frames_setup())

    assert _sequence(s3, 1)["prefix"] == "s3://data-bucket/videos/caf\u00e9 run/"
    assert _sequence(s3, 1)["frames"] == [{"frame-no": 1, "frame": "frame 1.jpg"}]


def test_images_directly_under_the_prefix_and_other_files_are_mismatches(
    s3: Any, build: Build, no_uploads_left: None
) -> None:
    put_objects(s3, ["videos/loose.jpg", "videos/clip/0001.jpg", "videos/clip/notes.txt"])

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(_frames_setup())

    assert "2 of the objects under s3://data-bucket/videos/ are not video frame images" in str(raised.value)
    assert "Examples: 'clip/notes.txt', 'loose.jpg'" in str(raised.value)


def test_mismatches_are_skipped_in_skip_mode(s3: Any, build: Build) -> None:
    put_objects(s3, ["videos/loose.jpg", "videos/clip/0001.jpg", "videos/clip/notes.txt"])

    outcome = build(_frames_setup(OnMismatch="skip"))

    assert _sequence(s3, 1)["frames"] == [{"frame-no": 1, "frame": "0001.jpg"}]
    assert (outcome.object_count, outcome.skipped_count) == (1, 2)


def test_filters_select_frames(s3: Any, build: Build) -> None:
    put_objects(s3, ["videos/a/1.jpg", "videos/a/2.jpg", "videos/a/thumb.jpg", "videos/b/1.jpg"])

    build(_frames_setup(Include=["a/*"], Exclude=["*/thumb.jpg"]))

    assert manifest_lines(s3) == [{"source-ref": f"{SEQUENCES}1.json"}]
    assert _sequence(s3, 1)["frames"] == [{"frame-no": 1, "frame": "1.jpg"}, {"frame-no": 2, "frame": "2.jpg"}]


def test_sequences_are_sampled_whole(s3: Any, build: Build) -> None:
    put_objects(s3, [f"videos/clip-{clip:02d}/{frame}.jpg" for clip in range(30) for frame in range(3)])

    first = build(_frames_setup(SamplePercent=50, Seed="s"))
    kept = [_sequence(s3, number)["prefix"] for number in range(1, first.object_count + 1)]
    again = build(_frames_setup(SamplePercent=50, Seed="s"))

    assert again.object_count == first.object_count
    assert 5 <= len(kept) <= 25
    assert all(_sequence(s3, number)["number-of-frames"] == 3 for number in range(1, len(kept) + 1))
    assert [_sequence(s3, number)["prefix"] for number in range(1, again.object_count + 1)] == kept


def test_too_many_frames_in_a_sequence_is_an_error(s3: Any, build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_setup, "MAX_FRAMES_PER_SEQUENCE", 3)
    put_objects(s3, [f"videos/long/{frame}.jpg" for frame in range(4)])

    with pytest.raises(data_setup.DataSetupError, match=re.escape("s3://data-bucket/videos/long/ has more than 3")):
        build(_frames_setup())


def test_the_limits_count_sequences(s3: Any, build: Build) -> None:
    put_objects(s3, [f"videos/clip-{clip}/0.jpg" for clip in range(4)])

    with pytest.raises(data_setup.DataSetupError, match="More than 3 video frame sequences selected"):
        build(_frames_setup(MaxObjects=3))
    with pytest.raises(data_setup.DataSetupError, match="Only 4 video frame sequences selected"):
        build(_frames_setup(MinObjects=5))


def test_no_sequence_is_an_error(s3: Any, build: Build) -> None:
    put_objects(s3, ["videos/clip/"])

    with pytest.raises(
        data_setup.DataSetupError, match="No video frame sequences selected from s3://data-bucket/videos/"
    ):
        build(_frames_setup())
