"""``groundtruth init``: a new, commented project file for a task type that passes ``validate`` as written.

Flags give the choices; in a terminal, ``init`` asks for the ones they leave out (the task type from
the catalogue, the name, the region, who labels, the labels). The file is checked exactly as
``validate`` checks it before it is written, and an existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from groundtruth_cdk.cli.common import CliError, UsageError

if TYPE_CHECKING:
    from groundtruth_cdk.task_types import TaskType, TaskTypeSpec

_T = TypeVar("_T")

#: What ``--workers`` takes.
WORKERS_FORMS = "team:<name>, mturk:<price in USD> or vendor:<work team ARN>"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
MAX_PROMPTS = 5


@dataclass(frozen=True)
class Workers:
    """Who labels: ``kind`` is ``team``, ``mturk`` or ``vendor``; ``value`` the team, price or ARN."""

    kind: str
    value: str


@dataclass(frozen=True)
class Choices:
    """Everything ``init`` needs to write a project file."""

    task_type: TaskType
    name: str
    region: str | None
    workers: Workers
    labels: tuple[str, ...]


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``init`` to the CLI."""
    parser = commands.add_parser(
        "init",
        help="create a project file for a task type",
        description="Create <dir>/<name>.yaml: a commented project file for a task type that passes "
        "`groundtruth validate` as written. In a terminal, init asks for what the flags leave out; otherwise "
        "--task-type, --name, --workers and --labels are required (exit code 2 when one is missing). An existing "
        "file is never overwritten.",
    )
    parser.add_argument("--task-type", metavar="T", help="the task type, e.g. image-bounding-box")
    parser.add_argument("--name", metavar="N", help="the project name: lowercase letters, digits and hyphens")
    parser.add_argument(
        "--region", metavar="R", help="the AWS region; leave it out for a region-agnostic template (not for a team)"
    )
    parser.add_argument("--workers", metavar="W", type=parse_workers, help=f"who labels: {WORKERS_FORMS}")
    parser.add_argument("--labels", metavar="L", help="the labels, comma-separated, e.g. 'car,truck,bus'")
    parser.add_argument("--dir", type=Path, default=Path("projects"), help="where to write (default: projects)")
    parser.set_defaults(handler=run)


def parse_workers(text: str) -> Workers:
    """``team:<name>``, ``mturk:<price>`` or ``vendor:<arn>``."""
    kind, separator, value = text.partition(":")
    kind = {"mechanical_turk": "mturk", "mechanical-turk": "mturk"}.get(kind, kind)
    if not separator or kind not in ("team", "mturk", "vendor") or not value:
        raise argparse.ArgumentTypeError(f"got {text!r}; give {WORKERS_FORMS}")
    return Workers(kind, value)


def run(args: argparse.Namespace) -> int:
    """Ask for what is missing (in a terminal), check the file as ``validate`` would, and write it."""
    from groundtruth_cdk.project import ProjectError

    interactive = sys.stdin.isatty()
    if not interactive:
        missing = [
            flag
            for flag, value in (
                ("--task-type", args.task_type),
                ("--name", args.name),
                ("--workers", args.workers),
                ("--labels", args.labels),
            )
            if value is None
        ]
        if missing:
            raise UsageError(f"missing {', '.join(missing)} (stdin is not a terminal, so init cannot ask for them)")
    choices = _choose(args, interactive)
    path = args.dir / f"{choices.name}.yaml"
    if path.exists():
        raise CliError(f"{path} already exists: choose another --name, or remove the file first")
    text = project_yaml(choices, schema_reference(args.dir))
    try:
        check_before_writing(text, path)
    except ProjectError as error:
        print(error, file=sys.stderr)
        raise CliError(f"nothing written: {path} would not pass validate (the problems above)") from None
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise CliError(f"{path} already exists: choose another --name, or remove the file first") from None
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from None
    print(f"created {path}")
    print(
        f"next: edit its labels, instructions and data, then `groundtruth validate {choices.name}`, "
        f"`groundtruth preview {choices.name}` and `cdk deploy GroundTruth-{choices.name}`"
    )
    return 0


