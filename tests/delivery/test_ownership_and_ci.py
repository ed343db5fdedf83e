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
ZIZMOR = Path(sys.executable).parent / "zizmor"


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
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses: *(\S+) # (v\d+\.\d+\.\d+)$")


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, step)
        for path in WORKFLOWS
        for job in workflow(path.name)["jobs"].values()
        for step in job.get("steps", [])
    ]


def test_workflows_pass_actionlint() -> None:
    assert {w.name for w in WORKFLOWS} == {
        "pr-gate.yml",
        "preview.yml",
        "deploy.yml",
        "deploy-env.yml",
        "drift.yml",
        "rollout.yml",
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


def zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(ZIZMOR), "--offline", "--format", "json", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_workflows_pass_zizmor_with_no_finding_above_low() -> None:
    result = zizmor("--min-severity", "medium", str(WORKFLOW_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
    # The one suppression: deploy.yml's workflow_run trigger, guarded by its trust job (tested below).
    unsuppressed = zizmor("--no-ignores", "--min-severity", "medium", str(WORKFLOW_DIR))
    findings = {
        (f["ident"], Path(loc["symbolic"]["key"]["Local"]["verbatim_path"]).name)
        for f in json.loads(unsuppressed.stdout)
        for loc in f["locations"]
    }
    assert findings == {("dangerous-triggers", "deploy.yml")}


def test_zizmor_catches_an_unsafe_workflow(tmp_path: Path) -> None:
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text(
        "on:\n  workflow_dispatch:\n    inputs:\n      env: {type: string}\npermissions: write-all\n"
        "jobs:\n  go:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: make deploy ENV=${{ inputs.env }}\n"
    )
    result = zizmor("--min-severity", "medium", str(unsafe))
    assert result.returncode != 0
    idents = {finding["ident"] for finding in json.loads(result.stdout)}
    assert {"template-injection", "unpinned-uses"} <= idents


def test_third_party_actions_are_pinned_by_commit_with_the_version_in_a_comment() -> None:
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if "uses:" not in line or "./.github/workflows/" in line:
                continue
            match = VERSION_COMMENT.search(line)
            assert match is not None, f"{path.name}: {line.strip()}"
            assert PINNED.match(match.group(1)), f"{path.name}: {line.strip()}"


def test_every_job_has_its_own_permissions_and_checkouts_keep_no_credentials() -> None:
    for path in WORKFLOWS:
        data = workflow(path.name)
        assert data["permissions"] == {}, path.name
        for name, job in data["jobs"].items():
            assert "permissions" in job, f"{path.name}: {name}"
            assert job.get("secrets") != "inherit", f"{path.name}: {name}"
    for name, step in all_steps():
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, name


def test_no_expression_is_expanded_inside_a_shell_script() -> None:
    """Inputs reach run: blocks through env:, never as ${{ }} text the shell would parse."""
    for name, step in all_steps():
        assert "${{" not in step.get("run", ""), f"{name}: {step.get('name', step['run'])}"


def test_each_job_gets_only_the_secrets_it_needs() -> None:
    for path in WORKFLOWS:
        for name, job in workflow(path.name)["jobs"].items():
            text = json.dumps(job)
            used = set(re.findall(r"secrets\.(\w+)", text))
            assert used <= {"PULUMI_CONFIG_PASSPHRASE"}, f"{path.name}: {name}: {used}"
            if used:  # a job that reads the passphrase is one that runs pulumi
                assert "make setup" in text or "deploy-env.yml" in text, f"{path.name}: {name}"
    gate = workflow("pr-gate.yml")["jobs"]
    assert "secrets" not in json.dumps(gate)


def test_the_pulumi_cli_in_ci_is_the_sdks_version() -> None:
    sdk = importlib.metadata.version("pulumi")
    pins = {
        (name, step["with"].get("pulumi-version"))
        for name, step in all_steps()
        if step.get("uses", "").startswith("pulumi/actions@")
    }
    assert pins == {
        (name, sdk) for name in ("preview.yml", "deploy-env.yml", "drift.yml", "rollout.yml")
    }


def test_the_gate_runs_setup_test_and_the_plan_against_the_merge_base() -> None:
    gate = workflow("pr-gate.yml")
    assert "pull_request" in gate["on"]
    job = gate["jobs"]["gate"]
    assert job["permissions"] == {"contents": "read"}
    assert runs(job)[:2] == ["make setup", "make test"]
    base = next(s for s in steps(job) if s.get("id") == "base")
    assert 'git merge-base "origin/${BASE_REF}" HEAD' in base["run"]
    plan = next(s for s in steps(job) if s.get("id") == "plan")
    assert (plan["run"], plan["env"]["BASE"]) == (
        'make plan BASE="${BASE}"',
        "${{ steps.base.outputs.sha }}",
    )
    assert 'cat build/plan/plan.md >> "$GITHUB_STEP_SUMMARY"' in runs(job)
    comment = gate["jobs"]["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert not [s for s in steps(comment) if "run" in s or "checkout" in s.get("uses", "")]
    assert uses(comment, "marocchino/sticky-pull-request-comment")["path"] == "build/plan/plan.md"
    assert "head.repo.full_name == github.repository" in comment["if"]


def test_previews_skip_a_stack_that_does_not_exist_and_run_the_pack_with_an_oidc_role() -> None:
    preview = workflow("preview.yml")
    changes, job = preview["jobs"]["changes"], preview["jobs"]["preview"]
    assert "head.repo.full_name == github.repository" in changes["if"]
    assert 'python -m tooling.deploy.changes --base "origin/${BASE_REF}"' in runs(changes)[0]
    assert not [s for s in steps(changes) if s.get("run") == "make setup"]  # the module is light
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.changes.outputs.matrix) }}"
    assert job["permissions"]["id-token"] == "write"
    assert uses(job, "aws-actions/configure-aws-credentials")["role-to-assume"].startswith(
        "${{ vars["
    )
    exists = next(s for s in steps(job) if s.get("id") == "exists")
    assert "python -m tooling.deploy exists" in exists["run"]
    [action] = [s for s in steps(job) if s.get("with", {}).get("command") == "preview"]
    assert action["if"] == "steps.exists.outputs.exists == 'true'"
    skip = next(s for s in steps(job) if s.get("if") == "steps.exists.outputs.exists != 'true'")
    assert "::notice::" in skip["run"]
    settings = action["with"]
    assert (settings["stack-name"], settings["work-dir"], settings["upsert"]) == (
        "${{ matrix.env }}",
        "stacks/${{ matrix.stack }}",
        False,
    )
    assert settings["policyPacks"] == "${{ github.workspace }}/policies"
    assert (
        settings["policyPackConfigs"]
        == "${{ github.workspace }}/policies/config/${{ matrix.env }}.json"
    )


TRUSTED_RUN = (
    "github.event.workflow_run.conclusion == 'success'",
    "github.event.workflow_run.event == 'push'",
    "github.event.workflow_run.head_repository.full_name == github.repository",
    "github.event.workflow_run.head_branch == 'main'",
)


def test_deploy_runs_only_for_a_push_to_main_of_this_repository_or_a_dispatch_from_main() -> None:
    deploy = workflow("deploy.yml")
    assert deploy["on"]["workflow_run"] == {
        "workflows": ["pr-gate"],
        "types": ["completed"],
        "branches": ["main"],
    }
    condition = " ".join(deploy["jobs"]["trust"]["if"].split())
    run_part, dispatch_part = condition.split(" || ")
    assert run_part == "(github.event_name == 'workflow_run' && " + " && ".join(TRUSTED_RUN) + ")"
    assert dispatch_part == (
        "(github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main')"
    )
    assert deploy["jobs"]["trust"]["permissions"] == {}


@pytest.mark.parametrize(
    ("event", "deploys"),
    [
        ({"event": "push", "repo": "acme/alb-serving", "branch": "main"}, True),
        ({"event": "pull_request", "repo": "mallory/alb-serving", "branch": "main"}, False),
        ({"event": "pull_request", "repo": "acme/alb-serving", "branch": "main"}, False),
        ({"event": "push", "repo": "mallory/alb-serving", "branch": "main"}, False),
        ({"event": "push", "repo": "acme/alb-serving", "branch": "feature"}, False),
        ({"dispatch": "refs/heads/main"}, True),
        ({"dispatch": "refs/heads/feature"}, False),
    ],
)
def test_the_trust_condition_evaluated(event: dict[str, str], deploys: bool) -> None:
    """The trust job's expression, evaluated for a fork's PR from a branch named main and others."""
    condition = " ".join(workflow("deploy.yml")["jobs"]["trust"]["if"].split())
    values = {
        "github.event_name": "workflow_dispatch" if "dispatch" in event else "workflow_run",
        "github.ref": event.get("dispatch", "refs/heads/main"),
        "github.repository": "acme/alb-serving",
        "github.event.workflow_run.conclusion": "success",
        "github.event.workflow_run.event": event.get("event", ""),
        "github.event.workflow_run.head_repository.full_name": event.get("repo", ""),
        "github.event.workflow_run.head_branch": event.get("branch", ""),
    }
    python = condition.replace("&&", "and").replace("||", "or")
    for name in sorted(values, key=len, reverse=True):
        python = python.replace(name, repr(values[name]))
    assert re.fullmatch(r"[\w\s'()=/.-]+", python), python  # literals and operators only
    assert eval(python) is deploys  # a checked expression of string literals only


def test_deploy_goes_dev_staging_prod_each_in_its_github_environment() -> None:
    jobs = workflow("deploy.yml")["jobs"]
    chain = [
        (name, job.get("needs"), job["with"]["env"])
        for name, job in jobs.items()
        if name != "trust"
    ]
    assert chain == [
        ("dev", "trust", "dev"),
        ("staging", ["trust", "dev"], "staging"),
        ("prod", ["trust", "staging"], "prod"),
    ]
    for name in ("dev", "staging", "prod"):
        assert jobs[name]["uses"] == "./.github/workflows/deploy-env.yml"
        assert jobs[name]["secrets"] == {
            "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
        }
        assert jobs[name]["permissions"] == {"contents": "read", "id-token": "write"}
    [one] = workflow("deploy-env.yml")["jobs"].values()
    assert one["environment"] == "${{ inputs.env }}"
    assert (one["env"]["CI"], one["env"]["DEPLOY_ENV"]) == ("true", "${{ inputs.env }}")
    assert 'make deploy ENV="${DEPLOY_ENV}"' in runs(one)
    assert (
        uses(one, "aws-actions/configure-aws-credentials")["role-to-assume"]
        == "${{ vars.AWS_DEPLOY_ROLE }}"
    )
    assert one["permissions"] == {"contents": "read", "id-token": "write"}


def test_drift_runs_per_env_on_a_schedule_and_keeps_one_issue() -> None:
    drift = workflow("drift.yml")
    assert "schedule" in drift["on"]
    job, report = drift["jobs"]["drift"], drift["jobs"]["report"]
    assert job["strategy"]["matrix"]["env"] == ["dev", "staging", "prod"]
    assert "environment" not in job  # no approval to wait for: read-only preview roles
    [script] = [r for r in runs(job) if "tooling.deploy drift" in r]
    assert '--env "${DRIFT_ENV}" --report "build/drift/${DRIFT_ENV}.md"' in script
    assert '[ "${code}" -ne 3 ]' in script
    assert report["permissions"] == {"issues": "write"}
    assert report["if"] == "always()"
    [issue] = runs(report)
    assert "gh issue list --label drift --state open" in issue
    assert 'gh issue edit "${number}"' in issue and "gh issue create" in issue


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


@pytest.mark.parametrize(
    ("paths", "pairs"),
    [
        (["stacks/serving/Pulumi.prod.yaml"], [("serving", "prod")]),
        (
            ["stacks/network/Pulumi.dev.yaml", "stacks/serving/Pulumi.staging.yaml"],
            [("network", "dev"), ("serving", "staging")],
        ),
        (["policies/config/staging.json"], [("network", "staging"), ("serving", "staging")]),
        (["stacks/serving/Pulumi.local.yaml"], []),  # LocalStack is not previewed in CI
        (["stacks/network/Pulumi.yaml"], [("network", e) for e in ("dev", "staging", "prod")]),
        (
            ["stacks/serving/Pulumi.prod.yaml", "shared/naming.py"],
            [(s, e) for s in ("network", "serving") for e in ("dev", "staging", "prod")],
        ),
    ],
)
def test_an_env_file_previews_only_its_env(paths: list[str], pairs: list[tuple[str, str]]) -> None:
    matrix = json.loads(changed_matrix(paths))
    assert [(row["stack"], row["env"]) for row in matrix["include"]] == pairs


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
