"""The catalogue: complete, consistent with the reference facts, and what the README shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundtruth_cdk import CATALOGUE, TaskType
from groundtruth_cdk.task_types import REVIEWED_TASK_TYPE, Cors, Media, RefSuffix, UiKind, catalogue_table

BUILT_IN_SUFFIXES = {
    "BoundingBox", "ImageMultiClass", "ImageMultiClassMultiLabel", "SemanticSegmentation", "TextMultiClass",
    "TextMultiClassMultiLabel", "NamedEntityRecognition", "VideoMultiClass", "VideoObjectDetection",
    "VideoObjectTracking", "3DPointCloudObjectDetection", "3DPointCloudObjectTracking",
    "3DPointCloudSemanticSegmentation", "VerificationBoundingBox", "AdjustmentBoundingBox",
    "VerificationSemanticSegmentation", "AdjustmentSemanticSegmentation", "AdjustmentVideoObjectDetection",
    "AdjustmentVideoObjectTracking", "Adjustment3DPointCloudObjectDetection",
    "Adjustment3DPointCloudObjectTracking", "Adjustment3DPointCloudSemanticSegmentation",
}  # fmt: skip
HOSTED_UIS = {
    "NamedEntityRecognition", "PointCloudObjectDetection", "PointCloudObjectTracking",
    "PointCloudSemanticSegmentation", "VideoObjectDetection", "VideoObjectTracking",
}  # fmt: skip


def test_every_task_type_has_exactly_one_row() -> None:
    assert set(CATALOGUE) == set(TaskType)


def test_every_built_in_lambda_suffix_is_covered() -> None:
    suffixes = [spec.lambda_suffix for spec in CATALOGUE.values() if spec.lambda_suffix]
    assert sorted(suffixes) == sorted(BUILT_IN_SUFFIXES)


@pytest.mark.parametrize("task_type", list(TaskType), ids=lambda t: t.value)
def test_ui_is_a_template_element_or_a_hosted_ui(task_type: TaskType) -> None:
    spec = task_type.spec
    assert (spec.ui is UiKind.TEMPLATE) == (spec.crowd_element is not None)
    assert (spec.ui is UiKind.HUMAN_TASK_UI) == (spec.human_task_ui is not None)
    if spec.human_task_ui:
        assert spec.human_task_ui in HOSTED_UIS


@pytest.mark.parametrize("task_type", list(TaskType), ids=lambda t: t.value)
def test_rows_agree_with_the_reference(task_type: TaskType) -> None:
    spec = task_type.spec
    frames = spec.media in (Media.VIDEO_FRAMES, Media.POINT_CLOUD)
    assert spec.mechanical_turk is not frames, "Mechanical Turk takes every task but video frames and 3D"
    assert (spec.cors is Cors.READ_WRITE) is frames
    assert (spec.manifest_key == "source") is (spec.media is Media.TEXT)
    assert spec.max_task_time_seconds == (30 * 24 * 3600 if frames else 8 * 3600)
    if spec.reviews_labels or frames:
        assert spec.auto_labeling_algorithm is None
    if spec.edits_allowed:
        assert spec.reviews_labels


def test_auto_labeling_is_for_exactly_four_task_types() -> None:
    assert {t: s.auto_labeling_algorithm for t, s in CATALOGUE.items() if s.auto_labeling} == {
        TaskType.IMAGE_BOUNDING_BOX: "object-detection",
        TaskType.IMAGE_SINGLE_LABEL: "image-classification",
        TaskType.IMAGE_SEMANTIC_SEGMENTATION: "semantic-segmentation",
        TaskType.TEXT_SINGLE_LABEL: "text-classification",
    }


def test_ref_suffix_rules() -> None:
    required = {t for t, s in CATALOGUE.items() if s.label_attribute_ref is RefSuffix.REQUIRED}
    assert required == {
        TaskType.IMAGE_SEMANTIC_SEGMENTATION,
        TaskType.IMAGE_SEMANTIC_SEGMENTATION_ADJUSTMENT,
        TaskType.VIDEO_FRAME_OBJECT_DETECTION,
        TaskType.VIDEO_FRAME_OBJECT_TRACKING,
        TaskType.VIDEO_FRAME_OBJECT_DETECTION_ADJUSTMENT,
        TaskType.VIDEO_FRAME_OBJECT_TRACKING_ADJUSTMENT,
        TaskType.POINT_CLOUD_OBJECT_TRACKING,
        TaskType.POINT_CLOUD_SEMANTIC_SEGMENTATION,
        TaskType.POINT_CLOUD_OBJECT_TRACKING_ADJUSTMENT,
        TaskType.POINT_CLOUD_SEMANTIC_SEGMENTATION_ADJUSTMENT,
    }
    assert TaskType.IMAGE_SEMANTIC_SEGMENTATION_VERIFICATION.spec.label_attribute_ref is RefSuffix.FORBIDDEN


def test_classification_needs_two_labels() -> None:
    two = {t for t, s in CATALOGUE.items() if s.min_labels == 2}
    assert two == {
        TaskType.IMAGE_SINGLE_LABEL,
        TaskType.IMAGE_MULTI_LABEL,
        TaskType.TEXT_SINGLE_LABEL,
        TaskType.TEXT_MULTI_LABEL,
        TaskType.VIDEO_CLIP_CLASSIFICATION,
    }


def test_readme_shows_the_catalogue() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert catalogue_table() in readme, "regenerate the README table from catalogue_table()"


def test_every_review_task_type_names_the_task_type_it_reviews() -> None:
    reviewing = {task_type for task_type in TaskType if task_type.spec.reviews_labels}
    assert set(REVIEWED_TASK_TYPE) == reviewing
    for review, reviewed in REVIEWED_TASK_TYPE.items():
        assert not reviewed.spec.reviews_labels
        assert review.spec.media is reviewed.spec.media