def check_before_writing(text: str, path: Path) -> None:
    """Load ``text`` as the project file ``path`` would be loaded; its problems raise ``ProjectError``.

    The file is written to a temporary folder in the target folder (or its nearest existing parent), so
    the same ``workforce.yaml`` is found; the problems name ``path``.
    """
    from groundtruth_cdk.project import Problem, ProjectError, validate_project

    folder = path.parent.resolve()
    while not folder.is_dir():
        folder = folder.parent
    with tempfile.TemporaryDirectory(prefix=".groundtruth-init-", dir=folder) as scratch:
        candidate = Path(scratch) / path.name
        candidate.write_text(text, encoding="utf-8")
        problems = validate_project(candidate)
    if problems:
        raise ProjectError(
            [Problem(str(path) if p.file == str(candidate) else p.file, p.line, p.field, p.message) for p in problems]
        )


def schema_reference(folder: Path) -> str:
    """The published project schema, relative to ``folder`` (for the editor's YAML language server)."""
    from groundtruth_cdk.project.schemas import SCHEMA_DIR

    schema = SCHEMA_DIR / "project.schema.json"
    if not schema.is_relative_to(Path.cwd().resolve()):
        return schema.as_posix()  # an installed package: its absolute path
    return Path(os.path.relpath(schema, folder.resolve())).as_posix()


# -- the choices ------------------------------------------------------------------------------------


def _choose(args: argparse.Namespace, interactive: bool) -> Choices:
    """The choices from the flags, asking for the missing ones when ``interactive``."""
    from groundtruth_cdk.project.schemas import PROJECT_TASK_TYPES

    task_type = (
        _flag("--task-type", args.task_type, parse_task_type)
        if args.task_type is not None
        else _ask(_task_type_question(PROJECT_TASK_TYPES), parse_task_type)
    )
    name = (
        _flag("--name", args.name, parse_name)
        if args.name is not None
        else _ask("Project name (lowercase letters, digits and hyphens): ", lambda text: _free_name(text, args.dir))
    )
    region: str | None
    if args.region is not None:
        region = _flag("--region", args.region, parse_region)
    elif interactive:
        region = _ask(
            "AWS region, e.g. eu-west-1 (empty: a region-agnostic template, for Mechanical Turk or a vendor): ",
            lambda text: parse_region(text) if text else None,
            allow_empty=True,
        )
    else:
        region = None
    workers: Workers = (
        args.workers
        if args.workers is not None
        else _ask(_workers_question(task_type.spec, region, args.dir), _parse_workers_answer)
    )
    if workers.kind == "team" and region is None:
        if not interactive or args.region is not None:
            raise UsageError("a private team belongs to the workforce of one region: give --region too")
        region = _ask("A private team needs the region of its workforce, e.g. eu-west-1: ", parse_region)
    spec = task_type.spec
    labels = (
        _flag("--labels", args.labels, lambda text: parse_labels(text, spec))
        if args.labels is not None
        else _ask(_labels_question(spec), lambda text: parse_labels(text, spec))
    )
    return Choices(task_type=task_type, name=name, region=region, workers=workers, labels=labels)


def _flag(flag: str, text: str, parse: Callable[[str], _T]) -> _T:
    """A flag's value parsed; a bad one is a usage error naming the flag."""
    try:
        return parse(text)
    except ValueError as error:
        raise UsageError(f"{flag}: {error}") from None


def _ask(question: str, parse: Callable[[str], _T], *, allow_empty: bool = False) -> _T:
    """Ask until the answer parses (at most :data:`MAX_PROMPTS` times)."""
    for _ in range(MAX_PROMPTS):
        try:
            answer = input(question).strip()
        except EOFError:
            raise CliError("the input ended before every question was answered") from None
        if not answer and not allow_empty:
            continue
        try:
            return parse(answer)
        except ValueError as error:
            print(f"  {error}", file=sys.stderr)
    raise CliError(f"no valid answer after {MAX_PROMPTS} tries")


