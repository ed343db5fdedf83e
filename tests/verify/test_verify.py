"""``make verify`` against moto_server: a healthy deploy, then one broken thing at a time."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.verify.conftest import Deployment, run_verify


def _verify(
    deployment: Deployment, tmp_path: Path, *args: str
) -> tuple[int, list[dict[str, str]], str]:
    """Exit code, the failed checks (from --json) and the printed table."""
    report = tmp_path / "checks.json"
    result = run_verify(deployment, tmp_path, "--json", str(report), *args)
    checks = json.loads(report.read_text())["checks"]
    return result.returncode, [c for c in checks if c["status"] == "fail"], result.stdout


def test_a_healthy_prod_deploy_passes(deployment: Deployment, tmp_path: Path) -> None:
    result = run_verify(deployment, tmp_path, "--json", str(tmp_path / "checks.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((tmp_path / "checks.json").read_text())
    assert set(data) == {"env", "alb_arn", "passed", "checks"}
    assert data["passed"] is True
    statuses = {(c["group"], c["name"]): c["status"] for c in data["checks"]}
    for key in [
        ("load balancer", "active"),
        ("load balancer", "availability zones"),
        ("attributes", "access log bucket"),
        ("attributes", "deletion protection"),
        ("listeners", "TLS policy"),
        ("listeners", "HTTP :80 redirects only"),
        ("model llm-chat", "healthy targets per AZ"),
        ("model llm-chat", "routing"),
        ("model embeddings", "health check path"),
    ]:
        assert statuses[key] == "pass", key
    assert all(set(c) == {"group", "name", "status", "detail"} for c in data["checks"])


def test_an_az_without_healthy_targets_fails(deployment: Deployment, tmp_path: Path) -> None:
    ec2 = deployment.clients["ec2"]
    ec2.stop_instances(InstanceIds=[deployment.instances["llm-chat"]["eu-west-1c"]])
    result = run_verify(deployment, tmp_path, "--json", str(tmp_path / "checks.json"))
    assert result.returncode == 1
    failed = [
        c
        for c in json.loads((tmp_path / "checks.json").read_text())["checks"]
        if c["status"] == "fail"
    ]
    assert [(c["group"], c["name"]) for c in failed] == [
        ("model llm-chat", "healthy targets per AZ"),
        ("model llm-chat", "healthy targets"),
    ]
    assert "none healthy in eu-west-1c" in failed[0]["detail"]


def test_access_logs_off_fails(deployment: Deployment, tmp_path: Path) -> None:
    deployment.clients["elbv2"].modify_load_balancer_attributes(
        LoadBalancerArn=deployment.outputs["alb_arn"],
        Attributes=[{"Key": "access_logs.s3.enabled", "Value": "false"}],
    )
    code, failed, table = _verify(deployment, tmp_path)
    assert code == 1
    assert [(c["name"], c["detail"]) for c in failed] == [
        ("access logs", "off"),
        (
            "access log bucket",
            "serving-prod-alb-logs-210987654321-eu-west-1 (expected serving-prod-alb-logs-210987654321-eu-west-1)",
        ),
    ]
    assert "fail" in table


def test_an_http_listener_that_forwards_fails(deployment: Deployment, tmp_path: Path) -> None:
    elbv2 = deployment.clients["elbv2"]
    tg = deployment.outputs["models"]["llm-chat"]["target_group_arn"]
    elbv2.modify_listener(
        ListenerArn=deployment.outputs["http_listener_arn"],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    code, failed, _ = _verify(deployment, tmp_path)
    assert code == 1
    assert [(c["group"], c["name"], c["detail"]) for c in failed] == [
        ("listeners", "HTTP :80 redirects only", "serves traffic (forward)")
    ]


def test_a_tls_1_0_policy_fails(deployment: Deployment, tmp_path: Path) -> None:
    deployment.clients["elbv2"].modify_listener(
        ListenerArn=deployment.outputs["https_listener_arn"],
        SslPolicy="ELBSecurityPolicy-TLS13-1-0-2021-06",
    )
    code, failed, _ = _verify(deployment, tmp_path)
    assert code == 1
    assert [(c["name"], c["detail"]) for c in failed] == [
        (
            "TLS policy",
            "ELBSecurityPolicy-TLS13-1-0-2021-06 (expected ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09)",
        )
    ]


def test_waiting_reports_progress_and_gives_up_in_time(
    deployment: Deployment, tmp_path: Path
) -> None:
    deployment.clients["ec2"].stop_instances(
        InstanceIds=[deployment.instances["embeddings"]["eu-west-1a"]]
    )
    code, failed, table = _verify(deployment, tmp_path, "--wait", "2", "--poll", "0.5")
    assert code == 1
    assert "waiting for healthy targets: 5 healthy so far" in table
    assert {c["group"] for c in failed} == {"model embeddings"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"alb_arn": "arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/x/1"}',
            "alb_dns_name = <missing>: Field required",
        ),
    ],
)
def test_bad_outputs_are_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    import subprocess
    import sys

    path = tmp_path / "outputs.json"
    path.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "tooling.verify", "--env", "prod", "--outputs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"verify: {path}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path in ("/v1/chat/healthz", "/v1/embeddings/health")
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"ok" if ok else b"no")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_probe_reports_status_codes_and_latency(
    deployment: Deployment, tmp_path: Path, local_server: str
) -> None:
    result = run_verify(
        deployment,
        tmp_path,
        "--probe",
        "--probe-count",
        "5",
        "--probe-base-url",
        local_server,
        "--json",
        str(tmp_path / "c.json"),
    )
    assert result.returncode == 0, result.stdout
    probes = [
        c for c in json.loads((tmp_path / "c.json").read_text())["checks"] if c["name"] == "probe"
    ]
    assert len(probes) == 2
    for probe in probes:
        assert probe["status"] == "pass"
        assert "200 x5" in probe["detail"]
        assert "p50" in probe["detail"] and "p99" in probe["detail"]


def test_probe_of_a_broken_health_path_fails(
    deployment: Deployment, tmp_path: Path, local_server: str
) -> None:
    deployment.outputs["models"]["embeddings"]["health_check_path"] = "/readyz"
    deployment.clients["elbv2"].modify_target_group(
        TargetGroupArn=deployment.outputs["models"]["embeddings"]["target_group_arn"],
        HealthCheckPath="/readyz",
    )
    code, failed, _ = _verify(
        deployment, tmp_path, "--probe", "--probe-count", "3", "--probe-base-url", local_server
    )
    assert code == 1
    ((name, detail),) = [(c["name"], c["detail"]) for c in failed]
    assert name == "probe"
    assert "/v1/embeddings/readyz: 404 x3" in detail


def test_outputs_come_from_the_pulumi_cli_when_no_file_is_given(
    deployment: Deployment, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    from tests.delivery.conftest import FAKE_BIN
    from tests.verify.conftest import CREDENTIALS

    (tmp_path / "outputs.json").write_text(json.dumps({"serving": {"prod": deployment.outputs}}))
    env = {
        **os.environ,
        **CREDENTIALS,
        "AWS_ENDPOINT_URL": deployment.endpoint,
        "PATH": f"{FAKE_BIN}:{os.environ['PATH']}",
        "FAKE_PULUMI_LOG": str(tmp_path / "calls.jsonl"),
        "FAKE_PULUMI_OUTPUTS": str(tmp_path / "outputs.json"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tooling.verify", "--env", "prod"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (call,) = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    assert (call["project"], call["argv"]) == (
        "serving",
        ["stack", "output", "--json", "--show-secrets", "--stack", "prod"],
    )


def test_without_pulumi_or_outputs_file_it_says_what_to_do(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "tooling.verify", "--env", "prod"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == "verify: pulumi CLI not found on PATH: pass the serving stack's outputs with --outputs FILE.json\n"
    )
