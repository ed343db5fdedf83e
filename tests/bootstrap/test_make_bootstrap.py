"""``make bootstrap`` against the recording stand-in for ``pulumi`` (``bin/pulumi``): create, state
move, re-run is a no-op, what it prints and writes, and every interrupted step resumes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.stacks import REPO_ROOT
from tests.interpreter import stand_in_path
from tooling.deploy.backend import DEFAULT_BACKEND
from tooling.mock_runtime import render

BIN = Path(__file__).parent / "bin"
PROJECT = REPO_ROOT / "stacks" / "bootstrap"
POLICIES = str(REPO_ROOT / "policies")
POLICY_CONFIG = str(REPO_ROOT / "policies" / "config" / "bootstrap.json")
OUTPUTS = render("bootstrap", "bootstrap").outputs
"""What an update of the committed stack exports (rendered under the mock runtime)."""
REMOTE = OUTPUTS["backend_url"]
POLICY = ["--policy-pack", POLICIES, "--policy-pack-config", POLICY_CONFIG]
UNATTENDED = ["--yes", "--non-interactive"]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]

    def argvs(self) -> list[tuple[str, list[str]]]:
        """(local | bucket, argv) per call."""
        return [
            (
                "bucket"
                if c["backend"] == REMOTE
                else "local"
                if c["backend"] == DEFAULT_BACKEND
                else c["backend"],
                c["argv"],
            )
            for c in self.calls
        ]


class Bootstrap:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.log = tmp / "calls.jsonl"
        self.state = tmp / "state.json"
        self.deploy_env = tmp / "deploy.env"
        (tmp / "outputs.json").write_text(json.dumps(OUTPUTS))
        self.env = {
            "PATH": stand_in_path(BIN, tmp),
            "HOME": str(tmp / "home"),
            "FAKE_PULUMI_LOG": str(self.log),
            "FAKE_PULUMI_STATE": str(self.state),
            "FAKE_PULUMI_OUTPUTS": str(tmp / "outputs.json"),
            "PULUMI_CONFIG_PASSPHRASE": "correct horse battery staple",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_EC2_METADATA_DISABLED": "true",
            "DEPLOY_ENV_FILE": str(self.deploy_env),
        }

    def stacks(self) -> dict[str, int]:
        """Where the bootstrap stack is: "local"/"bucket" -> resources."""
        data = json.loads(self.state.read_text()) if self.state.exists() else {"backends": {}}
        where = {DEFAULT_BACKEND: "local", REMOTE: "bucket"}
        return {
            where[url]: projects["bootstrap"]["bootstrap"]["resources"]
            for url, projects in data["backends"].items()
            if "bootstrap" in projects.get("bootstrap", {})
        }

    def _calls(self) -> list[dict[str, Any]]:
        calls = (
            [json.loads(x) for x in self.log.read_text().splitlines()] if self.log.exists() else []
        )
        self.log.unlink(missing_ok=True)
        return calls

    def run(self, *args: str, command: tuple[str, ...] = (), **env: str) -> Result:
        argv = list(command) or [sys.executable, "-m", "tooling.bootstrap", *args]
        done = subprocess.run(
            argv,
            cwd=REPO_ROOT,
            env={k: v for k, v in {**self.env, **env}.items() if v != "<unset>"},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr, self._calls())


@pytest.fixture
def bootstrap(tmp_path: Path) -> Bootstrap:
    return Bootstrap(tmp_path)


SELECT = ["stack", "select", "bootstrap", "--create", "--secrets-provider", "passphrase"]
LS = ["stack", "ls", "--json"]
RM = ["stack", "rm", "--stack", "bootstrap", "--yes", "--force", "--preserve-config"]
OUTPUT = ["stack", "output", "--json", "--stack", "bootstrap"]


def export_file(argv: list[str]) -> str:
    return argv[argv.index("--file") + 1]


def test_a_fresh_account_is_created_locally_then_moved_into_its_bucket(
    bootstrap: Bootstrap,
) -> None:
    result = bootstrap.run()
    assert result.code == 0, result.stderr
    calls = result.argvs()
    exported = export_file(calls[4][1])
    assert calls == [
        ("bucket", LS),  # NoSuchBucket: nothing there yet
        ("local", LS),
        ("local", SELECT),
        ("local", ["up", "--stack", "bootstrap", *POLICY, *UNATTENDED]),
        ("local", ["stack", "export", "--stack", "bootstrap", "--file", exported]),
        ("bucket", SELECT),
        ("bucket", ["stack", "import", "--stack", "bootstrap", "--file", exported]),
        ("bucket", LS),
        ("local", LS),
        ("local", RM),
        ("bucket", OUTPUT),
    ]
    assert {c["cwd"] for c in result.calls} == {str(PROJECT)}
    assert all(c["passphrase_set"] for c in result.calls)
    assert not Path(exported).exists()  # the exported state is not left behind
    assert bootstrap.stacks() == {"bucket": 86}


def test_it_prints_the_settings_to_paste_and_writes_them_for_make(bootstrap: Bootstrap) -> None:
    result = bootstrap.run()
    roles = OUTPUTS["deploy_roles"]
    expected = [
        f"  PULUMI_BACKEND_URL={REMOTE}",
        *(
            f"  AWS_PREVIEW_ROLE_{env}={OUTPUTS['preview_role']}"
            for env in ("dev", "staging", "prod")
        ),
    ]
    for env in ("dev", "staging", "prod"):
        expected += [
            f"Environment {env} (Settings > Environments > {env} > Environment variables):",
            f"  AWS_DEPLOY_ROLE={roles[env]}",
            f"  SECRETS_PROVIDER={OUTPUTS['secrets_providers'][env]}",
        ]
    lines = result.stdout.splitlines()
    for line in expected:
        assert line in lines, line
    assert REMOTE == "s3://alb-serving-pulumi-state-210987654321-eu-west-1?region=eu-west-1"
    assert roles["prod"] == "arn:aws:iam::210987654321:role/alb-serving-deploy-prod"
    written = bootstrap.deploy_env.read_text().splitlines()
    assert f"PULUMI_BACKEND_URL ?= {REMOTE}" in written
    assert (
        "SECRETS_PROVIDER_prod ?= awskms://alias/alb-serving-pulumi-prod?region=eu-west-1"
        in written
    )


def test_running_it_again_changes_nothing(bootstrap: Bootstrap) -> None:
    first = bootstrap.run()
    written = bootstrap.deploy_env.read_text()
    again = bootstrap.run()
    assert again.code == 0, again.stderr
    assert again.argvs() == [
        ("bucket", LS),
        ("local", LS),
        ("bucket", ["preview", "--stack", "bootstrap", "--expect-no-changes", *POLICY]),
        ("bucket", OUTPUT),
    ]
    assert bootstrap.stacks() == {"bucket": 86}
    assert bootstrap.deploy_env.read_text() == written
    assert again.stdout.splitlines()[-12:] == first.stdout.splitlines()[-12:]


def test_pending_changes_are_shown_not_applied_unless_asked(bootstrap: Bootstrap) -> None:
    bootstrap.run()
    pending = bootstrap.run(FAKE_PULUMI_CHANGES="1")
    assert pending.code == 3
    assert pending.stderr.splitlines() == [
        "error: no changes were expected for preview but changes were proposed",
        "bootstrap: the bootstrap stack has changes to apply (the preview above): review them, then make bootstrap UPDATE=1",
    ]
    assert "up" not in [argv[0] for _, argv in pending.argvs()]
    update = bootstrap.run("--update")
    assert update.code == 0, update.stderr
    assert ("bucket", ["up", "--stack", "bootstrap", *POLICY, *UNATTENDED]) in update.argvs()


def test_make_bootstrap_runs_it(bootstrap: Bootstrap) -> None:
    made = bootstrap.run(command=("make", "--no-print-directory", "bootstrap"))
    assert made.code == 0, made.stderr
    assert bootstrap.stacks() == {"bucket": 86}
    update = bootstrap.run(command=("make", "--no-print-directory", "bootstrap", "UPDATE=1"))
    assert update.code == 0, update.stderr
    assert [w for w, argv in update.argvs() if argv[0] == "up"] == ["bucket"]


@pytest.mark.parametrize(
    ("failing", "left"),
    [
        ("up@file=1", {"local": 0}),  # the first update died: nothing moved
        ("stack import@s3=1", {"local": 86, "bucket": 0}),  # died between select and import
        ("stack rm@file=1", {"local": 86, "bucket": 86}),  # died before the local copy went
    ],
)
def test_an_interrupted_bootstrap_resumes_where_it_stopped(
    bootstrap: Bootstrap, failing: str, left: dict[str, int]
) -> None:
    stopped = bootstrap.run(FAKE_PULUMI_FAIL=failing)
    assert stopped.code == 1
    assert stopped.stderr.splitlines()[-1].startswith("bootstrap: pulumi ")
    assert bootstrap.stacks() == left
    resumed = bootstrap.run()
    assert resumed.code == 0, resumed.stderr
    assert bootstrap.stacks() == {"bucket": 86}
    ran = [argv[:2] for _, argv in resumed.argvs()]
    if failing.startswith("stack rm"):
        assert ["stack", "import"] not in ran  # the state is already in the bucket
    else:
        assert ["stack", "import"] in ran


def test_an_unreadable_bucket_stops_before_anything_runs(bootstrap: Bootstrap) -> None:
    result = bootstrap.run(FAKE_PULUMI_FAIL="stack ls@s3=3")
    assert result.code == 3
    assert result.stderr.splitlines()[-1].startswith(
        f"bootstrap: cannot read the state bucket ({REMOTE}): error: fake failure"
    )
    assert result.argvs() == [("bucket", LS)]


def test_no_passphrase_is_one_line_and_no_call(bootstrap: Bootstrap) -> None:
    result = bootstrap.run(PULUMI_CONFIG_PASSPHRASE="<unset>")
    assert result.code == 2
    assert result.stderr.startswith("bootstrap: PULUMI_CONFIG_PASSPHRASE is not set")
    assert len(result.stderr.splitlines()) == 1
    assert result.calls == []


def test_no_pulumi_is_one_line(bootstrap: Bootstrap) -> None:
    result = bootstrap.run(PATH="/usr/bin:/bin")
    assert result.code == 2
    assert result.stderr.startswith("bootstrap: pulumi CLI not found on PATH")


def _make_sees(bootstrap: Bootstrap, **env: str) -> str:
    shown = "print-env: ; @echo $$PULUMI_BACKEND_URL $$SECRETS_PROVIDER"
    done = subprocess.run(
        ["make", "--no-print-directory", "--eval", shown, "print-env", "ENV=prod"],
        cwd=REPO_ROOT,
        env={**bootstrap.env, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_make_deploy_picks_the_written_settings_up(bootstrap: Bootstrap) -> None:
    bootstrap.run()
    prod_key = OUTPUTS["secrets_providers"]["prod"]
    assert _make_sees(bootstrap) == f"{REMOTE} {prod_key}"
    mine = "s3://elsewhere?region=eu-west-1"
    assert _make_sees(bootstrap, PULUMI_BACKEND_URL=mine) == f"{mine} {prod_key}"


def test_a_stray_local_copy_never_overwrites_the_bucket(bootstrap: Bootstrap) -> None:
    bootstrap.run()
    data = json.loads(bootstrap.state.read_text())
    data["backends"].setdefault(DEFAULT_BACKEND, {})["bootstrap"] = {
        "bootstrap": {"resources": 0, "outputs": {}}
    }
    bootstrap.state.write_text(json.dumps(data))
    result = bootstrap.run()
    assert result.code == 2
    assert result.stderr.startswith(
        "bootstrap: both the state bucket (86 resources) and .pulumi-state/ (0) hold a bootstrap stack"
    )
    assert [argv[:2] for _, argv in result.argvs()] == [LS[:2], LS[:2]]
    assert bootstrap.stacks() == {"bucket": 86, "local": 0}
