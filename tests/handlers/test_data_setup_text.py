"""Data setup of text: one ``source`` line per non-empty line of .txt objects and per CSV record."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundtruth_cdk.handlers.labeling_job import data_setup

from .builders import manifest_lines, prefix_setup, put_objects

Build = Callable[..., data_setup.Outcome]


def _texts(s3: Any) -> list[str]:
    return [line["source"] for line in manifest_lines(s3)]


def _text_setup(**fields: Any) -> str:
    return prefix_setup(DataType="text", **fields)


# --------------------------------------------------------------------------------------------------
# .txt
# --------------------------------------------------------------------------------------------------


def test_each_non_empty_line_is_one_text(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.txt"], "first line\n\n   \nsecond, with a comma\r\n\tthird \u00e9\u2603\n\nlast".encode())

    outcome = build(_text_setup())

    assert _texts(s3) == ["first line", "second, with a comma", "\tthird \u00e9\u2603", "last"]
    assert outcome.object_count == 4


def test_texts_follow_the_key_order_then_the_line_order(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/b.txt"], b"b1\nb2\n")
    put_objects(s3, ["data/a.TXT"], b"a1\n")

    build(_text_setup())

    assert _texts(s3) == ["a1", "b1", "b2"]


def test_a_byte_order_mark_is_dropped(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.txt"], "\ufeffhello\nworld\n".encode())

    build(_text_setup())

    assert _texts(s3) == ["hello", "world"]


def test_objects_are_read_in_chunks(s3: Any, build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_setup, "READ_CHUNK_BYTES", 3)
    lines = ["caf\u00e9 \u2603 \U0001f600", "x" * 50, "\u65e5\u672c\u8a9e"]
    put_objects(s3, ["data/a.txt"], "\n".join(lines).encode())

    build(_text_setup())

    assert _texts(s3) == lines


@given(text=st.text(max_size=200), chunk_size=st.integers(min_value=1, max_value=17))
def test_split_lines_gives_back_the_text_line_by_line(text: str, chunk_size: int) -> None:
    data = text.encode("utf-8", "replace")
    chunks = [data[start : start + chunk_size] for start in range(0, len(data), chunk_size)]
    expected = data.decode("utf-8").removeprefix("\ufeff")

    lines = list(data_setup._split_lines(chunks))

    assert "".join(lines) == expected
    assert all(line.endswith("\n") for line in lines[:-1])
    assert all("\n" not in line[:-1] for line in lines)


def test_an_object_that_is_not_utf8_is_an_error(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/latin1.txt"], "caf\u00e9\n".encode("latin-1"))

    with pytest.raises(data_setup.DataSetupError, match=r"s3://data-bucket/data/latin1.txt is not UTF-8 text"):
        build(_text_setup())


# --------------------------------------------------------------------------------------------------
# Ground Truth's 20,000-character limit
# --------------------------------------------------------------------------------------------------

LIMIT = 20_000


def test_a_text_over_the_limit_fails_naming_the_object_the_line_and_the_length(
    s3: Any, build: Build, no_uploads_left: None
) -> None:
    put_objects(s3, ["data/long.txt"], f"ok\n\n{'x' * (LIMIT + 1)}\n".encode())

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(_text_setup())

    assert str(raised.value).startswith(
        "s3://data-bucket/data/long.txt line 3 is 20,001 characters long: Ground Truth accepts at most 20,000"
    )
    assert 'on_mismatch="skip"' in str(raised.value)


def test_a_text_over_the_limit_is_skipped_and_counted_in_skip_mode(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/long.txt"], f"ok\n{'x' * (LIMIT + 1)}\n{'y' * LIMIT}\n".encode())

    outcome = build(_text_setup(OnMismatch="skip"))

    assert _texts(s3) == ["ok", "y" * LIMIT]
    assert (outcome.object_count, outcome.skipped_count) == (2, 1)
    assert outcome.notes == ("skipped 1 text longer than 20,000 characters",)


def test_non_text_objects_are_mismatches(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.txt"], b"hello\n")
    put_objects(s3, ["data/b.jpg", "data/c.json"])

    with pytest.raises(data_setup.DataSetupError, match=r"2 of the objects .* are not text \(\.txt, \.csv\)"):
        build(_text_setup())
    outcome = build(_text_setup(OnMismatch="skip"))

    assert _texts(s3) == ["hello"]
    assert outcome.skipped_count == 2


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------


def test_a_single_column_csv_gives_one_text_per_record(s3: Any, build: Build) -> None:
    body = 'plain\n"quoted, with a comma"\n"two\nlines"\n""\n\n"say ""hi"""\r\n'
    put_objects(s3, ["data/a.csv"], body.encode())

    build(_text_setup())

    assert _texts(s3) == ["plain", "quoted, with a comma", "two\nlines", 'say "hi"']


