"""The DataSetup property end to end: on_event builds the manifest, creates the job, reports counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from groundtruth_cdk.handlers.labeling_job import data_setup

from .builders import (
    ARTIFACTS_BUCKET,
    artifact_uri,
    cloudformation_response,
    create_event,
    describe_response,
    expected_data,
    is_complete_event,
    job_arn,
    manifest_lines,
    prefix_setup,
    properties,
    put_objects,
    reference_name,
    source_refs,
    typed_request,
)

HANDLER_ROOT = Path(data_setup.__file__).parent
IMAGES = ["data/a.jpg", "data/b.png"]


class _Context:
    """A Lambda context with ``remaining_ms`` left."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _event(**setup: Any) -> dict[str, Any]:
    return create_event(properties(ManifestLines=None, DataSetup=prefix_setup(**setup)))


def _artifact_keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=ARTIFACTS_BUCKET).get("Contents", [])]


def test_on_event_builds_the_manifest_and_creates_the_job_with_it(
    handler: ModuleType, sagemaker: Stubber, s3: Any, data_bucket: str
) -> None:
    put_objects(s3, [*IMAGES, "data/notes.txt"])
    event = _event(OnMismatch="skip")
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    result = handler.on_event(event, _Context(900_000))

    assert result == {
        "PhysicalResourceId": name,
        "Data": {
            **expected_data(name),
            "ObjectCount": "2",
            "SkippedObjectCount": "1",
            "DataSetupNotes": "skipped 1 object that is not images (.jpg, .jpeg, .png)",
        },
        "AdoptedExistingJob": False,
    }
    assert manifest_lines(s3, artifact_uri(name, "input.manifest")) == source_refs(IMAGES)
    assert sorted(_artifact_keys(s3)) == sorted(
        f"labeling/inputs/{name}/{file}" for file in ("label-categories.json", "template.liquid", "input.manifest")
    )


def test_without_notes_the_data_has_empty_notes(
    handler: ModuleType, sagemaker: Stubber, s3: Any, data_bucket: str
) -> None:
    put_objects(s3, IMAGES)
    event = _event()
    name = reference_name(event)
    sagemaker.add_response("create_labeling_job", {"LabelingJobArn": job_arn(name)}, typed_request(name))

    data = handler.on_event(event, None)["Data"]

    assert (data["ObjectCount"], data["SkippedObjectCount"], data["DataSetupNotes"]) == ("2", "0", "")


def test_a_failed_setup_fails_before_anything_is_written_or_created(
    handler: ModuleType, sagemaker: Stubber, s3: Any, data_bucket: str
) -> None:
    put_objects(s3, ["data/a.gif"])

    with pytest.raises(handler.LabelingJobError, match=r"1 of the objects under s3://data-bucket/data/ is not"):
        handler.on_event(_event(), None)

    assert _artifact_keys(s3) == []


def test_an_invalid_setup_is_reported_like_any_invalid_property(handler: ModuleType, sagemaker: Stubber) -> None:
    event = create_event(properties(ManifestLines=None, DataSetup=prefix_setup(DataType="audio")))

    with pytest.raises(handler.LabelingJobError, match=r"Property DataSetup\.DataType must be one of"):
        handler.on_event(event, None)


def test_data_setup_and_manifest_lines_do_not_go_together(handler: ModuleType, sagemaker: Stubber) -> None:
    event = create_event(properties(DataSetup=prefix_setup()))

    with pytest.raises(handler.LabelingJobError, match="DataSetup and ManifestLines cannot be used together"):
        handler.on_event(event, None)


def test_a_data_setup_needs_the_artifacts_location(handler: ModuleType, sagemaker: Stubber) -> None:
    props = properties(ManifestLines=None, LabelCategoryConfig=None, UiTemplate=None, ArtifactsS3Uri=None)
    props["DataSetup"] = prefix_setup()

    with pytest.raises(handler.LabelingJobError, match="Missing required property ArtifactsS3Uri"):
        handler.on_event(create_event(props), None)


