"""``make plan``: make turns the tool's 1 into its own 2; ``PLAN_EXIT`` keeps the tool's code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
@pytest.mark.parametrize(
    ("variables", "tool", "make"),
    [(["ENV=dev", "STACK=network"], 0, 0), (["ENV=dev", "BASE=no-such-ref-anywhere"], 2, 2)],
)
def test_plan_exit_keeps_the_tools_code(
    tmp_path: Path, variables: list[str], tool: int, make: int
) -> None:
    code_file = tmp_path / "nested" / "exit-code"
    result = subprocess.run(
        ["make", "--no-print-directory", "plan", *variables, f"PLAN_EXIT={code_file}"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == make
    assert code_file.read_text() == f"{tool}\n"
