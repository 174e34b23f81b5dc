"""Review gates on the example app: five cdk-nag packs and checkov, and the security doc that explains them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks

import app as example_app
from groundtruth_cdk.compliance import EXEMPTIONS, security_table
from tests.builders import CDK_CONTEXT, synth_under_cdk_nag

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("gates")
    app = cdk.App(outdir=str(outdir), context=CDK_CONTEXT)
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        HIPAASecurityChecks(app),
        NIST80053R5Checks(app),
        PCIDSS321Checks(app),
        ServerlessChecks(app),
    )
    example_app.build_app(app)
    synth_under_cdk_nag(app, outdir)
    return outdir


def test_every_pack_passes(assembly: Path) -> None:
    assert list(assembly.glob("*.template.json"))


def test_checkov_has_no_failed_check_and_every_skip_is_explained(assembly: Path) -> None:
    if not CHECKOV.exists():
        pytest.fail("checkov is not installed: run `make setup` (it creates .venv-checkov)")
    result = subprocess.run(
        [str(CHECKOV), "-d", str(assembly), "--framework", "cloudformation", "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for report in reports
        for check in report["results"]["failed_checks"]
    ]
    assert failed == [], "checkov failed checks:\n" + "\n".join(failed)
    skipped = [check for report in reports for check in report["results"]["skipped_checks"]]
    assert skipped, "the deploy-time functions' exemptions reach checkov"
    for check in skipped:
        assert len(check["check_result"].get("suppress_comment", "")) >= 60, check["check_id"]


def test_security_doc_lists_every_exemption() -> None:
    doc = (ROOT / "docs" / "security.md").read_text()
    assert security_table() in doc, "regenerate docs/security.md's table from compliance.security_table()"
    assert all(exemption.reason for exemptions in EXEMPTIONS.values() for exemption in exemptions)
