"""Run Checkov (from its own virtual environment) on a Terraform plan JSON."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.errors import first_line
from shared.stacks import REPO_ROOT

CHECKOV = Path(os.environ.get("CHECKOV", REPO_ROOT / ".venv-checkov" / "bin" / "checkov"))
TIMEOUT_SECONDS = 300


class CheckovError(Exception):
    """Checkov is missing or did not produce a report; one line."""


@dataclass(frozen=True)
class Finding:
    check: str
    name: str
    terraform_type: str
    resource: str
    passed: bool


def run_checkov(plan: dict[str, Any], executable: Path = CHECKOV) -> list[Finding]:
    """Every check Checkov ran on ``plan``, passed and failed."""
    if not executable.is_file():
        raise CheckovError(f"{executable} not found: run make setup (it installs Checkov there)")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "plan.json"
        path.write_text(json.dumps(plan))
        try:
            done = subprocess.run(
                [str(executable), "-f", str(path), "--framework", "terraform_plan",
                 "--skip-download", "-o", "json"],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
                cwd=scratch, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise CheckovError(f"checkov gave no report within {TIMEOUT_SECONDS}s") from None
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (
            first_line(done.stderr, last=True) if done.stderr.strip() else f"exit {done.returncode}"
        )
        raise CheckovError(f"checkov printed no JSON report: {last}") from None
    results = report.get("results", {}) if isinstance(report, dict) else {}
    return [
        Finding(
            check=item["check_id"],
            name=item.get("check_name", ""),
            terraform_type=item.get("resource", ".").split(".", 1)[0],
            resource=item.get("resource", ""),
            passed=kind == "passed_checks",
        )
        for kind in ("passed_checks", "failed_checks")
        for item in results.get(kind, [])
    ]
