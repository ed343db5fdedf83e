"""Workflows (actionlint), the preview matrix, CODEOWNERS, and the real-CLI integration test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT, STACKS
from tooling.deploy.changes import changed_matrix, changed_stacks

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def test_workflows_pass_actionlint() -> None:
    assert {w.name for w in WORKFLOWS} == {"pr-gate.yml", "preview.yml", "deploy.yml"}
    result = subprocess.run(
        [str(ACTIONLINT), *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run(
        [str(ACTIONLINT), str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1


def test_the_gate_workflow_runs_setup_test_and_plan() -> None:
    text = (REPO_ROOT / ".github" / "workflows" / "pr-gate.yml").read_text()
    for step in ("run: make setup", "run: make test", "run: make plan", "build/plan/plan.md"):
        assert step in text


def test_deploy_workflow_gates_prod_with_an_environment() -> None:
    text = (REPO_ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    assert "environment: ${{ matrix.env }}" in text
    assert "env: [dev, staging, prod]" in text
    assert "max-parallel: 1" in text
    assert "id-token: write" in text


@pytest.mark.parametrize(
    ("paths", "stacks"),
    [
        (["stacks/network/network_stack/vpc.py"], ["network"]),
        (["stacks/serving/Pulumi.prod.yaml", "README.md"], ["serving"]),
        (["stacks/network/Pulumi.dev.yaml", "stacks/serving/__main__.py"], ["network", "serving"]),
        (["shared/contract.py"], ["network", "serving"]),
        (["policies/guardrails/listener.py"], ["network", "serving"]),
        (["requirements.lock"], ["network", "serving"]),
        (["README.md", "tests/serving/test_envs.py", "tooling/verify/cli.py"], []),
    ],
)
def test_changed_paths_choose_the_stacks_to_preview(paths: list[str], stacks: list[str]) -> None:
    assert changed_stacks(paths) == stacks


def test_the_matrix_is_every_env_of_each_changed_stack() -> None:
    matrix = json.loads(changed_matrix(["stacks/serving/serving_stack/alarms.py"]))
    assert matrix == {
        "include": [{"stack": "serving", "env": e} for e in ("dev", "staging", "prod")]
    }
    assert json.loads(changed_matrix(["docs/notes.md"])) == {"include": []}


def test_codeowners_match_the_stack_registry() -> None:
    owners: dict[str, list[str]] = {}
    for line in (REPO_ROOT / ".github" / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            path, *teams = line.split()
            owners[path] = teams
    for spec in STACKS.values():
        assert owners[f"/stacks/{spec.name}/"] == [spec.owner]
    assert owners["/policies/"] == ["@acme/security-team"]
    assert set(owners["/shared/"]) == {"@acme/network-team", "@acme/ml-platform-team"}


@pytest.mark.integration
@pytest.mark.skipif(
    shutil.which("pulumi") is None,
    reason="needs the real pulumi CLI on PATH (not installable on this machine)",
)
def test_real_cli_previews_the_network_stack_on_a_file_backend(tmp_path: Path) -> None:
    """With the real CLI and AWS provider plugin: select a stack on a file backend and preview dev."""
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path}",
        "PULUMI_CONFIG_PASSPHRASE": "integration-test",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        pytest.skip("needs AWS credentials for the look-ups of the dev network stack")
    cwd = STACKS["network"].directory
    subprocess.run(["pulumi", "stack", "select", "dev", "--create"], cwd=cwd, env=env, check=True)
    result = subprocess.run(
        ["pulumi", "preview", "--stack", "dev", "--policy-pack", str(REPO_ROOT / "policies"),
         "--policy-pack-config", str(REPO_ROOT / "policies" / "config" / "dev.json"), "--non-interactive"],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
