"""Workflows (actionlint and what they run), the preview matrix, and CODEOWNERS vs the registry."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.stacks import REPO_ROOT, STACKS
from tooling.deploy.changes import changed_matrix, changed_stacks

WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOW_DIR / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job["steps"]


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in steps(job) if "run" in step]


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    [step] = [s for s in steps(job) if s.get("uses", "").startswith(f"{action}@")]
    return step.get("with", {})


# ---- workflows ---------------------------------------------------------------------------------------
def test_workflows_pass_actionlint() -> None:
    assert {w.name for w in WORKFLOWS} == {
        "pr-gate.yml",
        "preview.yml",
        "deploy.yml",
        "deploy-env.yml",
    }
    result = subprocess.run(
        [str(ACTIONLINT), *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: pull_request\njobs:\n  gate:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.env }}\n"
    )
    result = subprocess.run(
        [str(ACTIONLINT), str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "matrix" in result.stdout


def test_actions_are_pinned_by_version_tag() -> None:
    for path in WORKFLOWS:
        for ref in re.findall(r"uses: *(\S+)", path.read_text()):
            assert ref.startswith("./.github/workflows/") or re.fullmatch(
                r"[\w.-]+/[\w.-]+@v\d+", ref
            ), f"{path.name}: {ref}"


def test_the_pulumi_cli_in_ci_is_the_sdks_version() -> None:
    sdk = importlib.metadata.version("pulumi")
    pins = {
        name: uses(job, "pulumi/actions").get("pulumi-version")
        for name in ("preview.yml", "deploy-env.yml")
        for job in workflow(name)["jobs"].values()
        if any(s.get("uses", "").startswith("pulumi/actions@") for s in steps(job))
    }
    assert pins == {"preview.yml": sdk, "deploy-env.yml": sdk}


def test_the_gate_runs_setup_test_and_plan_on_every_pull_request() -> None:
    gate = workflow("pr-gate.yml")
    assert "pull_request" in gate["on"]
    job = gate["jobs"]["gate"]
    assert runs(job)[:3] == ["make setup", "make test", "make plan"]
    assert 'cat build/plan/plan.md >> "$GITHUB_STEP_SUMMARY"' in runs(job)
    assert uses(job, "marocchino/sticky-pull-request-comment")["path"] == "build/plan/plan.md"


def test_previews_run_the_policy_pack_per_changed_stack_and_env_with_an_oidc_role() -> None:
    preview = workflow("preview.yml")
    changes, job = preview["jobs"]["changes"], preview["jobs"]["preview"]
    assert 'python -m tooling.deploy.changes --base "origin/${BASE_REF}"' in runs(changes)[0]
    assert not [s for s in steps(changes) if s.get("run") == "make setup"]  # the module is light
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.changes.outputs.matrix) }}"
    assert job["permissions"]["id-token"] == "write"
    assert uses(job, "aws-actions/configure-aws-credentials")["role-to-assume"].startswith(
        "${{ vars["
    )
    action = uses(job, "pulumi/actions")
    assert (action["command"], action["stack-name"], action["work-dir"]) == (
        "preview",
        "${{ matrix.env }}",
        "stacks/${{ matrix.stack }}",
    )
    assert action["policyPacks"] == "${{ github.workspace }}/policies"
    assert (
        action["policyPackConfigs"]
        == "${{ github.workspace }}/policies/config/${{ matrix.env }}.json"
    )


def test_deploy_goes_dev_staging_prod_each_in_its_github_environment() -> None:
    deploy = workflow("deploy.yml")
    assert deploy["on"]["workflow_run"] == {
        "workflows": ["pr-gate"],
        "types": ["completed"],
        "branches": ["main"],
    }
    jobs = deploy["jobs"]
    assert [(name, job.get("needs"), job["with"]["env"]) for name, job in jobs.items()] == [
        ("dev", None, "dev"),
        ("staging", "dev", "staging"),
        ("prod", "staging", "prod"),
    ]
    assert "conclusion == 'success'" in jobs["dev"]["if"]
    assert {job["uses"] for job in jobs.values()} == {"./.github/workflows/deploy-env.yml"}
    [one] = workflow("deploy-env.yml")["jobs"].values()
    assert one["environment"] == "${{ inputs.env }}"
    assert one["env"]["CI"] == "true"
    assert "make deploy ENV=${{ inputs.env }}" in runs(one)
    assert (
        uses(one, "aws-actions/configure-aws-credentials")["role-to-assume"]
        == "${{ vars.AWS_DEPLOY_ROLE }}"
    )
    assert workflow("deploy-env.yml")["permissions"]["id-token"] == "write"


# ---- the preview matrix ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("paths", "stacks"),
    [
        (["stacks/network/network_stack/vpc.py"], ["network"]),
        (["stacks/serving/Pulumi.prod.yaml", "README.md"], ["serving"]),
        (["stacks/serving/__main__.py", "stacks/network/Pulumi.dev.yaml"], ["network", "serving"]),
        (["shared/contract.py"], ["network", "serving"]),
        (["policies/guardrails/listener.py"], ["network", "serving"]),
        (["policies/config/prod.json"], ["network", "serving"]),
        (["requirements.lock"], ["network", "serving"]),
        (
            [
                "README.md",
                "tests/serving/test_envs.py",
                "tooling/verify/cli.py",
                "stacks/README.md",
            ],
            [],
        ),
    ],
)
def test_changed_paths_choose_the_stacks_to_preview(paths: list[str], stacks: list[str]) -> None:
    assert changed_stacks(paths) == stacks


def test_the_matrix_is_every_env_of_each_changed_stack() -> None:
    matrix = json.loads(changed_matrix(["stacks/serving/serving_stack/alarms.py"]))
    assert matrix == {
        "include": [{"stack": "serving", "env": e} for e in ("dev", "staging", "prod")]
    }
    assert changed_matrix(["docs/notes.md"]) == '{"include": []}'


def test_the_matrix_module_runs_without_site_packages() -> None:
    """The workflow's first job runs it on a bare Python: no pulumi, boto3 or yaml."""
    result = subprocess.run(
        [sys.executable, "-S", "-m", "tooling.deploy.changes", "shared/naming.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["include"]) == len(STACKS) * 3


def test_the_matrix_from_a_bad_base_ref_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tooling.deploy.changes", "--base", "origin/no-such-branch"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("changes: git diff origin/no-such-branch...HEAD failed: ")
    assert len(result.stderr.splitlines()) == 1


# ---- ownership ---------------------------------------------------------------------------------------
def codeowners() -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for line in (REPO_ROOT / ".github" / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            path, *teams = line.split()
            owners[path] = teams
    return owners


def test_codeowners_match_the_stack_registry() -> None:
    owners = codeowners()
    for spec in STACKS.values():
        assert owners[f"/stacks/{spec.name}/"] == [spec.owner]
    assert owners["/policies/"] == ["@acme/security-team"]
    assert set(owners["/shared/"]) == {spec.owner for spec in STACKS.values()}
    assert owners["/shared/contract.py"] == owners["/shared/"]


def test_codeowners_paths_exist() -> None:
    for path in codeowners():
        if path != "*":
            assert (REPO_ROOT / path.strip("/")).exists(), path
