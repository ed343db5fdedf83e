"""The driver against the real ``pulumi`` CLI and a file backend in a temporary folder.

Not runnable on machines without the CLI (this one: it cannot be installed here); they skip with
the reason. The first test needs only the CLI; the second also needs AWS credentials and the AWS
provider plugin, since the dev network stack looks up the region's default VPC. Both work on a copy
of the repository: creating a stack writes its encryption salt into ``Pulumi.<env>.yaml``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from guardrails import PACK_NAME
from shared.stacks import REPO_ROOT, StackSpec
from tooling.deploy.environment import resolve
from tooling.deploy.stack_state import resource_count, stack_outputs
from tooling.pulumi_cli import PulumiCli

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="needs the real pulumi CLI on PATH (it cannot be installed on this machine)",
    ),
]


@dataclass(frozen=True)
class StackIn(StackSpec):
    folder: Path = Path()

    @property
    def directory(self) -> Path:
        return self.folder


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The code, stacks and pack in a temporary folder, sharing the repository's virtualenv."""
    copy = tmp_path / "repo"
    for part in ("shared", "stacks", "policies", "tooling"):
        shutil.copytree(REPO_ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / ".venv").symlink_to(REPO_ROOT / ".venv")
    return copy


def _environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "integration-test-passphrase",
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "CI": "true",
    }


def test_the_real_cli_answers_what_the_driver_reads(tmp_path: Path, repo_copy: Path) -> None:
    """Stack existence, resource count and outputs as the driver parses them, no cloud needed."""
    run_env = resolve("dev", ["network"], _environment(tmp_path))
    cli = PulumiCli.find(run_env.variables)
    network = StackIn(
        name="network", owner="@acme/network-team", folder=repo_copy / "stacks" / "network"
    )
    assert resource_count(cli, network, "dev") is None
    assert stack_outputs(cli, network, "dev") is None
    created = cli.run(
        ["stack", "select", "dev", "--create", "--non-interactive"], network.directory, label="dev"
    )
    assert created.code == 0
    assert "encryptionsalt: " in (network.directory / "Pulumi.dev.yaml").read_text()
    assert resource_count(cli, network, "dev") == 0
    assert stack_outputs(cli, network, "dev") == {}
    assert stack_outputs(cli, network, "organization/network/dev") == {}
    missing = cli.capture(
        ["stack", "output", "--json", "--stack", "qa"], network.directory, label="qa"
    )
    assert (missing.code, missing.no_such_stack) == (6, True)


def test_make_preview_of_the_dev_network_with_the_policy_pack(
    tmp_path: Path, repo_copy: Path
) -> None:
    if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        pytest.skip("needs AWS credentials: the dev network stack looks up the default VPC")
    result = subprocess.run(
        [sys.executable, "-m", "tooling.deploy", "preview", "--env", "dev", "--stack", "network"],
        cwd=repo_copy,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"$ (cd stacks/network) pulumi preview --stack dev --diff --policy-pack {repo_copy}/policies"
        in result.stdout
    )
    assert PACK_NAME in result.stdout  # the engine ran the pack and lists it under "Policies:"


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (
            ["refresh"],
            ["--preview-only", "--expect-no-changes", "--json", "--skip-preview", "--yes"],
        ),
        (["up"], ["--policy-pack", "--policy-pack-config", "--skip-preview", "--yes"]),
        (["preview"], ["--policy-pack", "--policy-pack-config", "--diff"]),
        (["cancel"], ["--stack", "--yes"]),
        (["stack", "select"], ["--create", "--secrets-provider"]),
    ],
)
def test_the_real_cli_has_every_flag_the_driver_passes(
    command: list[str], flags: list[str]
) -> None:
    """Checked against pulumi's source when written; this keeps it true when the CLI moves."""
    result = subprocess.run(
        ["pulumi", *command, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for flag in flags:
        assert f"{flag} " in result.stdout or f"{flag}=" in result.stdout, flag
