"""The task-type catalogue: every fact about a Ground Truth task type, one row each.

Constructs, validation, worker templates, the CLI and the tests read :data:`CATALOGUE`; nothing else
in the package branches on a task type by name. Sources: the SageMaker API model (botocore), the
SageMaker Developer Guide; see ``shared/reference/ground-truth.md`` for the table this mirrors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from types import MappingProxyType


class Media(Enum):
    """What a data object is, which decides the manifest key and the CORS rule."""

    IMAGE = "image"
    TEXT = "text"
    VIDEO_CLIP = "video clip"
    VIDEO_FRAMES = "video frames"
    POINT_CLOUD = "3D point cloud"
    CUSTOM = "custom"


class DataType(Enum):
    """What automated data setup (``S3Data``) looks for under an S3 prefix."""

    #: ``.jpg .jpeg .png`` objects, one data object each.
    IMAGE = "image"
    #: ``.txt`` and ``.csv`` objects, one data object per non-empty line (or CSV row).
    TEXT = "text"
    #: ``.mp4 .webm .ogg`` objects, one data object each.
    VIDEO_CLIP = "video-clip"
    #: One sequence per sub-folder of frame images.
    VIDEO_FRAMES = "video-frames"


#: The data type automated data setup finds for each kind of media; 3D point clouds need a manifest.
DATA_TYPES_OF_MEDIA: Mapping[Media, tuple[DataType, ...]] = MappingProxyType(
    {
        Media.IMAGE: (DataType.IMAGE,),
        Media.TEXT: (DataType.TEXT,),
        Media.VIDEO_CLIP: (DataType.VIDEO_CLIP,),
        Media.VIDEO_FRAMES: (DataType.VIDEO_FRAMES,),
        Media.POINT_CLOUD: (),
        Media.CUSTOM: (DataType.IMAGE, DataType.TEXT, DataType.VIDEO_CLIP),
    }
)


class RefSuffix(Enum):
    """Whether the label attribute name must, must not, or may end with ``-ref``."""

    REQUIRED = "must end with '-ref'"
    FORBIDDEN = "must not end with '-ref'"
    ALLOWED = "may end with '-ref'"


class Cors(Enum):
    """The S3 CORS rule the data buckets need so the worker UI can load the data."""

    NONE = "none"
    READ = "GET from any origin on the input bucket"
    READ_WRITE = "GET/HEAD/PUT from any origin on the input and output buckets"


class UiKind(Enum):
    """How the worker UI is given to CreateLabelingJob."""

    TEMPLATE = "UiTemplateS3Uri (a generated Liquid template)"
    HUMAN_TASK_UI = "HumanTaskUiArn (an AWS-hosted UI)"
    CUSTOM_TEMPLATE = "UiTemplateS3Uri (the user's Liquid template)"


#: Time limits in seconds (API reference of ``TaskTimeLimitInSeconds``).
EIGHT_HOURS = 8 * 3600
THIRTY_DAYS = 30 * 24 * 3600

_CLASSIFICATION_PRICES = tuple(Decimal(p) for p in ("0.012", "0.024"))
_BOUNDING_BOX_PRICES = tuple(
    Decimal(p)
    for p in (
        "0.036",
        "0.048",
        "0.060",
        "0.072",
        "0.120",
        "0.240",
        "0.360",
        "0.480",
        "0.600",
        "0.720",
        "0.840",
        "0.960",
        "1.080",
        "1.200",
    )
)
_SEGMENTATION_PRICES = tuple(Decimal(p) for p in ("0.840", "0.960", "1.080", "1.200"))


class TaskType(Enum):
    """A built-in Ground Truth task type, or ``CUSTOM`` (your template and Lambdas).

    Every fact about a member is in :data:`CATALOGUE`; read it through :attr:`spec`.
    """

    IMAGE_BOUNDING_BOX = "image-bounding-box"
    IMAGE_SINGLE_LABEL = "image-single-label"
    IMAGE_MULTI_LABEL = "image-multi-label"
    IMAGE_SEMANTIC_SEGMENTATION = "image-semantic-segmentation"
    IMAGE_BOUNDING_BOX_VERIFICATION = "image-bounding-box-verification"
    IMAGE_BOUNDING_BOX_ADJUSTMENT = "image-bounding-box-adjustment"
    IMAGE_SEMANTIC_SEGMENTATION_VERIFICATION = "image-semantic-segmentation-verification"
    IMAGE_SEMANTIC_SEGMENTATION_ADJUSTMENT = "image-semantic-segmentation-adjustment"
    TEXT_SINGLE_LABEL = "text-single-label"
    TEXT_MULTI_LABEL = "text-multi-label"
    TEXT_NAMED_ENTITY_RECOGNITION = "text-named-entity-recognition"
    VIDEO_CLIP_CLASSIFICATION = "video-clip-classification"
    VIDEO_FRAME_OBJECT_DETECTION = "video-frame-object-detection"
    VIDEO_FRAME_OBJECT_TRACKING = "video-frame-object-tracking"
    VIDEO_FRAME_OBJECT_DETECTION_ADJUSTMENT = "video-frame-object-detection-adjustment"
    VIDEO_FRAME_OBJECT_TRACKING_ADJUSTMENT = "video-frame-object-tracking-adjustment"
    POINT_CLOUD_OBJECT_DETECTION = "point-cloud-object-detection"
    POINT_CLOUD_OBJECT_TRACKING = "point-cloud-object-tracking"
    POINT_CLOUD_SEMANTIC_SEGMENTATION = "point-cloud-semantic-segmentation"
    POINT_CLOUD_OBJECT_DETECTION_ADJUSTMENT = "point-cloud-object-detection-adjustment"
    POINT_CLOUD_OBJECT_TRACKING_ADJUSTMENT = "point-cloud-object-tracking-adjustment"
    POINT_CLOUD_SEMANTIC_SEGMENTATION_ADJUSTMENT = "point-cloud-semantic-segmentation-adjustment"
    CUSTOM = "custom"

    @property
    def spec(self) -> TaskTypeSpec:
        """This task type's row in the catalogue."""
        return CATALOGUE[self]


