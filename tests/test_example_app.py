"""The bundled example app (projects/*.yaml, workforce.yaml): synthesizes without credentials, clean under
cdk-nag (AwsSolutions) and cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks

import app as example_app
from tests.builders import CDK_CONTEXT, synth_under_cdk_nag

ROOT = Path(__file__).resolve().parent.parent
#: CDK itself adds DependsOn on a Lambda's role beside the GetAtt that already orders them; the
#: duplicate is harmless and not ours to remove. Every other rule applies.
CFN_LINT_IGNORED = ["W3005"]
#: The feature flags the CLI passes from cdk.json.
EXAMPLE_PROJECTS = sorted(p.stem for p in (ROOT / "projects").glob("*.yaml"))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.App, Path]:
    """The example app, synthesized once with cdk-nag's AwsSolutions checks (and the directory it went to)."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context=CDK_CONTEXT)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    example_app.build_app(app)
    synth_under_cdk_nag(app, outdir)
    return app, outdir


@pytest.fixture(scope="module")
def assembly(example: tuple[cdk.App, Path]) -> Path:
    return example[1]


def test_the_examples_cover_every_family() -> None:
    assert EXAMPLE_PROJECTS == [
        "lidar-boxes",
        "people-and-obstacles",
        "product-photos",
        "review-sentiment",
        "street-stream",
        "support-entities",
        "traffic-clips",
        "vehicle-tracking",
        "vehicles",
        "vehicles-review",
    ]


def test_example_stacks_synthesize(assembly: Path) -> None:
    names = sorted(p.name.removesuffix(".template.json") for p in assembly.glob("*.template.json"))
    assert names == sorted([*(f"GroundTruth-{name}" for name in EXAMPLE_PROJECTS), "GroundTruth-Workforce-eu-west-1"])


def test_cdk_nag_acknowledgments_are_specific_and_explained(example: tuple[cdk.App, Path]) -> None:
    app, _ = example
    stacks = {stack.node.path for stack in app.node.children if isinstance(stack, cdk.Stack)}
    acknowledged: dict[str, str] = {}
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    acknowledged[f"{construct.node.path}: {rule.split('::', 1)[-1]}"] = reason
    assert acknowledged, "the example app acknowledges its findings on specific constructs"
    for where, reason in acknowledged.items():
        path, rule = where.split(": ", 1)
        assert rule != "AwsSolutions-IAM5", f"{where}: acknowledge each wildcard, not the whole rule"
        assert len(reason) >= 60, f"{where}: the reason must explain itself to a reviewer"
        assert path not in stacks, f"{where}: nothing is acknowledged stack-wide"


def test_cfn_lint_reports_nothing(assembly: Path) -> None:
    templates = sorted(str(p) for p in assembly.glob("*.template.json"))
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--ignore-checks", *CFN_LINT_IGNORED, "--", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_request_is_readable_in_the_template(assembly: Path) -> None:
    template = json.loads((assembly / "GroundTruth-product-photos.template.json").read_text())
    (job,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::LabelingJob"]
    request = job["Properties"]["LabelingJobRequest"]
    assert request["LabelingJobName"] == "product-photos"
    assert request["HumanTaskConfig"]["PublicWorkforceTaskPrice"] == {
        "AmountInUsd": {"Dollars": 0, "Cents": 1, "TenthFractionsOfACent": 2}
    }
    assert request["InputConfig"]["DataAttributes"]["ContentClassifiers"] == [
        "FreeOfAdultContent",
        "FreeOfPersonallyIdentifiableInformation",
    ]
    outputs = {o["Description"].rsplit(" (", 1)[0] for o in template["Outputs"].values()}
    assert outputs == {
        "Labeling job name",
        "Labeling job ARN",
        "Labeled output manifest (when the job completes)",
        "The labeling job in the SageMaker console",
    }


def test_project_stacks_depend_on_their_workforce_stack(assembly: Path) -> None:
    manifest = json.loads((assembly / "manifest.json").read_text())["artifacts"]
    for name in EXAMPLE_PROJECTS:
        depends = set(manifest[f"GroundTruth-{name}"].get("dependencies", []))
        uses_team = name not in ("product-photos", "support-entities")
        assert ("GroundTruth-Workforce-eu-west-1" in depends) is uses_team, name


def test_the_review_follows_the_vehicles_project(assembly: Path) -> None:
    manifest = json.loads((assembly / "manifest.json").read_text())["artifacts"]
    assert "GroundTruth-vehicles" in manifest["GroundTruth-vehicles-review"]["dependencies"]
    template = json.loads((assembly / "GroundTruth-vehicles-review.template.json").read_text())
    (job,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::LabelingJob"]
    # It follows the vehicles project's name prefix: no export of the vehicles job's name ties the stacks.
    assert job["Properties"]["FollowsJob"] == {
        "LabelingJobNamePrefix": "vehicles",
        "UseOutputManifest": True,
        "UseFinalModel": False,
    }
    assert "LabelingJobName" not in json.dumps(_imports(template))
    assert "PRE-VerificationBoundingBox" in json.dumps(
        job["Properties"]["LabelingJobRequest"]["HumanTaskConfig"]["PreHumanTaskLambdaArn"]
    )


def _imports(value: object) -> list[object]:
    """Every ``Fn::ImportValue`` argument in ``value`` (a template or part of one)."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "Fn::ImportValue"] + [
            i for v in value.values() for i in _imports(v)
        ]
    if isinstance(value, list):
        return [i for v in value for i in _imports(v)]
    return []


def test_handler_assets_are_self_contained(assembly: Path) -> None:
    """Each Python handler asset holds the shared module as a file and imports the way Lambda does."""
    handler_assets = [a for a in assembly.glob("asset.*") if (a / "index.py").exists()]
    assert len(handler_assets) == 2, "the labeling job and the workforce handlers"
    for asset in handler_assets:
        shared = asset / "aws_calls.py"
        assert shared.is_file()
        assert not shared.is_symlink()
        result = subprocess.run(
            [sys.executable, "-c", "import index"], cwd=asset, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