def parse_task_type(text: str) -> TaskType:
    """A task type by name, or by its number in the list ``init`` shows."""
    from groundtruth_cdk.project.schemas import PROJECT_TASK_TYPES

    if text.isdigit() and 1 <= int(text) <= len(PROJECT_TASK_TYPES):
        return PROJECT_TASK_TYPES[int(text) - 1]
    for task_type in PROJECT_TASK_TYPES:
        if text in (task_type.value, task_type.name):
            return task_type
    raise ValueError(f"got {text!r}; one of: {', '.join(t.value for t in PROJECT_TASK_TYPES)}")


def parse_name(text: str) -> str:
    """A project name: it names the file, the stack and the jobs."""
    from groundtruth_cdk.project.schemas import PROJECT_NAME_PATTERN, PROJECT_NAME_RULE

    if not re.match(PROJECT_NAME_PATTERN, text):
        raise ValueError(f"got {text!r}; {PROJECT_NAME_RULE}")
    return text


def _free_name(text: str, folder: Path) -> str:
    """A project name without a file in ``folder`` yet (asked again when there is one)."""
    name = parse_name(text)
    if (folder / f"{name}.yaml").exists():
        raise ValueError(f"{folder / (name + '.yaml')} already exists: choose another name")
    return name


def parse_region(text: str) -> str:
    """An AWS region name."""
    if not _REGION.match(text):
        raise ValueError(f"got {text!r}; an AWS region name like eu-west-1")
    return text


def _parse_workers_answer(text: str) -> Workers:
    """An answer to the workers question."""
    try:
        return parse_workers(text)
    except argparse.ArgumentTypeError as error:
        raise ValueError(str(error)) from None


def parse_labels(text: str, spec: TaskTypeSpec) -> tuple[str, ...]:
    """Comma-separated labels: as many as the task type takes, each unique."""
    labels = tuple(label.strip() for label in text.split(",") if label.strip())
    if len(labels) < spec.min_labels or (spec.max_labels is not None and len(labels) > spec.max_labels):
        bound = f"{spec.min_labels}..{spec.max_labels}" if spec.max_labels else f"at least {spec.min_labels}"
        raise ValueError(f"got {len(labels)} labels; {spec.title} jobs take {bound} labels (comma-separated)")
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"got {', '.join(duplicates)} more than once; each label must be unique")
    return labels


def _task_type_question(task_types: Sequence[TaskType]) -> str:
    """The numbered catalogue and the question."""
    width = max(len(t.value) for t in task_types)
    lines = ["Task types:"]
    lines += [f"  {n:>2}. {t.value:<{width}}  {t.spec.title}" for n, t in enumerate(task_types, start=1)]
    return "\n".join(lines) + "\nTask type (number or name): "


def _workers_question(spec: TaskTypeSpec, region: str | None, folder: Path) -> str:
    """The ways to choose workers for the task type, with the region's teams."""
    options = []
    teams = _teams(region, folder) if region is not None else ()
    if teams:
        options.append(f"team:<name> (the teams of {region} in workforce.yaml: {', '.join(teams)})")
    elif region is not None:
        options.append(f"team:<name> (add the team to workforce.yaml under {region})")
    if spec.mechanical_turk:
        prices = ", ".join(str(price) for price in spec.mechanical_turk_prices)
        options.append(f"mturk:<price> (USD per object and worker: {prices})")
    options.append("vendor:<work team ARN> (a vendor from AWS Marketplace)")
    return "Who labels?\n" + "\n".join(f"  {option}" for option in options) + "\nWorkers: "


def _labels_question(spec: TaskTypeSpec) -> str:
    """The labels question, with how many the task type takes."""
    bound = f"{spec.min_labels}-{spec.max_labels}" if spec.max_labels else f"at least {spec.min_labels}"
    return f"Labels, comma-separated ({bound}): "


