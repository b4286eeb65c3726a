"""Check the Bicep templates offline: every file parses, and checkov finds no problem.

Run with the Python of .venv-checkov (see infra/requirements-checkov.txt), from any
folder: `.venv-checkov/bin/python infra/check.py`. The exit status is 0 when

- pycep-parser parses every .bicep file under infra/,
- checkov reports no parsing error and no failed check, and
- every check that checkov skipped carries a written reason in its
  `// checkov:skip=CKV_...: reason` comment inside the resource.

A skip comment that matches no check checkov ran is listed as a warning, so stale
ones can be removed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

INFRA_DIR = Path(__file__).resolve().parent

# checkov writes this when a skip comment has no text after the check id.
CHECKOV_NO_REASON = "No comment provided"

SKIP_COMMENT = re.compile(r"//\s*checkov:skip=(?P<check>[A-Z0-9_]+)(?P<rest>[^\n]*)")


@dataclass
class Report:
    """Findings of the checks: problems fail the run, warnings do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def bicep_files(folder: Path) -> list[Path]:
    """Return every .bicep file under a folder, sorted."""
    return sorted(folder.rglob("*.bicep"))


def check_syntax(folder: Path, files: list[Path], report: Report) -> None:
    """Parse each file with pycep-parser and record syntax errors with their place."""
    from lark.exceptions import LarkError
    from pycep import BicepParser

    for path in files:
        try:
            BicepParser().parse(text=path.read_text(encoding="utf-8"))
        except LarkError as exc:
            first_line = str(exc).strip().splitlines()[0]
            report.problems.append(
                f"{path.relative_to(folder)}: pycep-parser cannot parse it: "
                f"{first_line}"
            )
    parsed = len(files) - len(report.problems)
    report.lines.append(f"pycep-parser: {parsed} of {len(files)} Bicep files parse")


def written_skips(
    folder: Path, files: list[Path], report: Report
) -> set[tuple[str, str]]:
    """Collect the skip comments as (file, check id), and flag those without a reason."""
    skips = set()
    for path in files:
        relative = str(path.relative_to(folder))
        text = path.read_text(encoding="utf-8")
        for match in SKIP_COMMENT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            skips.add((relative, match["check"]))
            reason = match["rest"].lstrip(":").strip()
            if not match["rest"].startswith(":") or not reason:
                report.problems.append(
                    f"{relative}:{line}: skip of {match['check']} has no reason; "
                    f"write it as `// checkov:skip={match['check']}: <reason>`"
                )
    return skips


def run_checkov(folder: Path) -> dict:
    """Run checkov on the folder with downloads off and return its JSON report."""
    checkov = Path(sys.executable).parent / "checkov"
    command = [
        str(checkov) if checkov.exists() else "checkov",
        "--directory",
        str(folder),
        "--framework",
        "bicep",
        # Without this checkov tries to fetch policies from its vendor's servers.
        "--skip-download",
        "--compact",
        "--output",
        "json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        msg = (
            f"checkov printed no JSON report (exit status {result.returncode}): "
            f"{result.stderr.strip()[-2000:] or result.stdout.strip()[-2000:]}"
        )
        raise RuntimeError(msg) from exc
    # One framework gives an object; several give a list of them.
    if isinstance(data, list):
        data = next(item for item in data if item.get("check_type") == "bicep")
    return data


def check_checkov(data: dict, skips: set[tuple[str, str]], report: Report) -> None:
    """Record parsing errors, failed checks and reasonless skips from a checkov run."""
    summary = data.get("summary", {})
    results = data.get("results", {})
    report.lines.append(
        "checkov {version}: {passed} passed, {failed} failed, {skipped} skipped, "
        "{errors} parsing errors, {resources} resources".format(
            version=summary.get("checkov_version", "?"),
            passed=summary.get("passed", 0),
            failed=summary.get("failed", 0),
            skipped=summary.get("skipped", 0),
            errors=summary.get("parsing_errors", 0),
            resources=summary.get("resource_count", 0),
        )
    )

    for path in results.get("parsing_errors", []) or []:
        report.problems.append(f"checkov cannot parse {path}")
    if summary.get("parsing_errors", 0) and not results.get("parsing_errors"):
        report.problems.append(
            f"checkov reports {summary['parsing_errors']} parsing errors"
        )

    for check in results.get("failed_checks", []):
        start, end = check.get("file_line_range", ["?", "?"])
        report.problems.append(
            f"{check['file_path'].lstrip('/')}:{start}-{end}: {check['check_id']} "
            f"failed on {check['resource']}: {check['check_name']}. Fix the resource, "
            f"or add `// checkov:skip={check['check_id']}: <reason>` inside it"
        )

    used = set()
    for check in results.get("skipped_checks", []):
        relative = check["file_path"].lstrip("/")
        used.add((relative, check["check_id"]))
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        if not reason.strip() or reason.strip() == CHECKOV_NO_REASON:
            report.problems.append(
                f"{relative}: {check['check_id']} on {check['resource']} is skipped "
                "without a reason"
            )

    for relative, check_id in sorted(skips - used):
        report.warnings.append(
            f"{relative}: the skip of {check_id} matches no check that checkov ran; "
            "remove it if the check no longer applies"
        )


def main(argv: list[str] | None = None) -> int:
    """Run both gates and print a summary; return 1 when any problem was found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folder",
        type=Path,
        default=INFRA_DIR,
        help="Folder with the Bicep templates (default: the folder of this script).",
    )
    args = parser.parse_args(argv)
    folder = args.folder.resolve()

    report = Report()
    files = bicep_files(folder)
    if not files:
        print(f"error: no .bicep files under {folder}", file=sys.stderr)
        return 1
    check_syntax(folder, files, report)
    skips = written_skips(folder, files, report)
    try:
        check_checkov(run_checkov(folder), skips, report)
    except (RuntimeError, StopIteration) as exc:
        report.problems.append(f"checkov did not run: {exc}")

    for line in report.lines:
        print(line)
    for warning in report.warnings:
        print(f"warning: {warning}")
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.problems:
        print(f"infra check failed: {len(report.problems)} problem(s)", file=sys.stderr)
        return 1
    print("infra check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
