"""``make rollout`` hands its variables to the tool as data, and the tool checks them first."""

from __future__ import annotations

import subprocess
from pathlib import Path

from shared.stacks import REPO_ROOT


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_variables_are_data_never_shell_text(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    model = f'x"; touch {marker}; echo "'
    done = _make("rollout", "ENV=staging", f"MODEL={model}", "TO=v2", f"STEPS=$(touch {marker})")
    assert done.returncode == 2
    assert not marker.exists()
    assert done.stderr.splitlines()[0] == (
        f"rollout: {REPO_ROOT}/stacks/serving/Pulumi.staging.yaml: serving:models has no model "
        f"{model!r} (it has: llm-chat, embeddings)"
    )


def test_env_is_checked_by_make_and_help_lists_the_target() -> None:
    done = _make("rollout", "ENV=staging;true", "MODEL=llm-chat", "TO=v2")
    assert done.returncode == 2
    assert "ENV='staging;true' (from the command line) is not one of" in done.stderr
    listed = _make("help").stdout
    assert "  rollout    Move MODEL= to version TO= step by step" in listed
    assert (
        "MODEL= TO=<version> STEPS=10,50,100 BAKE=<seconds> RETIRE=1 HEALTH_TIMEOUT=<s>" in listed
    )
