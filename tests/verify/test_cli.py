"""The command: ``make verify`` wiring, usage and AWS errors as one line, the JSON report's shape and
the table."""

from __future__ import annotations

import io
import json
import socket
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from shared.stacks import REPO_ROOT
from tests.verify.conftest import child_env, verify
from tests.verify.layout import Deployment
from tooling.verify.checks import Check
from tooling.verify.cli import main
from tooling.verify.report import render_table


def test_make_verify_runs_the_tool_with_env_and_args(
    deployment: Deployment, tmp_path: Path
) -> None:
    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    report = tmp_path / "build" / "verify.json"
    result = subprocess.run(
        ["make", "--no-print-directory", "verify", "ENV=prod", f"ARGS=--outputs {outputs} --json {report}"],
        cwd=REPO_ROOT, env=child_env(), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(report.read_text())["env"] == "prod"
    assert "OK: " in result.stdout


def test_a_failed_check_exits_1_and_make_reports_it(deployment: Deployment, tmp_path: Path) -> None:
    """The tool exits 1; make (whose own status is always 2 on a failed recipe) names that code."""
    deployment.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=deployment.outputs["alb_arn"],
        Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"}],
    )
    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    direct = subprocess.run(
        [".venv/bin/python", "-m", "tooling.verify", "--env", "prod", "--outputs", str(outputs)],
        cwd=REPO_ROOT, env=child_env(), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert direct.returncode == 1, direct.stdout + direct.stderr
    assert "FAILED: " in direct.stdout and "1 failed" in direct.stdout
    via_make = subprocess.run(
        ["make", "--no-print-directory", "verify", "ENV=prod", f"ARGS=--outputs {outputs}"],
        cwd=REPO_ROOT, env=child_env(), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert via_make.returncode == 2
    assert via_make.stderr.strip().endswith("verify] Error 1")


def test_make_verify_without_env_says_which_envs_exist() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "verify"],
        cwd=REPO_ROOT, env=child_env(), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "verify: unknown ENV=''; expected one of: dev, staging, prod (e.g. make verify ENV=prod)"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--env", "qa"], "unknown ENV='qa'; expected one of: dev, staging, prod (e.g. make verify ENV=prod)"),
        (["--env", "prod", "--wait", "-5"], "argument --wait: -5 is not between 0 and 3600"),
        (["--env", "prod", "--probe-count", "5000"], "argument --probe-count: 5000 is not between 1 and 1000"),
        (["--env", "prod", "--probe-timeout", "soon"], "argument --probe-timeout: 'soon' is not a number"),
        (["--env", "prod", "--probe-ca-file", "/nonexistent/ca.pem"], "--probe-ca-file /nonexistent/ca.pem: no such file"),
        (["--env", "prod", "--colour"], "unrecognized arguments: --colour"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == f"verify: {message}\n"


def test_the_json_report_has_the_documented_shape(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.ec2.stop_instances(InstanceIds=[deployment.instance("embeddings", "eu-west-1b")])
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    report = run.report
    assert report is not None
    assert list(report) == [
        "env",
        "alb_arn",
        "passed",
        "summary",
        "waited_seconds",
        "checks",
        "probes",
    ]
    assert (report["env"], report["alb_arn"], report["passed"]) == (
        "prod",
        deployment.outputs["alb_arn"],
        False,
    )
    # The one warning: today's stack does not say that it versions the log bucket.
    assert report["summary"] == {"pass": len(report["checks"]) - 3, "warn": 1, "fail": 2}
    assert (report["waited_seconds"], report["probes"]) == (0.0, [])
    keys = ["group", "name", "status", "detail", "actual", "expected", "fix"]
    assert all(list(c) == keys for c in report["checks"])
    assert {c["status"] for c in report["checks"]} == {"pass", "warn", "fail"}
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert all(c["actual"] and c["expected"] and c["fix"] for c in failed)
    assert all(c["fix"] is None for c in report["checks"] if c["status"] == "pass")
    assert [c["group"] for c in report["checks"]][:4] == ["load balancer"] * 4  # fmt: skip


def test_without_credentials_it_says_so_in_one_line(
    deployment: Deployment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["--env", "prod", "--outputs", str(outputs)]) == 2
    assert capsys.readouterr().err == (
        "verify: no AWS credentials found: run `aws sso login` / set AWS_PROFILE or AWS_ACCESS_KEY_ID\n"
    )


def test_an_unreachable_aws_endpoint_is_one_line(
    deployment: Deployment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert main(["--env", "prod", "--outputs", str(outputs)]) == 2
    assert capsys.readouterr().err == (
        f'verify: AWS error: Could not connect to the endpoint URL: "http://127.0.0.1:{closed}/"\n'
    )


def test_the_table_shows_details_verbatim() -> None:
    """Details carry brackets (``[i-... unused (...)]``): they are text, never rich markup."""
    console = Console(file=io.StringIO(), width=300, color_system=None)
    detail = "eu-west-1c: 0 healthy [i-0f5e7a9c1d3b46802 unused (Target.InvalidState)] [/bold]"
    render_table(
        [
            Check(
                "model llm-chat", "healthy targets per AZ", "fail", detail, fix="start the service"
            ),
            Check("listeners", "TLS protocols", "warn", "AWS does not describe the policy"),
        ],
        console,
        env="prod",
        alb_arn="arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/serving-prod-alb/50dc6c495c0c9188",
    )
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert detail in text
    assert "fix: start the service" in text
    assert text.splitlines()[0].startswith("serving/prod: arn:aws:elasticloadbalancing:eu-west-1:")
    assert text.splitlines()[-1] == "FAILED: 2 checks, 0 passed, 1 warnings, 1 failed"
