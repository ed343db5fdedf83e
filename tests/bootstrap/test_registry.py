"""The bootstrap stack in the registry: one per account, first and separate, owned by security."""

from __future__ import annotations

import subprocess
import sys

from shared.stacks import ACCOUNT_STACK, ACCOUNT_STACKS, REPO_ROOT, STACKS, deploy_order, spec_of


def codeowners() -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for line in (REPO_ROOT / ".github" / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            path, *teams = line.split()
            owners[path] = teams
    return owners


def test_the_bootstrap_project_is_per_account_and_owned_by_security() -> None:
    spec = spec_of("bootstrap")
    assert spec is ACCOUNT_STACKS["bootstrap"]
    assert spec.owner == "@acme/security-team"
    assert (spec.directory / "Pulumi.yaml").is_file()
    assert spec.config_file(ACCOUNT_STACK).is_file()
    assert codeowners()[f"/stacks/{spec.name}/"] == [spec.owner]


def test_no_env_deploy_includes_it() -> None:
    assert "bootstrap" not in STACKS
    assert [s.name for s in deploy_order()] == ["network", "serving"]


def test_make_deploy_refuses_the_bootstrap_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tooling.deploy", "up", "--env", "prod", "--stack", "bootstrap"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "deploy: unknown STACK='bootstrap'; expected one of: network, serving, all"
    )