@dataclass(frozen=True)
class TaskTypeSpec:
    """One row of the catalogue. Limits are inclusive; ``None`` means no limit applies."""

    title: str
    media: Media
    #: Suffix of the AWS-owned ``PRE-<suffix>`` / ``ACS-<suffix>`` Lambdas; ``None``: the user's own.
    lambda_suffix: str | None
    ui: UiKind
    #: The crowd HTML element of the generated template (``UiKind.TEMPLATE`` only).
    crowd_element: str | None = None
    #: ``<Name>`` of ``arn:aws:sagemaker:<region>:394669845002:human-task-ui/<Name>``.
    human_task_ui: str | None = None
    manifest_key: str = "source-ref"
    label_attribute_ref: RefSuffix = RefSuffix.FORBIDDEN
    min_labels: int = 1
    max_labels: int | None = 30
    max_task_time_seconds: int = EIGHT_HOURS
    #: Price points (USD per object per worker) the public Mechanical Turk workforce accepts;
    #: empty: Mechanical Turk is not available for this task type.
    mechanical_turk_prices: tuple[Decimal, ...] = ()
    #: ``<name>`` of the ``labeling-job-algorithm-specification/<name>`` for auto-labeling.
    auto_labeling_algorithm: str | None = None
    cors: Cors = Cors.READ
    #: Reviews labels of an earlier job (verification/adjustment): needs its label attribute name.
    reviews_labels: bool = False
    #: ``editsAllowed`` of the label category file for video/3D review jobs.
    edits_allowed: str | None = None
    #: The ``overlay`` kind a verification template shows the earlier labels with.
    review_overlay: str | None = None
    #: At most this many data objects per job.
    max_objects: int = 100_000

    @property
    def manifest_keys(self) -> tuple[str, ...]:
        """The data keys a manifest line may use: a custom task reads whichever its template needs."""
        return ("source-ref", "source") if self.media is Media.CUSTOM else (self.manifest_key,)

    @property
    def data_types(self) -> tuple[DataType, ...]:
        """What automated data setup can find for this task type (none: it reviews or needs a manifest)."""
        return () if self.reviews_labels else DATA_TYPES_OF_MEDIA[self.media]

    @property
    def mechanical_turk(self) -> bool:
        """Whether the public Mechanical Turk workforce may work on this task type."""
        return bool(self.mechanical_turk_prices)

    @property
    def auto_labeling(self) -> bool:
        """Whether automated data labeling (active learning) is available."""
        return self.auto_labeling_algorithm is not None

    @property
    def label_category_document(self) -> tuple[str, str]:
        """The (key, value) naming the label category file's schema version."""
        if self.media in (Media.VIDEO_FRAMES, Media.POINT_CLOUD):
            return ("documentVersion", "2020-03-01")
        return ("document-version", "2018-11-28")


