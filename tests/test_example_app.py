"""The bundled example app: synthesizes without credentials, clean under cdk-nag and cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks

import app as example_app

#: CDK itself adds DependsOn on a Lambda's role beside the GetAtt that already orders them; the
#: duplicate is harmless and not ours to remove. Every other rule applies.
CFN_LINT_IGNORED = ["W3005"]
#: The feature flags the CLI passes from cdk.json.
CDK_JSON_CONTEXT = json.loads((Path(__file__).parent.parent / "cdk.json").read_text())["context"]


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context=CDK_JSON_CONTEXT)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    example_app.build_app(app)
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag findings make synth fail; show them.
        report = outdir / "validation-report.json"
        details = report.read_text() if report.exists() else ""
        pytest.fail(f"cdk-nag findings in the example app: {error}\n{details[:20000]}")
    return outdir


def test_example_stacks_synthesize(assembly: Path) -> None:
    names = sorted(p.name for p in assembly.glob("*.template.json"))
    assert names == [
        "GroundTruthExample-ProductReviews.template.json",
        "GroundTruthExample-StreetScenes.template.json",
        "GroundTruthExample-Workforce-eu-west-1.template.json",
    ]


def test_cdk_nag_acknowledgments_are_specific_and_explained(assembly: Path) -> None:
    app = cdk.App(context=CDK_JSON_CONTEXT)
    example_app.build_app(app)
    acknowledged: dict[str, str] = {}
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    acknowledged[f"{construct.node.path}: {rule.split('::', 1)[-1]}"] = reason
    assert acknowledged, "the example app acknowledges its findings on specific constructs"
    for where, reason in acknowledged.items():
        rule = where.split(": ", 1)[1]
        assert rule != "AwsSolutions-IAM5", f"{where}: acknowledge each wildcard, not the whole rule"
        assert len(reason) >= 60, f"{where}: the reason must explain itself to a reviewer"
    assert not any(path.startswith("GroundTruthExample-StreetScenes: ") for path in acknowledged), (
        "nothing is acknowledged stack-wide"
    )


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
    template = json.loads((assembly / "GroundTruthExample-StreetScenes.template.json").read_text())
    (job,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::LabelingJob"]
    request = job["Properties"]["LabelingJobRequest"]
    assert request["LabelingJobName"] == "groundtruthexample-streetscenes-vehicles"
    assert request["HumanTaskConfig"]["PublicWorkforceTaskPrice"] == {
        "AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}
    }
    outputs = {o["Description"].rsplit(" (", 1)[0] for o in template["Outputs"].values()}
    assert outputs == {
        "Labeling job name",
        "Labeling job ARN",
        "Labeled output manifest (when the job completes)",
        "The labeling job in the SageMaker console",
    }
