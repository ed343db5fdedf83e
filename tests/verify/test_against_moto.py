"""``make verify`` against moto_server: a prod-like deploy that is healthy, then one thing broken at a
time, each with the check that must fail, its reason and exit code 1."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from shared.serving_outputs import ServingOutputs
from tests.verify.conftest import LOG_BUCKET, Deployment, deploy_prod_like, verify
from tooling.verify.aws_view import fetch
from tooling.verify.cli import clients
from tooling.verify.wait import wait_until_ready

LLM, EMBEDDINGS = "model llm-chat", "model embeddings"


def test_a_healthy_prod_deploy_passes_every_check(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0, run.stdout + run.stderr
    assert run.report is not None
    assert {
        (c["group"], c["status"]) for c in run.report["checks"] if c["status"] != "pass"
    } == set()
    names = {(c["group"], c["name"]) for c in run.report["checks"]}
    for group in (LLM, EMBEDDINGS):
        assert {
            (group, "target group"),
            (group, "health check path"),
            (group, "health check port"),
            (group, "failure detection"),
            (group, "healthy targets per AZ"),
            (group, "healthy targets"),
            (group, "routing"),
        } <= names
    assert run.check("load balancer", "availability zones")["detail"] == (
        "3 AZs: eu-west-1a, eu-west-1b, eu-west-1c"
    )
    assert run.check("attributes", "access logs")["detail"] == f"on, to s3://{LOG_BUCKET}/access"
    assert run.check("attributes", "desync mitigation")["detail"] == "strictest"
    assert run.check("listeners", "TLS protocols")["detail"] == "TLSv1.2, TLSv1.3"
    assert run.check(LLM, "healthy targets per AZ")["detail"] == (
        "eu-west-1a: 1 healthy; eu-west-1b: 1 healthy; eu-west-1c: 1 healthy"
    )
    priority = deployment.model("llm-chat")["route"]["priority"]
    assert run.check(LLM, "routing")["detail"] == f"rule {priority}: path /v1/chat, /v1/chat/*"
    assert run.check(EMBEDDINGS, "failure detection")["detail"] == (
        "10 s to detect a dead target (5 s x 2)"
    )
    assert "OK: " in run.stdout and "0 failed" in run.stdout


def test_an_az_whose_only_target_is_stopped_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stopped = deployment.instances["llm-chat"]["eu-west-1c"]
    deployment.ec2.stop_instances(InstanceIds=[stopped])
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(LLM, "healthy targets per AZ"), (LLM, "healthy targets")]
    assert run.check(LLM, "healthy targets per AZ")["detail"] == (
        "eu-west-1a: 1 healthy; eu-west-1b: 1 healthy; "
        f"eu-west-1c: 0 healthy [{stopped} unused (Target.InvalidState)]"
        " -- fewer than 1 healthy in eu-west-1c"
    )
    assert run.check(LLM, "healthy targets")["detail"] == "2 of 3 registered healthy (minimum 3)"


def test_an_az_without_any_target_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.deregister_targets(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"],
        Targets=[{"Id": deployment.instances["embeddings"]["eu-west-1a"], "Port": 8000}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(EMBEDDINGS, "healthy targets per AZ"), (EMBEDDINGS, "healthy targets")]
    assert run.check(EMBEDDINGS, "healthy targets per AZ")["detail"].startswith(
        "eu-west-1a: 0 healthy [no target registered]; eu-west-1b: 1 healthy"
    )


def test_access_logs_off_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=deployment.outputs["alb_arn"],
        Attributes=[{"Key": "access_logs.s3.enabled", "Value": "false"}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("attributes", "access logs")]
    assert run.check("attributes", "access logs")["detail"] == (
        f"off (expected on, to {LOG_BUCKET})"
    )


def test_access_logs_to_another_bucket_fail(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=deployment.outputs["alb_arn"],
        Attributes=[{"Key": "access_logs.s3.bucket", "Value": "acme-shared-logs-eu-west-1"}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [("attributes", "access logs")]
    assert run.check("attributes", "access logs")["detail"] == (
        f"on, to s3://acme-shared-logs-eu-west-1/access (expected {LOG_BUCKET})"
    )


def test_an_http_listener_that_forwards_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_listener(
        ListenerArn=deployment.outputs["http_listener_arn"],
        DefaultActions=[
            {"Type": "forward", "TargetGroupArn": deployment.model("llm-chat")["target_group_arn"]}
        ],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("listeners", "HTTP :80 redirects only")]
    assert run.check("listeners", "HTTP :80 redirects only")["detail"] == "default action forward"


def test_a_forwarding_rule_on_the_http_listener_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bypass: the listener still redirects by default, but one rule serves plain HTTP."""
    deployment.elbv2.create_rule(
        ListenerArn=deployment.outputs["http_listener_arn"],
        Priority=10,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/chat/*"]}}],
        Actions=[
            {"Type": "forward", "TargetGroupArn": deployment.model("llm-chat")["target_group_arn"]}
        ],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("listeners", "HTTP :80 redirects only")]
    assert run.check("listeners", "HTTP :80 redirects only")["detail"] == "rule 10 forward"


def test_a_tls_1_0_policy_fails(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = deploy_prod_like(tls_policy="ELBSecurityPolicy-TLS-1-0-2015-04")
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("listeners", "TLS policy")]
    assert run.check("listeners", "TLS policy")["detail"] == (
        "ELBSecurityPolicy-TLS-1-0-2015-04 (expected ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09)"
    )
    # moto does not describe this retired policy; real AWS does, and the protocols check fails.
    assert run.check("listeners", "TLS protocols")["status"] == "warn"


def test_a_policy_that_aws_says_allows_tls_1_0_fails_both_checks(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_listener(
        ListenerArn=deployment.outputs["https_listener_arn"],
        SslPolicy="ELBSecurityPolicy-TLS13-1-0-2021-06",
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("listeners", "TLS policy"), ("listeners", "TLS protocols")]
    assert run.check("listeners", "TLS protocols")["detail"] == (
        "TLSv1, TLSv1.1, TLSv1.2, TLSv1.3: allows TLSv1, TLSv1.1"
    )


def test_health_check_settings_changed_out_of_band_fail(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_target_group(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"],
        HealthCheckPath="/",
        HealthCheckPort="9100",
        HealthCheckIntervalSeconds=30,
        UnhealthyThresholdCount=3,
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [
        (EMBEDDINGS, "health check path"),
        (EMBEDDINGS, "health check port"),
        (EMBEDDINGS, "failure detection"),
    ]
    assert run.check(EMBEDDINGS, "health check path")["detail"] == "HTTP / (expected /health)"
    assert run.check(EMBEDDINGS, "health check port")["detail"] == (
        "9100 (expected traffic-port or 8000)"
    )
    assert run.check(EMBEDDINGS, "failure detection")["detail"] == (
        "90 s to detect a dead target (30 s x 3), the stack promises 10 s"
    )


def test_a_deleted_rule_leaves_its_model_unrouted(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = deployment.elbv2.describe_rules(ListenerArn=deployment.outputs["https_listener_arn"])
    tg = deployment.model("embeddings")["target_group_arn"]
    (rule,) = [
        r for r in rules["Rules"] if r["Actions"] and r["Actions"][0].get("TargetGroupArn") == tg
    ]
    deployment.elbv2.delete_rule(RuleArn=rule["RuleArn"])
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [(EMBEDDINGS, "routing")]
    assert run.check(EMBEDDINGS, "routing")["detail"] == "no rule forwards path /v1/embeddings here"


def test_deletion_protection_off_in_prod_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=deployment.outputs["alb_arn"],
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [("attributes", "deletion protection")]
    assert run.check("attributes", "deletion protection")["detail"] == "off (expected on)"


def test_a_load_balancer_that_is_gone_fails_in_one_line(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = deployment.outputs["alb_arn"].rsplit("/", 1)[0] + "/0123456789abcdef"
    deployment.outputs["alb_arn"] = gone
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.report is not None
    assert run.report["checks"] == [
        {
            "group": "load balancer",
            "name": "exists",
            "status": "fail",
            "detail": f"AWS does not know {gone}",
        }
    ]


def test_a_target_group_that_is_gone_fails_its_model_only(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tg = deployment.model("embeddings")["target_group_arn"]
    gone = tg.rsplit("/", 1)[0] + "/0123456789abcdef"
    deployment.model("embeddings")["target_group_arn"] = gone
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(EMBEDDINGS, "target group")]
    assert run.check(EMBEDDINGS, "target group")["detail"] == f"AWS does not know {gone}"


def test_wait_reports_progress_and_gives_up_at_the_deadline(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.ec2.stop_instances(InstanceIds=[deployment.instances["embeddings"]["eu-west-1a"]])
    started = time.monotonic()
    run = verify(deployment, tmp_path, capsys, "--wait", "1.5", "--poll", "0.3")
    assert time.monotonic() - started < 15
    assert run.code == 1
    *waiting, last = run.stderr.splitlines()
    assert len(waiting) >= 3, run.stderr
    assert all(line.startswith("waiting for healthy targets (") for line in waiting)
    assert waiting[0].endswith(
        "s left): llm-chat 3/3 healthy in 3/3 AZs, embeddings 2/3 healthy in 2/3 AZs"
    )
    assert last.startswith("gave up waiting after ")
    assert last.endswith(" s: llm-chat 3/3 healthy in 3/3 AZs, embeddings 2/3 healthy in 2/3 AZs")
    assert run.report is not None
    assert run.report["waited_seconds"] >= 1.5
    assert {group for group, _ in run.failed()} == {EMBEDDINGS}


def test_wait_returns_as_soon_as_targets_turn_healthy(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = deployment.instances["llm-chat"]["eu-west-1b"]
    deployment.ec2.stop_instances(InstanceIds=[instance])
    timer = threading.Timer(1.0, lambda: deployment.ec2.start_instances(InstanceIds=[instance]))
    timer.start()
    try:
        run = verify(deployment, tmp_path, capsys, "--wait", "60", "--poll", "0.2")
    finally:
        timer.cancel()
    assert run.code == 0, run.stdout
    assert "llm-chat 2/3 healthy in 2/3 AZs" in run.stderr.splitlines()[0]
    assert run.stderr.splitlines()[-1].endswith(
        " s: llm-chat 3/3 healthy in 3/3 AZs, embeddings 3/3 healthy in 3/3 AZs"
    )
    assert run.stderr.splitlines()[-1].startswith("ready after ")
    assert run.report is not None
    assert 0 < run.report["waited_seconds"] < 30


def test_on_a_terminal_the_progress_is_one_status_line(deployment: Deployment) -> None:
    deployment.ec2.stop_instances(InstanceIds=[deployment.instances["embeddings"]["eu-west-1c"]])
    outputs = ServingOutputs.model_validate(deployment.outputs)
    elbv2, ec2 = clients("eu-west-1")
    terminal = Console(file=io.StringIO(), force_terminal=True, width=160)
    sleeps: list[float] = []
    view, waited = wait_until_ready(
        outputs, fetch(elbv2, ec2, outputs), (elbv2, ec2),
        seconds=0.5, poll=0.2, console=terminal, sleep=sleeps.append,
    )  # fmt: skip
    text = terminal.file.getvalue()  # type: ignore[attr-defined]
    assert sleeps and all(0 <= s <= 0.2 for s in sleeps)
    assert "gave up waiting after" in text
    # The status line is redrawn in place and cleared, never printed as plain lines.
    assert "\nwaiting for healthy targets" not in text
    assert view.load_balancer is not None and waited >= 0.5
