"""infra/check.py: the gate finds syntax errors, failed checks and skips without reasons."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.infra.templates import INFRA_DIR


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("infra_check", INFRA_DIR / "check.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def _checkov_result(**results):
    summary = {
        "passed": 3,
        "failed": len(results.get("failed_checks", [])),
        "skipped": len(results.get("skipped_checks", [])),
        "parsing_errors": len(results.get("parsing_errors", [])),
        "resource_count": 2,
        "checkov_version": "3.3.30",
    }
    return {"check_type": "bicep", "summary": summary, "results": results}


def _skipped(check_id, reason, path="/modules/a.bicep"):
    return {
        "check_id": check_id,
        "file_path": path,
        "resource": "Microsoft.Web/sites.site",
        "check_result": {"result": "SKIPPED", "suppress_comment": reason},
    }


def test_syntax_error_is_problem(check, tmp_path):
    (tmp_path / "good.bicep").write_text("param name string\n")
    (tmp_path / "bad.bicep").write_text("resource x 'A/b@2024-01-01' = {\n")
    report = check.Report()

    check.check_syntax(tmp_path, check.bicep_files(tmp_path), report)

    assert len(report.problems) == 1
    assert report.problems[0].startswith("bad.bicep: pycep-parser cannot parse it")
    assert report.lines == ["pycep-parser: 1 of 2 Bicep files parse"]


def test_skip_without_reason_is_problem(check, tmp_path):
    (tmp_path / "a.bicep").write_text(
        "resource x 'A/b@2024-01-01' = {\n"
        "  // checkov:skip=CKV_AZURE_1\n"
        "  // checkov:skip=CKV_AZURE_2: a written reason\n"
        "  name: 'x'\n}\n"
    )
    report = check.Report()

    skips = check.written_skips(tmp_path, check.bicep_files(tmp_path), report)

    assert skips == {("a.bicep", "CKV_AZURE_1"), ("a.bicep", "CKV_AZURE_2")}
    assert len(report.problems) == 1
    assert "a.bicep:2: skip of CKV_AZURE_1 has no reason" in report.problems[0]


def test_clean_checkov_result_passes(check):
    report = check.Report()
    data = _checkov_result(skipped_checks=[_skipped("CKV_AZURE_1", "a reason")])

    check.check_checkov(data, {("modules/a.bicep", "CKV_AZURE_1")}, report)

    assert report.problems == []
    assert report.warnings == []
    assert report.lines[0].startswith("checkov 3.3.30: 3 passed, 0 failed, 1 skipped")


def test_failed_check_is_problem(check):
    failed = {
        "check_id": "CKV_AZURE_14",
        "check_name": "Ensure web app redirects all HTTP traffic to HTTPS",
        "file_path": "/modules/a.bicep",
        "file_line_range": [4, 20],
        "resource": "Microsoft.Web/sites.site",
    }
    report = check.Report()

    check.check_checkov(_checkov_result(failed_checks=[failed]), set(), report)

    assert len(report.problems) == 1
    assert report.problems[0].startswith("modules/a.bicep:4-20: CKV_AZURE_14 failed")


def test_parsing_error_is_problem(check):
    report = check.Report()
    data = _checkov_result(parsing_errors=["/work/infra/modules/a.bicep"])

    check.check_checkov(data, set(), report)

    assert report.problems == ["checkov cannot parse /work/infra/modules/a.bicep"]


def test_parsing_error_count_alone_is_problem(check):
    report = check.Report()
    data = _checkov_result()
    data["summary"]["parsing_errors"] = 2

    check.check_checkov(data, set(), report)

    assert report.problems == ["checkov reports 2 parsing errors"]


def test_checkov_default_reason_is_problem(check):
    report = check.Report()
    data = _checkov_result(
        skipped_checks=[_skipped("CKV_AZURE_1", check.CHECKOV_NO_REASON)]
    )

    check.check_checkov(data, {("modules/a.bicep", "CKV_AZURE_1")}, report)

    assert len(report.problems) == 1
    assert "skipped without a reason" in report.problems[0]


def test_unused_skip_is_warning(check):
    report = check.Report()

    check.check_checkov(_checkov_result(), {("modules/a.bicep", "CKV_AZURE_9")}, report)

    assert report.problems == []
    assert report.warnings == [
        (
            "modules/a.bicep: the skip of CKV_AZURE_9 matches no check that checkov "
            "ran; remove it if the check no longer applies"
        )
    ]
