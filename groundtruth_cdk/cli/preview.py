"""``groundtruth preview``: the worker UI of a project, rendered locally with a sample object.

The template is the one the deploy uploads (``JobSettings.worker_template()`` of the loaded project),
rendered by a real Liquid engine (python-liquid) with HTML autoescape on and the filters Ground Truth
provides: ``grant_read_access`` (here a local ``file://`` URL or a placeholder, never a pre-signed
URL), ``to_json``, ``skip_autoescape``, and Liquid's own ``escape`` and ``escape_once``. The task input
is what Ground Truth gives a template: ``task.input.taskObject``, ``task.input.labels`` and
``task.input.manifestLine``. Task types with an AWS-hosted UI get a page that lists the labels and the
instructions instead.
"""

from __future__ import annotations

import argparse
import html
import json
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groundtruth_cdk.cli.common import CliError, load

if TYPE_CHECKING:
    from liquid import Environment

    from groundtruth_cdk.job_settings import JobSettings
    from groundtruth_cdk.project import Project
    from groundtruth_cdk.task_types import TaskTypeSpec

#: Where previews go unless ``--out`` says otherwise (``cdk.out/`` is build output, ignored by git).
DEFAULT_OUT_DIR = Path("cdk.out") / "preview"
SAMPLE_TEXT = "The parcel arrived two days late, but the shoes fit well and look exactly like the photos."
SAMPLE_VIDEO_URL = "https://placeholder.invalid/sample-clip.mp4"
#: The earlier job's boxes shown by a bounding box verification or adjustment preview.
SAMPLE_BOXES = {
    "annotations": [{"class_id": 0, "left": 160, "top": 120, "width": 240, "height": 180}],
    "image_size": [{"width": 640, "height": 480, "depth": 3}],
}
#: The earlier job's mask (an S3 URI, shown as a placeholder) for a segmentation verification or adjustment.
SAMPLE_MASK_URI = "s3://earlier-job-output/annotations/consolidated-annotation/output/0.png"


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``preview`` to the CLI."""
    parser = commands.add_parser(
        "preview",
        help="render the worker UI of a project into a local HTML file",
        description="Render the worker UI the job will use (the same Liquid template the deploy uploads) with the "
        "project's labels and instructions and a sample data object into <out>/<project>.html, and print its path. "
        "Data URLs are local or placeholders: Ground Truth pre-signs them only when a worker opens a task. Task types "
        "with an AWS-hosted worker UI get a page listing the labels and instructions.",
    )
    parser.add_argument("project", metavar="PROJECT", help="a project name (projects/<name>.yaml) or a file path")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT_DIR, help=f"the folder to write to (default: {DEFAULT_OUT_DIR})"
    )
    parser.add_argument(
        "--sample",
        metavar="TEXT_OR_URL",
        help="the data object: the text (text tasks), or an image or video as a local file, an http(s) URL or an "
        "s3:// URI (shown as a placeholder); default: a placeholder image, a sample sentence or a placeholder video",
    )
    parser.add_argument("--dir", type=Path, default=Path("projects"), help="the folder of project files")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the preview page of ``args.project`` and print its path."""
    project = load(args.project, args.dir)
    settings = job_settings(project)
    template = settings.worker_template()
    out_dir: Path = args.out
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"--out {out_dir}: {error.strerror or error}") from None
    path = out_dir / f"{project.name}.html"
    spec = settings.spec
    if template is None:
        page = hosted_ui_page(project)
        note = (
            f"{project.task_type.value} jobs use the AWS-hosted worker UI {spec.human_task_ui}, so there is no "
            "template to render: the page lists the labels and instructions"
        )
    else:
        from groundtruth_cdk.task_types import Media

        video = spec.media is Media.VIDEO_CLIP
        rendered = render_template(template, task_input(settings, args.sample), video=video)
        page = template_page(project, rendered, args.sample)
        note = ""
    path.write_text(page, encoding="utf-8")
    print(f"{path} ({note})" if note else path)
    return 0


def job_settings(project: Project) -> JobSettings:
    """The job settings the project's stack will use (its data in a stand-in bucket; nothing is synthesized)."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    scratch = cdk.Stack(cdk.App(), "Preview")
    bucket = s3.Bucket.from_bucket_name(scratch, "Input", project.input_bucket_name or "project-input-bucket")
    return project.job_settings(bucket)


def default_sample(spec: TaskTypeSpec) -> str:
    """A placeholder image, a sentence or a placeholder video URL, by the task type's data."""
    from groundtruth_cdk.task_types import Media

    if spec.media is Media.TEXT:
        return SAMPLE_TEXT
    if spec.media is Media.VIDEO_CLIP:
        return SAMPLE_VIDEO_URL
    return placeholder_image("sample image: give --sample to show your own")