def _teams(region: str, folder: Path) -> tuple[str, ...]:
    """The teams of ``region`` in the workforce file that projects in ``folder`` use (none if unreadable)."""
    from groundtruth_cdk.project import ProjectError, find_workforce_file, load_workforce

    path = find_workforce_file(folder.resolve())
    if path is None:
        return ()
    try:
        regional = load_workforce(path).regions.get(region)
    except ProjectError:
        return ()
    return regional.team_names if regional is not None else ()


# -- the file ---------------------------------------------------------------------------------------

#: Where the data goes in the project's input bucket, by data type.
_DATA_FOLDERS = {"image": "images/", "text": "texts/", "video-clip": "clips/", "video-frames": "sequences/"}
_MEDIA_NOUNS = {
    "image": "image",
    "text": "text",
    "video clip": "video clip",
    "video frames": "sequence of video frames",
    "3D point cloud": "point cloud",
}


def project_yaml(choices: Choices, schema_ref: str) -> str:
    """The commented project file for ``choices``."""
    from groundtruth_cdk.job_settings import default_label_attribute_name
    from groundtruth_cdk.task_types import EIGHT_HOURS, RefSuffix
    from groundtruth_cdk.validation import MAX_DESCRIPTION, MAX_TITLE

    task_type, name = choices.task_type, choices.name
    spec = task_type.spec
    noun = _MEDIA_NOUNS.get(spec.media.value, "data object")
    title = _clip(name.replace("-", " ").capitalize(), MAX_TITLE)
    description = _clip(f"{spec.title}: {', '.join(choices.labels)}", MAX_DESCRIPTION)
    short = f"<p>Label each {noun} with: {html.escape(', '.join(choices.labels))}.</p>"
    full = (
        "<p>Replace this with the full instructions: what each label covers, the edge cases, and an example "
        "of a good answer.</p>"
    )
    bound = f"{spec.min_labels}..{spec.max_labels}" if spec.max_labels else f"at least {spec.min_labels}"
    ref_rule = {
        RefSuffix.REQUIRED: "; it must end with -ref",
        RefSuffix.FORBIDDEN: "; it must not end with -ref",
        RefSuffix.ALLOWED: "",
    }[spec.label_attribute_ref]
    lines = [
        f"# yaml-language-server: $schema={schema_ref}",
        "#",
        f"# {spec.title}, made by `groundtruth init`. Edit the labels, the instructions and the data, then:",
        f"#   groundtruth validate {name}    # the schema and every synth rule",
        f"#   groundtruth preview {name}     # the worker UI with a sample object",
        f"#   groundtruth plan {name}        # the CreateLabelingJob request, the resources and IAM permissions",
        f"#   cdk deploy GroundTruth-{name}",
        "",
        f"region: {choices.region}  # the AWS region of the project"
        if choices.region is not None
        else "# region: eu-west-1  # default: none, a region-agnostic template (the region of your credentials)",
        f"task_type: {task_type.value}  # {spec.title}",
        f"labels: {_flow_list(choices.labels)}  # {bound} labels, each unique",
        f"# label_attribute_name: {default_label_attribute_name(task_type)}  # default; the labels' key in the "
        f"output manifest{ref_rule}",
    ]
    if spec.reviews_labels:
        reviewed = _reviewed_attribute(task_type)
        lines.append(f"reviewed_label_attribute_name: {reviewed}  # the label attribute name of the job it reviews")
    lines += [
        "instructions:  # HTML that workers read",
        f"  short: {_scalar(short)}",
        f"  full: {_scalar(full)}",
        f"title: {_scalar(title)}  # shown in the workers' task list (at most {MAX_TITLE} characters)",
        f"description: {_scalar(description)}  # one line, also the question above the task",
        "# keywords: [labeling]  # up to 5, to help workers find the task",
        "",
        *_data_lines(choices, spec),
        "",
        *_workers_lines(choices, spec),
        "workers_per_object: 1  # 1-9 workers label each object; their answers are consolidated",
        f"task_time: {'1h' if spec.max_task_time_seconds > EIGHT_HOURS else '5m'}  # how long a worker has for one "
        "task",
        f"# expiry: {'6h' if choices.workers.kind == 'mturk' else '10d'}  # how long a task waits for a worker "
        "(this is the default)",
        "# max_concurrent_tasks: 1000  # objects workers can hold at once",
        "# stopping_conditions:",
        "#   max_human_labeled_objects: 1000",
        "# output:",
        "#   prefix: labels/  # where the labels go in the project's output bucket",
        "# tags:",
        f"#   project: {name}",
        "",
    ]
    return "\n".join(lines)


