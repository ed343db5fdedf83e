"""The offline plan gate plans the bootstrap stack like the others: once, with its own config."""

from __future__ import annotations

from pathlib import Path

from shared.stacks import REPO_ROOT
from tooling.plan.cli import main
from tooling.plan.report import PlanReport

CI_ADMIN = REPO_ROOT / "tests" / "fixtures" / "bootstrap" / "programs" / "ci_admin"


def _plan(tmp_path: Path, *args: str) -> tuple[int, PlanReport]:
    out = tmp_path / "report.json"
    code = main(["--quiet", "--json", str(out), "--markdown", str(tmp_path / "plan.md"), *args])
    return code, PlanReport.model_validate_json(out.read_text())


def test_the_committed_bootstrap_stack_plans_clean(tmp_path: Path) -> None:
    code, report = _plan(tmp_path, "--stack", "bootstrap")
    assert code == 0
    (plan,) = report.stacks
    assert (plan.stack, plan.env, plan.status) == ("bootstrap", "bootstrap", "clean")
    assert plan.resource_count > 50


def test_an_open_ci_admin_role_is_blocked(tmp_path: Path) -> None:
    code, report = _plan(tmp_path, "--stack", "bootstrap", "--program", f"bootstrap={CI_ADMIN}")
    assert code == 1
    blocking = {
        (v.policy, v.resource_name) for v in report.stacks[0].violations if v.level == "mandatory"
    }
    assert blocking == {
        ("iam-oidc-trust-pinned", "ci-admin"),
        ("iam-no-admin-policies", "ci-admin"),
    }