def task_input(settings: JobSettings, sample: str | None) -> dict[str, Any]:
    """``task.input`` as Ground Truth gives it to the template: the object, the labels and the manifest line."""
    spec = settings.spec
    data_object = sample if sample is not None else default_sample(spec)
    line: dict[str, Any] = {spec.manifest_key: data_object}
    reviewed = settings.reviewed_label_attribute_name
    if spec.reviews_labels and reviewed is not None:
        boxes = spec.review_overlay == "boundingBox" or spec.crowd_element == "crowd-bounding-box"
        line[reviewed] = SAMPLE_BOXES if boxes else SAMPLE_MASK_URI
        line[f"{reviewed}-metadata"] = {
            "class-map": dict(enumerate(settings.labels)),
            "human-annotated": "yes",
            "type": "groundtruth/sample-for-preview",
        }
    return {"taskObject": data_object, "labels": list(settings.labels), "manifestLine": line}


def liquid_environment(media_is_video: bool = False) -> Environment:
    """A Liquid environment as Ground Truth's: HTML autoescape on, and its filters."""
    from liquid import Environment, Markup

    environment = Environment(autoescape=True)

    def grant_read_access(value: object) -> str:
        """Ground Truth's pre-signing filter: here a local or placeholder URL."""
        return local_url(str(value), video=media_is_video)

    def to_json(value: object) -> str:
        """Ground Truth's ``to_json`` filter."""
        return json.dumps(value, ensure_ascii=False)

    def skip_autoescape(value: object) -> Markup:
        """Ground Truth's ``skip_autoescape`` filter: the value as markup, not escaped."""
        return Markup(str(value))

    environment.filters["grant_read_access"] = grant_read_access
    environment.filters["to_json"] = to_json
    environment.filters["skip_autoescape"] = skip_autoescape
    return environment


def render_template(template: str, task_input_value: dict[str, Any], *, video: bool = False) -> str:
    """Render a worker template with ``task.input``; a Liquid error is a :class:`CliError`."""
    from liquid.exceptions import LiquidError

    try:
        return liquid_environment(video).from_string(template).render(task={"input": task_input_value})
    except LiquidError as error:
        raise CliError(f"the worker template cannot be rendered: {error}") from None


def local_url(value: str, *, video: bool = False) -> str:
    """What ``grant_read_access`` gives in a preview: URLs as they are, a local file as a ``file://`` URL,
    anything else (an S3 URI) as a placeholder."""
    if value.startswith(("http://", "https://", "data:", "file:")):
        return value
    if not value.startswith("s3://"):
        path = Path(value).expanduser()
        if path.is_file():
            return path.resolve().as_uri()
    if video:
        return "https://placeholder.invalid/" + urllib.parse.quote(value.removeprefix("s3://"))
    return placeholder_image(f"{value} (pre-signed when a worker opens the task)")


def placeholder_image(caption: str, width: int = 640, height: int = 480) -> str:
    """An inline SVG image (a data URI) with ``caption`` on a grey background."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect width="100%" height="100%" fill="#d5d8dc"/>'
        f'<path d="M40 400 L220 220 L340 340 L430 260 L600 400 Z" fill="#aab0b6"/>'
        f'<circle cx="480" cy="130" r="45" fill="#aab0b6"/>'
        f'<text x="50%" y="60" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#333">'
        f"{html.escape(caption)}</text></svg>"
    )
    return "data:image/svg+xml;charset=utf-8," + urllib.parse.quote(svg)


def _banner(project: Project, details: str) -> str:
    """The note above the preview that says what it is."""
    return (
        '<div style="font-family: sans-serif; font-size: 14px; background: #fff8e1; border: 1px solid #f0c36d; '
        'padding: 8px 12px; margin-bottom: 12px">'
        f"<strong>groundtruth preview</strong> of project <code>{html.escape(project.name)}</code> "
        f"({html.escape(project.task_type.value)}): {details}</div>\n"
    )


def template_page(project: Project, rendered: str, sample: str | None) -> str:
    """The page around the rendered template: a banner saying what the preview is."""
    where = "your sample" if sample is not None else "a placeholder sample (give --sample for your own)"
    details = (
        f"the worker UI with {where}. Ground Truth shows the same template; data URLs there are pre-signed S3 URLs, "
        "here local files or placeholders. Submitting does nothing."
    )
    return _document(project, _banner(project, html.escape(details)) + rendered)


def hosted_ui_page(project: Project) -> str:
    """The page for a task type with an AWS-hosted worker UI: what workers get, the labels and instructions."""
    spec = project.task_type.spec
    labels = "\n".join(f"    <li>{html.escape(label)}</li>" for label in project.effective_labels)
    details = html.escape(
        f"{spec.title} jobs use the AWS-hosted worker UI {spec.human_task_ui}: there is no template to render. "
        "Workers see these labels and instructions in it."
    )
    body = (
        f"{_banner(project, details)}"
        f"<h1>{html.escape(project.title)}</h1>\n"
        f"<p>{html.escape(project.description)}</p>\n"
        "<h2>Labels</h2>\n"
        f'<ul class="labels">\n{labels}\n</ul>\n'
        "<h2>Short instructions</h2>\n"
        f'<div class="short-instructions">{project.instructions.short}</div>\n'
        "<h2>Full instructions</h2>\n"
        f'<div class="full-instructions">{project.instructions.full}</div>\n'
    )
    return _document(project, body)


def _document(project: Project, body: str) -> str:
    """A whole HTML page around ``body``."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Preview: {html.escape(project.title)}</title>\n</head>\n<body>\n"
        f"{body}"
        "</body>\n</html>\n"
    )