def _video_frames(title: str, suffix: str, ui: str, *, edits: str | None = None) -> TaskTypeSpec:
    return TaskTypeSpec(
        title=title,
        media=Media.VIDEO_FRAMES,
        lambda_suffix=suffix,
        ui=UiKind.HUMAN_TASK_UI,
        human_task_ui=ui,
        label_attribute_ref=RefSuffix.REQUIRED,
        max_task_time_seconds=THIRTY_DAYS,
        cors=Cors.READ_WRITE,
        reviews_labels=edits is not None,
        edits_allowed=edits,
    )


def _point_cloud(title: str, suffix: str, ui: str, ref: RefSuffix, *, edits: str | None = None) -> TaskTypeSpec:
    return TaskTypeSpec(
        title=title,
        media=Media.POINT_CLOUD,
        lambda_suffix=suffix,
        ui=UiKind.HUMAN_TASK_UI,
        human_task_ui=ui,
        label_attribute_ref=ref,
        max_task_time_seconds=THIRTY_DAYS,
        cors=Cors.READ_WRITE,
        reviews_labels=edits is not None,
        edits_allowed=edits,
    )


_T = TaskType
CATALOGUE: Mapping[TaskType, TaskTypeSpec] = MappingProxyType(
    {
        _T.IMAGE_BOUNDING_BOX: TaskTypeSpec(
            title="Image: bounding box",
            media=Media.IMAGE,
            lambda_suffix="BoundingBox",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-bounding-box",
            max_labels=50,
            mechanical_turk_prices=_BOUNDING_BOX_PRICES,
            auto_labeling_algorithm="object-detection",
        ),
        _T.IMAGE_SINGLE_LABEL: TaskTypeSpec(
            title="Image: classification (single label)",
            media=Media.IMAGE,
            lambda_suffix="ImageMultiClass",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-image-classifier",
            min_labels=2,
            max_labels=30,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
            auto_labeling_algorithm="image-classification",
        ),
        _T.IMAGE_MULTI_LABEL: TaskTypeSpec(
            title="Image: classification (multi-label)",
            media=Media.IMAGE,
            lambda_suffix="ImageMultiClassMultiLabel",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-image-classifier-multi-select",
            min_labels=2,
            max_labels=50,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
        ),
        _T.IMAGE_SEMANTIC_SEGMENTATION: TaskTypeSpec(
            title="Image: semantic segmentation",
            media=Media.IMAGE,
            lambda_suffix="SemanticSegmentation",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-semantic-segmentation",
            label_attribute_ref=RefSuffix.REQUIRED,
            max_labels=20,
            mechanical_turk_prices=_SEGMENTATION_PRICES,
            auto_labeling_algorithm="semantic-segmentation",
            max_objects=20_000,
        ),
        _T.IMAGE_BOUNDING_BOX_VERIFICATION: TaskTypeSpec(
            title="Image: bounding box verification",
            media=Media.IMAGE,
            lambda_suffix="VerificationBoundingBox",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-image-classifier",
            max_labels=50,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
            reviews_labels=True,
            review_overlay="boundingBox",
        ),
        _T.IMAGE_BOUNDING_BOX_ADJUSTMENT: TaskTypeSpec(
            title="Image: bounding box adjustment",
            media=Media.IMAGE,
            lambda_suffix="AdjustmentBoundingBox",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-bounding-box",
            max_labels=50,
            mechanical_turk_prices=_BOUNDING_BOX_PRICES,
            reviews_labels=True,
        ),
        _T.IMAGE_SEMANTIC_SEGMENTATION_VERIFICATION: TaskTypeSpec(
            title="Image: semantic segmentation verification",
            media=Media.IMAGE,
            lambda_suffix="VerificationSemanticSegmentation",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-image-classifier",
            label_attribute_ref=RefSuffix.FORBIDDEN,
            max_labels=20,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
            reviews_labels=True,
            review_overlay="semanticSegmentation",
            max_objects=20_000,
        ),
        _T.IMAGE_SEMANTIC_SEGMENTATION_ADJUSTMENT: TaskTypeSpec(
            title="Image: semantic segmentation adjustment",
            media=Media.IMAGE,
            lambda_suffix="AdjustmentSemanticSegmentation",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-semantic-segmentation",
            label_attribute_ref=RefSuffix.REQUIRED,
            max_labels=20,
            mechanical_turk_prices=_SEGMENTATION_PRICES,
            reviews_labels=True,
            max_objects=20_000,
        ),
        _T.TEXT_SINGLE_LABEL: TaskTypeSpec(
            title="Text: classification (single label)",
            media=Media.TEXT,
            lambda_suffix="TextMultiClass",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-classifier",
            manifest_key="source",
            min_labels=2,
            max_labels=30,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
            auto_labeling_algorithm="text-classification",
        ),
        _T.TEXT_MULTI_LABEL: TaskTypeSpec(
            title="Text: classification (multi-label)",
            media=Media.TEXT,
            lambda_suffix="TextMultiClassMultiLabel",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-classifier-multi-select",
            manifest_key="source",
            min_labels=2,
            max_labels=50,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
        ),
        _T.TEXT_NAMED_ENTITY_RECOGNITION: TaskTypeSpec(
            title="Text: named entity recognition",
            media=Media.TEXT,
            lambda_suffix="NamedEntityRecognition",
            ui=UiKind.HUMAN_TASK_UI,
            human_task_ui="NamedEntityRecognition",
            manifest_key="source",
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
        ),
        _T.VIDEO_CLIP_CLASSIFICATION: TaskTypeSpec(
            title="Video: clip classification",
            media=Media.VIDEO_CLIP,
            lambda_suffix="VideoMultiClass",
            ui=UiKind.TEMPLATE,
            crowd_element="crowd-classifier",
            min_labels=2,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
        ),
        _T.VIDEO_FRAME_OBJECT_DETECTION: _video_frames(
            "Video frames: object detection", "VideoObjectDetection", "VideoObjectDetection"
        ),
        _T.VIDEO_FRAME_OBJECT_TRACKING: _video_frames(
            "Video frames: object tracking", "VideoObjectTracking", "VideoObjectTracking"
        ),
        _T.VIDEO_FRAME_OBJECT_DETECTION_ADJUSTMENT: _video_frames(
            "Video frames: object detection adjustment",
            "AdjustmentVideoObjectDetection",
            "VideoObjectDetection",
            edits="any",
        ),
        _T.VIDEO_FRAME_OBJECT_TRACKING_ADJUSTMENT: _video_frames(
            "Video frames: object tracking adjustment",
            "AdjustmentVideoObjectTracking",
            "VideoObjectTracking",
            edits="any",
        ),
        _T.POINT_CLOUD_OBJECT_DETECTION: _point_cloud(
            "3D point cloud: object detection",
            "3DPointCloudObjectDetection",
            "PointCloudObjectDetection",
            RefSuffix.ALLOWED,
        ),
        _T.POINT_CLOUD_OBJECT_TRACKING: _point_cloud(
            "3D point cloud: object tracking",
            "3DPointCloudObjectTracking",
            "PointCloudObjectTracking",
            RefSuffix.REQUIRED,
        ),
        _T.POINT_CLOUD_SEMANTIC_SEGMENTATION: _point_cloud(
            "3D point cloud: semantic segmentation",
            "3DPointCloudSemanticSegmentation",
            "PointCloudSemanticSegmentation",
            RefSuffix.REQUIRED,
        ),
        _T.POINT_CLOUD_OBJECT_DETECTION_ADJUSTMENT: _point_cloud(
            "3D point cloud: object detection adjustment",
            "Adjustment3DPointCloudObjectDetection",
            "PointCloudObjectDetection",
            RefSuffix.ALLOWED,
            edits="any",
        ),
        _T.POINT_CLOUD_OBJECT_TRACKING_ADJUSTMENT: _point_cloud(
            "3D point cloud: object tracking adjustment",
            "Adjustment3DPointCloudObjectTracking",
            "PointCloudObjectTracking",
            RefSuffix.REQUIRED,
            edits="any",
        ),
        _T.POINT_CLOUD_SEMANTIC_SEGMENTATION_ADJUSTMENT: _point_cloud(
            "3D point cloud: semantic segmentation adjustment",
            "Adjustment3DPointCloudSemanticSegmentation",
            "PointCloudSemanticSegmentation",
            RefSuffix.REQUIRED,
            edits="any",
        ),
        _T.CUSTOM: TaskTypeSpec(
            title="Custom: your Liquid template and PRE/ACS Lambdas",
            media=Media.CUSTOM,
            lambda_suffix=None,
            ui=UiKind.CUSTOM_TEMPLATE,
            label_attribute_ref=RefSuffix.ALLOWED,
            min_labels=0,
            max_labels=None,
            mechanical_turk_prices=_CLASSIFICATION_PRICES + _BOUNDING_BOX_PRICES,
        ),
    }
)

