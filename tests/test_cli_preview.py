"""``groundtruth preview``: the job's own Liquid template rendered with a sample, parsed back: the crowd
element with the labels as JSON, the instructions, hostile labels escaped, local and placeholder URLs;
a page for the AWS-hosted UIs; every task type of the catalogue."""

from __future__ import annotations

import io
import json
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from groundtruth_cdk.cli import main
from groundtruth_cdk.cli.preview import SAMPLE_TEXT, SAMPLE_VIDEO_URL, liquid_environment, local_url
from groundtruth_cdk.project import validate_project
from groundtruth_cdk.project.schemas import PROJECT_TASK_TYPES
from groundtruth_cdk.task_types import TaskType, UiKind
from tests.project_builders import TEAM, valid_project, write_project, write_workforce

HOSTILE = '"><script>alert(1)</script>'
SHORT = "<p>Box <em>every</em> vehicle.</p>"
FULL = "<p>Include the partly hidden ones.</p>"
CROWD_SCRIPT = "https://assets.crowd.aws/crowd-html-elements.js"


class Page(HTMLParser):
    """Every element of a page (tag and attributes) and its text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attributes for name, attributes in self.elements if name == tag]

    def one(self, tag: str) -> dict[str, str | None]:
        found = self.all(tag)
        assert len(found) == 1, f"{len(found)} <{tag}> elements"
        return found[0]

    @property
    def text(self) -> str:
        return "".join(self.texts)


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    write_workforce(tmp_path)
    instructions = {"short": SHORT, "full": FULL}
    write_project(tmp_path, valid_project(labels=["car", HOSTILE], instructions=instructions), name="cars")
    write_project(
        tmp_path,
        valid_project(
            task_type="text-single-label",
            labels=["positive", "negative"],
            data={"data_type": "text", "prefix": "reviews/"},
            description="What does the customer think?",
        ),
        name="reviews",
    )
    write_project(
        tmp_path,
        valid_project(
            task_type="video-clip-classification",
            labels=["crash", "no crash"],
            data={"data_type": "video-clip", "prefix": "clips/"},
        ),
        name="clips",
    )
    write_project(
        tmp_path,
        valid_project(
            task_type="text-named-entity-recognition",
            labels=["person", HOSTILE],
            data={"objects": ["Ana met Bo in Lyon."]},
            instructions={"short": "<p>Highlight names.</p>", "full": "<p>Only proper names.</p>"},
        ),
        name="entities",
    )
    return tmp_path / "projects"


def preview(capsys: pytest.CaptureFixture[str], projects: Path, out: Path, *argv: str) -> tuple[int, list[str], str]:
    code = main(["preview", *argv, "--dir", str(projects), "--out", str(out)])
    stdout, stderr = capsys.readouterr()
    return code, stdout.splitlines(), stderr


def test_the_crowd_element_has_the_labels_and_the_instructions(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = preview(capsys, projects, tmp_path / "out", "cars")
    path = tmp_path / "out" / "cars.html"
    assert (code, out, err) == (0, [str(path)], "")
    page = Page(path.read_text())
    box = page.one("crowd-bounding-box")
    assert json.loads(box["labels"] or "") == ["car", HOSTILE]
    assert box["name"] == "boundingBox"
    assert box["header"] == "Box every vehicle"
    assert (box["src"] or "").startswith("data:image/svg+xml")
    assert page.one("crowd-form") == {}
    assert page.one("full-instructions") == {"header": "Instructions"}
    assert "Include the partly hidden ones." in page.text
    assert "Box every vehicle." in page.text
    assert page.all("em") == [{}]  # the instructions' own HTML is kept


def test_a_hostile_label_creates_no_element(projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preview(capsys, projects, tmp_path, "cars")
    text = (tmp_path / "cars.html").read_text()
    page = Page(text)
    assert page.all("script") == [{"src": CROWD_SCRIPT}]
    assert "<script>alert" not in text
    assert "alert(1)" in text  # still there, as escaped text inside the attribute


def test_a_local_sample_file_is_a_file_url(projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "street photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    code, _, _ = preview(capsys, projects, tmp_path, "cars", "--sample", str(image))
    assert code == 0
    box = Page((tmp_path / "cars.html").read_text()).one("crowd-bounding-box")
    assert box["src"] == image.resolve().as_uri()


@pytest.mark.parametrize("sample", ["s3://my-bucket/images/0001.jpg", "missing.jpg"])
def test_an_s3_uri_or_a_missing_file_is_a_placeholder_never_a_presigned_url(
    sample: str, projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = preview(capsys, projects, tmp_path, "cars", "--sample", sample)
    assert code == 0
    source = Page((tmp_path / "cars.html").read_text()).one("crowd-bounding-box")["src"] or ""
    assert source.startswith("data:image/svg+xml")
    assert "0001.jpg" in source or "missing.jpg" in source
    assert "X-Amz" not in source
    assert "amazonaws.com" not in source


def test_an_http_sample_is_used_as_it_is(projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preview(capsys, projects, tmp_path, "cars", "--sample", "https://example.com/a.jpg?x=1&y=2")
    box = Page((tmp_path / "cars.html").read_text()).one("crowd-bounding-box")
    assert box["src"] == "https://example.com/a.jpg?x=1&y=2"


def test_text_is_escaped_into_the_classification_target(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = "Great <b>shoes</b> & fast delivery"
    code, _, _ = preview(capsys, projects, tmp_path, "reviews", "--sample", sample)
    assert code == 0
    page = Page((tmp_path / "reviews.html").read_text())
    classifier = page.one("crowd-classifier")
    assert json.loads(classifier["categories"] or "") == ["positive", "negative"]
    assert classifier["header"] == "What does the customer think?"
    assert page.all("b") == []
    assert sample in page.text


def test_the_default_text_sample_is_a_sentence(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preview(capsys, projects, tmp_path, "reviews")
    assert SAMPLE_TEXT in Page((tmp_path / "reviews.html").read_text()).text


def test_a_video_clip_plays_a_placeholder_url(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preview(capsys, projects, tmp_path, "clips")
    page = Page((tmp_path / "clips.html").read_text())
    assert page.one("video")["src"] == SAMPLE_VIDEO_URL
    assert json.loads(page.one("crowd-classifier")["categories"] or "") == ["crash", "no crash"]
    preview(capsys, projects, tmp_path, "clips", "--sample", "s3://footage/clips/a.mp4")
    assert Page((tmp_path / "clips.html").read_text()).one("video")["src"] == (
        "https://placeholder.invalid/footage/clips/a.mp4"
    )


def test_a_hosted_ui_gets_a_page_with_the_labels_and_instructions(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = preview(capsys, projects, tmp_path, "entities")
    path = tmp_path / "entities.html"
    assert (code, err) == (0, "")
    assert out == [
        f"{path} (text-named-entity-recognition jobs use the AWS-hosted worker UI NamedEntityRecognition, so there is "
        "no template to render: the page lists the labels and instructions)"
    ]
    text = path.read_text()
    page = Page(text)
    assert page.all("script") == []
    assert [name for name, _ in page.elements].count("li") == 2
    assert "person" in page.text
    assert HOSTILE in page.text
    assert "Highlight names." in page.text
    assert "Only proper names." in page.text
    assert "AWS-hosted worker UI NamedEntityRecognition" in page.text


def test_the_default_out_folder_is_under_cdk_out(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["preview", "cars", "--dir", str(projects)]) == 0
    assert capsys.readouterr().out == "cdk.out/preview/cars.html\n"
    assert (tmp_path / "cdk.out" / "preview" / "cars.html").is_file()


def test_an_unknown_project_is_one_line(projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = preview(capsys, projects, tmp_path, "trucks")
    assert (code, out) == (1, [])
    assert err.startswith("groundtruth preview: unknown project 'trucks': ")
    assert err.count("\n") == 1


def test_an_invalid_project_prints_the_loaders_lines(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_project(projects.parent, valid_project(labels=[]), name="bad")
    code, out, err = preview(capsys, projects, tmp_path, "bad")
    assert (code, out) == (1, [])
    assert err.splitlines() == [str(p) for p in validate_project(bad)]


def test_an_out_folder_that_cannot_be_made_is_one_line(
    projects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = preview(capsys, projects, blocker / "sub", "cars")
    assert code == 1
    assert err.startswith(f"groundtruth preview: --out {blocker / 'sub'}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("task_type", PROJECT_TASK_TYPES, ids=lambda t: t.value)
def test_every_task_type_previews(
    task_type: TaskType, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_workforce(tmp_path)
    projects = tmp_path / "projects"
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # not a terminal
    labels = "car,truck"
    argv = ["--task-type", task_type.value, "--name", "p", "--region", "eu-west-1", "--workers", f"team:{TEAM}"]
    assert main(["init", *argv, "--labels", labels, "--dir", str(projects)]) == 0
    capsys.readouterr()
    code, out, err = preview(capsys, projects, tmp_path / "out", "p")
    assert (code, err) == (0, "")
    page = Page((tmp_path / "out" / "p.html").read_text())
    spec = task_type.spec
    if spec.ui is UiKind.HUMAN_TASK_UI:
        assert f"AWS-hosted worker UI {spec.human_task_ui}" in out[0]
        return
    assert out == [str(tmp_path / "out" / "p.html")]
    assert spec.crowd_element is not None
    element = page.one(spec.crowd_element)
    if spec.review_overlay is not None:
        overlay = element["overlay"] or ""
        assert '"car"' in overlay
        assert ("160" in overlay) if spec.review_overlay == "boundingBox" else ("data:image/svg+xml" in overlay)
    else:
        listed = element.get("labels") or element.get("categories") or ""
        assert json.loads(listed) == ["car", "truck"]
    if spec.reviews_labels and spec.review_overlay is None:
        assert element["initial-value"]
    assert page.all("script") == [{"src": CROWD_SCRIPT}]


def test_ground_truth_filters() -> None:
    environment = liquid_environment()
    render = environment.from_string
    assert render("{{ x | to_json }}").render(x={"a": [1, "<b>"]}) == "{&#34;a&#34;: [1, &#34;&lt;b&gt;&#34;]}"
    assert render("{{ x | skip_autoescape }}").render(x="<b>bold</b>") == "<b>bold</b>"
    assert render("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert render("{{ x | escape }}").render(x="<b>") == "&lt;b&gt;"
    assert render("{{ x | escape_once }}").render(x="&lt;b&gt; & <i>") == "&lt;b&gt; &amp; &lt;i&gt;"
    assert render("{{ x | grant_read_access }}").render(x="https://a/b?c=1&d=2") == "https://a/b?c=1&amp;d=2"


def test_local_urls(tmp_path: Path) -> None:
    file = tmp_path / "a.jpg"
    file.write_bytes(b"")
    assert local_url(str(file)) == file.resolve().as_uri()
    assert local_url("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"
    assert local_url("s3://b/k.mp4", video=True) == "https://placeholder.invalid/b/k.mp4"
    placeholder: Any = local_url("s3://b/k.jpg")
    assert placeholder.startswith("data:image/svg+xml;charset=utf-8,")


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--sample" in out
    assert "--out" in out