def test_the_named_column_of_a_csv_with_a_header(s3: Any, build: Build) -> None:
    body = 'id,text,label\n1,"first review, good",pos\n2,"second\nreview",neg\n3,,neu\n4\n5,third,pos\n'
    put_objects(s3, ["data/reviews.CSV"], body.encode())

    build(_text_setup(TextColumn="text"))

    assert _texts(s3) == ["first review, good", "second\nreview", "third"]


def test_a_csv_with_several_columns_needs_a_text_column(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/reviews.csv"], b"id,text,label\n1,good,pos\n")

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(_text_setup())

    assert str(raised.value).startswith(
        "s3://data-bucket/data/reviews.csv has 3 columns ('id', 'text', 'label') on line 1: a CSV file without "
        "text_column must have exactly one column."
    )


def test_a_missing_text_column_is_an_error_listing_the_columns(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/reviews.csv"], b"id,body\n1,good\n")

    with pytest.raises(data_setup.DataSetupError) as raised:
        build(_text_setup(TextColumn="text"))

    assert str(raised.value) == (
        "s3://data-bucket/data/reviews.csv has no column 'text' in its header (columns: 'id', 'body')"
    )


def test_a_csv_text_longer_than_the_default_csv_field_limit_is_skipped(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.csv"], f"text\n{'v' * 140_000}\nshort\n".encode())

    outcome = build(_text_setup(TextColumn="text", OnMismatch="skip"))

    assert _texts(s3) == ["short"]
    assert outcome.skipped_count == 1


def test_a_long_csv_text_reports_its_line(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.csv"], f'text\nshort\n"{"z" * (LIMIT + 5)}"\n'.encode())

    with pytest.raises(data_setup.DataSetupError, match=r"data/a.csv line 3 is 20,005 characters long"):
        build(_text_setup(TextColumn="text"))


def test_a_csv_field_longer_than_csv_reads_is_an_error(s3: Any, build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_setup, "MAX_CSV_FIELD_CHARS", 100)
    put_objects(s3, ["data/a.csv"], f"text\nok\n{'w' * 101}\n".encode())

    with pytest.raises(data_setup.DataSetupError, match=r"s3://data-bucket/data/a.csv line \d+ is not valid CSV"):
        build(_text_setup(TextColumn="text"))


# --------------------------------------------------------------------------------------------------
# Sampling lines
# --------------------------------------------------------------------------------------------------


def test_lines_are_sampled_reproducibly_close_to_the_percentage(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/lines.txt"], "".join(f"sentence {index}\n" for index in range(5000)).encode())

    build(_text_setup(SamplePercent=10, Seed="a"))
    first = _texts(s3)
    build(_text_setup(SamplePercent=10, Seed="a"))
    again = _texts(s3)
    build(_text_setup(SamplePercent=10, Seed="b"))
    other = _texts(s3)

    assert first == again
    assert first != other
    assert 425 <= len(first) <= 575  # 10% of 5,000
    assert 425 <= len(other) <= 575


def test_equal_lines_are_sampled_independently(s3: Any, build: Build) -> None:
    """The sample unit is (key, line number): repeated texts do not all go in or all out."""
    put_objects(s3, ["data/same.txt"], b"same\n" * 400)

    build(_text_setup(SamplePercent=50, Seed="x"))

    assert 150 <= len(_texts(s3)) <= 250


def test_text_limits_count_lines(s3: Any, build: Build) -> None:
    put_objects(s3, ["data/a.txt"], "".join(f"{index}\n" for index in range(30)).encode())

    with pytest.raises(data_setup.DataSetupError, match=re.escape("More than 25 data objects")):
        build(_text_setup(MaxObjects=25))