#: Label attribute names Ground Truth reserves for the manifest's data keys.
RESERVED_LABEL_ATTRIBUTE_NAMES = frozenset({"source", "source-ref"})

#: A public (Mechanical Turk) task is available for at most 12 hours; private and vendor: 30 days.
MAX_PUBLIC_AVAILABILITY_SECONDS = 12 * 3600
MAX_PRIVATE_AVAILABILITY_SECONDS = THIRTY_DAYS


#: Review task types (verification and adjustment) -> the task type whose labels they review.
REVIEWED_TASK_TYPE: Mapping[TaskType, TaskType] = MappingProxyType(
    {
        _T.IMAGE_BOUNDING_BOX_VERIFICATION: _T.IMAGE_BOUNDING_BOX,
        _T.IMAGE_BOUNDING_BOX_ADJUSTMENT: _T.IMAGE_BOUNDING_BOX,
        _T.IMAGE_SEMANTIC_SEGMENTATION_VERIFICATION: _T.IMAGE_SEMANTIC_SEGMENTATION,
        _T.IMAGE_SEMANTIC_SEGMENTATION_ADJUSTMENT: _T.IMAGE_SEMANTIC_SEGMENTATION,
        _T.VIDEO_FRAME_OBJECT_DETECTION_ADJUSTMENT: _T.VIDEO_FRAME_OBJECT_DETECTION,
        _T.VIDEO_FRAME_OBJECT_TRACKING_ADJUSTMENT: _T.VIDEO_FRAME_OBJECT_TRACKING,
        _T.POINT_CLOUD_OBJECT_DETECTION_ADJUSTMENT: _T.POINT_CLOUD_OBJECT_DETECTION,
        _T.POINT_CLOUD_OBJECT_TRACKING_ADJUSTMENT: _T.POINT_CLOUD_OBJECT_TRACKING,
        _T.POINT_CLOUD_SEMANTIC_SEGMENTATION_ADJUSTMENT: _T.POINT_CLOUD_SEMANTIC_SEGMENTATION,
    }
)