def _data_lines(choices: Choices, spec: TaskTypeSpec) -> list[str]:
    """The ``data`` block: automated data setup, or a manifest where the task type needs one."""
    if spec.data_types:
        data_type = spec.data_types[0].value
        found = {"video-frames": "each sub-folder of frame images as one sequence"}.get(
            data_type, f"every {data_type} object"
        )
        return [
            f"data:  # automated data setup: at deploy, the stack finds {found} under the prefix",
            f"  data_type: {data_type}",
            f"  prefix: {_DATA_FOLDERS.get(data_type, 'data/')}  # upload the data here in the project's input bucket",
            "  # bucket: my-existing-bucket  # default: the project's own new input bucket",
            "  # sample_percent: 10  # label a reproducible sample",
        ]
    what = (
        "the output manifest of the job whose labels are reviewed"
        if spec.reviews_labels
        else f"a manifest you provide, one {spec.manifest_key} per line"
    )
    manifest = (
        f"s3://my-labeling-data/{choices.name}/manifests/output/output.manifest"
        if spec.reviews_labels
        else f"s3://my-labeling-data/{choices.name}/input.manifest"
    )
    return [
        f"data:  # {what}",
        f"  manifest: {manifest}  # replace with yours",
        f"  prefix: {choices.name}/  # the job's role may read the data objects under this prefix",
    ]


def _workers_lines(choices: Choices, spec: TaskTypeSpec) -> list[str]:
    """The ``workers`` block (and the declaration Mechanical Turk requires)."""
    workers = choices.workers
    if workers.kind == "team":
        return ["workers:", f"  team: {_scalar(workers.value)}  # a team of {choices.region} in workforce.yaml"]
    if workers.kind == "vendor":
        return ["workers:", f"  vendor: {_scalar(workers.value)}  # a vendor team you subscribed to in AWS Marketplace"]
    prices = ", ".join(str(price) for price in spec.mechanical_turk_prices) or "none for this task type"
    return [
        "workers:",
        "  mechanical_turk:",
        f"    price_usd: {json.dumps(workers.value)}  # USD per object and worker, quoted: one of {prices}",
        "content_classifiers:  # Mechanical Turk needs data free of personally identifiable information",
        "  - free-of-personally-identifiable-information",
    ]


def _reviewed_attribute(task_type: TaskType) -> str:
    """The default label attribute name of the task type a verification or adjustment type reviews."""
    from groundtruth_cdk.job_settings import default_label_attribute_name
    from groundtruth_cdk.task_types import TaskType

    reviewed = [t for t in TaskType if not t.spec.reviews_labels and task_type.value.startswith(f"{t.value}-")]
    base = max(reviewed, key=lambda t: len(t.value)) if reviewed else task_type
    return default_label_attribute_name(base)


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when it reads back the same, else double-quoted."""
    import yaml

    try:
        if "\n" not in value and yaml.safe_load(f"key: {value}") == {"key": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _flow_list(values: Sequence[str]) -> str:
    """``[a, b, "c, d"]``: a YAML flow sequence that reads back as ``values``."""
    import yaml

    items = []
    for value in values:
        try:
            plain = "\n" not in value and yaml.safe_load(f"key: [{value}]") == {"key": [value]}
        except yaml.YAMLError:
            plain = False
        items.append(value if plain else json.dumps(value, ensure_ascii=False))
    return f"[{', '.join(items)}]"
