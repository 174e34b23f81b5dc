"""Worker UI templates (Liquid + crowd HTML elements) generated from the catalogue's crowd element.

Ground Truth renders these with Liquid: ``{{ task.input.taskObject }}`` is the data object,
``task.input.labels`` the labels of the label category file, ``task.input.manifestLine`` the whole input
line (earlier labels, for verification and adjustment). Text we put in (header, instructions) is
HTML-escaped and cannot open a Liquid tag.
"""

from __future__ import annotations

import html

from groundtruth_cdk.task_types import Media, TaskTypeSpec, UiKind

CROWD_ELEMENTS_SCRIPT = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'
LABELS_JSON = "{{ task.input.labels | to_json | escape }}"
IMAGE_SOURCE = "{{ task.input.taskObject | grant_read_access }}"
#: What a worker answers in a verification task.
VERIFICATION_CHOICES = ("The labels are correct", "The labels need changes", "Cannot tell")

#: The form field name each element's consolidation Lambda reads.
_FIELD_NAMES = {"crowd-bounding-box": "boundingBox"}
#: Elements whose label list attribute is ``labels``; classifiers take ``categories``.
_LABELS_ATTRIBUTE = {"crowd-bounding-box": "labels", "crowd-semantic-segmentation": "labels"}


def render(
    spec: TaskTypeSpec,
    *,
    header: str,
    short_instructions: str,
    full_instructions: str,
    reviewed_label_attribute_name: str | None = None,
) -> str:
    """The Liquid template for a task type whose UI is a generated template.

    ``header`` is the question shown above the task. The instructions are HTML fragments you wrote; they
    are inserted as they are (so they may hold markup), with Liquid delimiters neutralised.
    ``reviewed_label_attribute_name`` is the earlier job's label attribute, for verification/adjustment.
    """
    if spec.ui is not UiKind.TEMPLATE or spec.crowd_element is None:
        raise ValueError(f"{spec.title} jobs use an AWS-hosted worker UI, not a generated template")
    element = spec.crowd_element
    attributes = [f'name="{_FIELD_NAMES.get(element, element)}"', f'header="{html.escape(header)}"']
    body = ""
    if spec.media is Media.IMAGE:
        attributes.append(f'src="{IMAGE_SOURCE}"')
    elif spec.media is Media.TEXT:
        body = "  <classification-target>{{ task.input.taskObject }}</classification-target>\n"
    elif spec.media is Media.VIDEO_CLIP:
        body = (
            "  <classification-target>\n"
            f'    <video src="{IMAGE_SOURCE}" controls style="max-width: 100%"></video>\n'
            "  </classification-target>\n"
        )
    earlier = _earlier_labels(reviewed_label_attribute_name) if spec.reviews_labels else None
    if earlier is not None and spec.review_overlay is not None:
        choices = html.escape(str(list(VERIFICATION_CHOICES)).replace('"', "'"))
        attributes.append(f'categories="{choices}"')
        overlay_kind = spec.review_overlay
        overlay_value = (
            f"{earlier}.annotations | to_json | escape"
            if overlay_kind == "boundingBox"
            else f"{earlier} | grant_read_access"
        )
        attributes.append(
            f"overlay=\"{{ '{overlay_kind}': {{ 'labels': {LABELS_JSON}, 'value': {{{{ {overlay_value} }}}} }} }}\""
        )
    else:
        attributes.append(f'{_LABELS_ATTRIBUTE.get(element, "categories")}="{LABELS_JSON}"')
        if earlier is not None:
            value = (
                f"{earlier}.annotations | to_json | escape"
                if element == "crowd-bounding-box"
                else f"{earlier} | grant_read_access"
            )
            attributes.append(f'initial-value="{{{{ {value} }}}}"')
    attribute_lines = "".join(f"\n    {attribute}" for attribute in attributes)
    return (
        f"{CROWD_ELEMENTS_SCRIPT}\n"
        "<crowd-form>\n"
        f"  <{element}{attribute_lines}\n  >\n"
        f"{body}"
        f'    <full-instructions header="Instructions">{_inert(full_instructions)}</full-instructions>\n'
        f"    <short-instructions>{_inert(short_instructions)}</short-instructions>\n"
        f"  </{element}>\n"
        "</crowd-form>\n"
    )


def _earlier_labels(attribute: str | None) -> str | None:
    if attribute is None:
        return None
    return f"task.input.manifestLine['{attribute}']"


def _inert(fragment: str) -> str:
    """Keep a user's HTML but stop it from opening Liquid output or tags."""
    return fragment.replace("{{", "&#123;&#123;").replace("{%", "&#123;%")