def catalogue_table() -> str:
    """The catalogue as a Markdown table (the README shows it; a test keeps the two equal)."""
    header = (
        "| `TaskType` | PRE/ACS suffix | worker UI | data key | label attribute | labels | max task time "
        "| Mechanical Turk | auto-labeling | CORS |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for task_type, spec in CATALOGUE.items():
        ui = (
            f"`<{spec.crowd_element}>`"
            if spec.crowd_element
            else f"hosted `{spec.human_task_ui}`"
            if spec.human_task_ui
            else "your template"
        )
        labels = f"{spec.min_labels}..{spec.max_labels}" if spec.max_labels else f"{spec.min_labels}+"
        keys = " or ".join(f"`{key}`" for key in spec.manifest_keys)
        hours = spec.max_task_time_seconds // 3600
        time_limit = f"{hours // 24} days" if hours >= 24 else f"{hours} h"
        rows.append(
            f"| `{task_type.name}` | {spec.lambda_suffix or 'yours'} | {ui} | {keys} "
            f"| {spec.label_attribute_ref.value} | {labels} | {time_limit} "
            f"| {'yes' if spec.mechanical_turk else 'no'} | {spec.auto_labeling_algorithm or '-'} "
            f"| {spec.cors.name.lower().replace('_', '/')} |"
        )
    return header + "\n".join(rows) + "\n"