def test_the_data_bucket_must_be_in_the_stack_region(
    handler: ModuleType, sagemaker: Stubber, s3: Any, data_bucket: str
) -> None:
    put_objects(s3, IMAGES)
    stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/guid"
    event = create_event(properties(ManifestLines=None, DataSetup=prefix_setup()), stack_id=stack_id)

    with pytest.raises(handler.LabelingJobError, match="is in us-east-1 but the labeling job is in eu-west-1"):
        handler.on_event(event, None)


def test_a_setup_that_runs_out_of_lambda_time_fails_clearly(
    handler: ModuleType, sagemaker: Stubber, s3: Any, data_bucket: str
) -> None:
    put_objects(s3, IMAGES)

    with pytest.raises(handler.LabelingJobError, match="Data setup ran out of time after listing 0 objects"):
        handler.on_event(_event(), _Context(20_000))


def test_the_job_name_changes_with_the_data_setup(handler: ModuleType) -> None:
    first = _event(Prefix="data/")
    second = _event(Prefix="other/")

    assert reference_name(first) != reference_name(second)
    for event in (first, second):
        name = handler.job_name(
            "my-project-job",
            event["ResourceProperties"],
            stack_id=event["StackId"],
            logical_id=event["LogicalResourceId"],
        )
        assert name == reference_name(event)


# --------------------------------------------------------------------------------------------------
# is_complete and the response
# --------------------------------------------------------------------------------------------------

SETUP_DATA = {"ObjectCount": "2", "SkippedObjectCount": "1", "DataSetupNotes": "skipped 1 objects"}


def test_is_complete_passes_the_data_setup_keys_on(handler: ModuleType, sagemaker: Stubber) -> None:
    name = reference_name(create_event())
    sagemaker.add_response("describe_labeling_job", describe_response(name, "InProgress"), {"LabelingJobName": name})
    event = is_complete_event("Create", name, Data={**expected_data(name), **SETUP_DATA}, AdoptedExistingJob=False)

    result = handler.is_complete(event, None)

    assert result == {"IsComplete": True, "Data": {**expected_data(name), **SETUP_DATA}}


def test_is_complete_adds_no_data_setup_keys_without_a_setup(handler: ModuleType, sagemaker: Stubber) -> None:
    name = reference_name(create_event())
    sagemaker.add_response("describe_labeling_job", describe_response(name, "InProgress"), {"LabelingJobName": name})

    result = handler.is_complete(is_complete_event("Create", name, Data=expected_data(name)), None)

    assert result == {"IsComplete": True, "Data": expected_data(name)}


def test_long_notes_are_truncated_and_the_response_stays_small(handler: ModuleType) -> None:
    outcome = data_setup.Outcome(manifest_uri="s3://b/k", object_count=1, skipped_count=0, notes=("n\u00e9" * 2000,))
    name = reference_name(create_event())
    output_path = "s3://out-bucket/" + "p" * 1000 + "/"

    setup_data = handler._outcome_data(outcome)
    data = {**expected_data(name, output_path=output_path), **setup_data}

    assert len(json.dumps(setup_data["DataSetupNotes"], ensure_ascii=False).encode()) <= 502
    assert setup_data["DataSetupNotes"].endswith("...")
    assert len(cloudformation_response(create_event(), {"PhysicalResourceId": name, "Data": data})) < 4096


# --------------------------------------------------------------------------------------------------
# Packaging
# --------------------------------------------------------------------------------------------------


def test_lambda_loads_index_and_data_setup_as_top_level_modules() -> None:
    """Lambda's code root is the handler folder: ``index`` must find ``data_setup`` beside it."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import index; "
        "assert index.data_setup.__name__ == 'data_setup', index.data_setup.__name__; "
        "assert 'groundtruth_cdk' not in sys.modules; print('ok')"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(HANDLER_ROOT)],
        capture_output=True,
        text=True,
        check=False,
        cwd=HANDLER_ROOT,
    )

    assert completed.stdout.strip() == "ok", completed.stderr
