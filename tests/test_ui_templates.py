"""Generated worker templates: the catalogue's crowd element, wired the way Ground Truth expects."""

from __future__ import annotations

import pytest

from groundtruth_cdk import TaskType
from groundtruth_cdk.task_types import Media, UiKind
from groundtruth_cdk.ui_templates import CROWD_ELEMENTS_SCRIPT, IMAGE_SOURCE, LABELS_JSON, render

TEMPLATED = [t for t in TaskType if t.spec.ui is UiKind.TEMPLATE]


def _render(task_type: TaskType, **overrides: str) -> str:
    kwargs = {
        "header": "Is this right?",
        "short_instructions": "<b>short</b>",
        "full_instructions": "<i>full</i>",
        "reviewed_label_attribute_name": "earlier" if task_type.spec.reviews_labels else None,
    }
    kwargs.update(overrides)
    return render(task_type.spec, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("task_type", TEMPLATED, ids=lambda t: t.value)
def test_template_uses_the_crowd_element_inside_a_crowd_form(task_type: TaskType) -> None:
    template = _render(task_type)
    element = task_type.spec.crowd_element
    assert template.startswith(CROWD_ELEMENTS_SCRIPT + "\n<crowd-form>\n")
    assert f"<{element}\n" in template
    assert f"</{element}>\n</crowd-form>" in template
    assert "<short-instructions><b>short</b></short-instructions>" in template
    assert '<full-instructions header="Instructions"><i>full</i></full-instructions>' in template
    assert 'header="Is this right?"' in template


@pytest.mark.parametrize("task_type", TEMPLATED, ids=lambda t: t.value)
def test_data_object_is_shown_the_way_its_media_needs(task_type: TaskType) -> None:
    template = _render(task_type)
    media = task_type.spec.media
    if media is Media.IMAGE:
        assert f'src="{IMAGE_SOURCE}"' in template
    elif media is Media.TEXT:
        assert "<classification-target>{{ task.input.taskObject }}</classification-target>" in template
    else:
        assert f'<video src="{IMAGE_SOURCE}"' in template


@pytest.mark.parametrize(
    ("task_type", "attribute"),
    [
        (TaskType.IMAGE_BOUNDING_BOX, f'labels="{LABELS_JSON}"'),
        (TaskType.IMAGE_SEMANTIC_SEGMENTATION, f'labels="{LABELS_JSON}"'),
        (TaskType.IMAGE_SINGLE_LABEL, f'categories="{LABELS_JSON}"'),
        (TaskType.IMAGE_MULTI_LABEL, f'categories="{LABELS_JSON}"'),
        (TaskType.TEXT_SINGLE_LABEL, f'categories="{LABELS_JSON}"'),
        (TaskType.TEXT_MULTI_LABEL, f'categories="{LABELS_JSON}"'),
        (TaskType.VIDEO_CLIP_CLASSIFICATION, f'categories="{LABELS_JSON}"'),
    ],
)
def test_labels_go_to_the_elements_label_attribute(task_type: TaskType, attribute: str) -> None:
    assert attribute in _render(task_type)


def test_bounding_box_answers_as_bounding_box() -> None:
    assert 'name="boundingBox"' in _render(TaskType.IMAGE_BOUNDING_BOX)


def test_adjustment_starts_from_the_earlier_labels() -> None:
    boxes = _render(TaskType.IMAGE_BOUNDING_BOX_ADJUSTMENT)
    assert "initial-value=\"{{ task.input.manifestLine['earlier'].annotations | to_json | escape }}\"" in boxes
    masks = _render(TaskType.IMAGE_SEMANTIC_SEGMENTATION_ADJUSTMENT)
    assert "initial-value=\"{{ task.input.manifestLine['earlier'] | grant_read_access }}\"" in masks


def test_verification_overlays_the_earlier_labels_and_asks_for_a_verdict() -> None:
    template = _render(TaskType.IMAGE_BOUNDING_BOX_VERIFICATION)
    assert "overlay=\"{ 'boundingBox': { 'labels': " in template
    assert "task.input.manifestLine['earlier'].annotations" in template
    assert "The labels are correct" in template
    masks = _render(TaskType.IMAGE_SEMANTIC_SEGMENTATION_VERIFICATION)
    assert "overlay=\"{ 'semanticSegmentation'" in masks


def test_header_is_escaped_and_instructions_cannot_open_liquid() -> None:
    template = _render(
        TaskType.IMAGE_SINGLE_LABEL,
        header='"><script>alert(1)</script>',
        short_instructions="{{ secret }} {% raw %}",
    )
    assert "<script>alert(1)</script>" not in template
    assert 'header="&quot;&gt;&lt;script&gt;' in template
    assert "{{ secret }}" not in template
    assert "{%" not in template.split("<short-instructions>")[1]


@pytest.mark.parametrize("task_type", [t for t in TaskType if t.spec.ui is not UiKind.TEMPLATE], ids=lambda t: t.value)
def test_hosted_and_custom_uis_have_no_generated_template(task_type: TaskType) -> None:
    with pytest.raises(ValueError, match="AWS-hosted worker UI"):
        _render(task_type)
