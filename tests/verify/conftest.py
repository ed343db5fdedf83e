"""A moto server on 127.0.0.1 (started and stopped by its own handle) and a deploy that looks like
the committed prod config (``stacks/serving/Pulumi.prod.yaml``), built with boto3.

moto is lax (it accepts a one-AZ ALB, an unknown TLS policy at creation, an HTTP listener that
forwards): the broken cases are built on purpose and the checks never rely on moto refusing them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from serving_stack.config import ServingConfig
from serving_stack.routing import plan_routes
from shared.config import load_config
from shared.environments import profile
from shared.stacks import STACKS

REGION = "eu-west-1"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
ACCOUNT = "123456789012"  # moto's default account
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
LOG_BUCKET = f"serving-prod-alb-logs-{ACCOUNT}-{REGION}"
AMI = "ami-0c1f3a8058fde8814"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``moto_server -H 127.0.0.1 -p PORT`` for the session; state is reset before each test."""
    server = Path(sys.executable).parent / "moto_server"
    if not server.exists():
        pytest.skip(f"{server} not found: run `make setup` (moto[server] is in requirements.txt)")
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{endpoint}/moto-api/"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start on {endpoint}: see {log}")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh moto, and an environment in which boto3 can only ever reach it."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=5).close()
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    variables = {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "COLUMNS": "220",
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    return moto_endpoint


def prod_config() -> ServingConfig:
    """The committed prod config of the serving stack, validated by its own model."""
    path = STACKS["serving"].config_file("prod")
    values = yaml.safe_load(path.read_text())["config"]
    return load_config(ServingConfig, "serving", config=values, stack="prod")


@dataclass
class Deployment:
    """What ``make deploy ENV=prod`` leaves behind, as moto holds it, and the stack's outputs."""

    outputs: dict[str, Any]
    instances: dict[str, dict[str, str]]
    """model -> AZ -> instance id"""
    public_subnets: list[str]
    private_subnets: list[str]
    ec2: Any
    elbv2: Any

    def model(self, name: str) -> dict[str, Any]:
        return self.outputs["models"][name]

    def write_outputs(self, path: Path) -> Path:
        path.write_text(json.dumps(self.outputs, indent=2))
        return path


def deploy_prod_like(*, tls_policy: str | None = None) -> Deployment:
    """Build, with boto3 against moto, the resources the serving stack creates for prod."""
    cfg = prod_config()
    # Typed as Any: the fixture drives the API loosely, as a deploy tool would, not the checker.
    session: Any = boto3.session.Session(region_name=REGION)
    ec2, elbv2 = session.client("ec2"), session.client("elbv2")
    s3, acm = session.client("s3"), session.client("acm")

    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    public, private = [], []
    for i, zone in enumerate(ZONES):
        public.append(
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i * 16}.0/20", AvailabilityZone=zone)[
                "Subnet"
            ]["SubnetId"]
        )
        private.append(
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{128 + i * 16}.0/20", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        )  # fmt: skip
    s3.create_bucket(Bucket=LOG_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})

    lb = elbv2.create_load_balancer(
        Name="serving-prod-alb", Subnets=public, Scheme=cfg.scheme, Type="application"
    )["LoadBalancers"][0]
    alb_arn = lb["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=alb_arn,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": LOG_BUCKET},
            {"Key": "access_logs.s3.prefix", "Value": "access"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "routing.http.desync_mitigation_mode", "Value": cfg.desync_mitigation_mode},
            {"Key": "deletion_protection.enabled", "Value": str(cfg.deletion_protection_for(profile("prod"))).lower()},
            {"Key": "idle_timeout.timeout_seconds", "Value": str(cfg.idle_timeout_seconds)},
        ],
    )  # fmt: skip
    assert cfg.certificate.domain is not None
    certificate = acm.request_certificate(
        DomainName=cfg.certificate.domain, ValidationMethod="DNS"
    )["CertificateArn"]
    https = elbv2.create_listener(
        LoadBalancerArn=alb_arn,
        Protocol="HTTPS",
        Port=443,
        SslPolicy=tls_policy or cfg.tls_policy,
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {
                    "StatusCode": "404",
                    "ContentType": "application/json",
                    "MessageBody": '{"error": "not_found", "message": "no model is routed here"}',
                },
            }
        ],
    )["Listeners"][0]
    http = elbv2.create_listener(
        LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    )["Listeners"][0]  # fmt: skip

    routes = {r.model: r for r in plan_routes(cfg.models)}
    models: dict[str, Any] = {}
    instances: dict[str, dict[str, str]] = {}
    for model in cfg.models:
        hc, route = model.health_check, routes[model.name]
        fleet = model.served[0].targets.spec
        assert model.served[0].targets.kind == "fleet" and route.priority is not None
        tg = elbv2.create_target_group(
            Name=f"srv-prod-{model.name}-4f1c2d7", Protocol="HTTP", Port=model.port, VpcId=vpc,
            TargetType="instance", HealthCheckEnabled=True, HealthCheckProtocol="HTTP",
            HealthCheckPort="traffic-port", HealthCheckPath=hc.path,
            HealthCheckIntervalSeconds=hc.interval_seconds, HealthCheckTimeoutSeconds=hc.timeout_seconds,
            HealthyThresholdCount=hc.healthy_threshold, UnhealthyThresholdCount=hc.unhealthy_threshold,
            Matcher={"HttpCode": hc.matcher},
        )["TargetGroups"][0]  # fmt: skip
        tg_arn = tg["TargetGroupArn"]
        # The fleet's Auto Scaling group keeps >= 1 instance per AZ in the private subnets.
        instances[model.name] = {
            zone: ec2.run_instances(
                ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet,
                InstanceType=fleet.instance_type,
            )["Instances"][0]["InstanceId"]
            for zone, subnet in zip(ZONES, private, strict=True)
        }  # fmt: skip
        elbv2.register_targets(
            TargetGroupArn=tg_arn,
            Targets=[{"Id": i, "Port": model.port} for i in instances[model.name].values()],
        )
        assert route.kind == "path"
        elbv2.create_rule(
            ListenerArn=https["ListenerArn"], Priority=route.priority,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": [route.value, f"{route.value}/*"]}}],
            Actions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )  # fmt: skip
        models[model.name] = {
            "name": model.name,
            "route": {"kind": route.kind, "value": route.value, "priority": route.priority},
            "target_group_arn": tg_arn,
            "port": model.port,
            "health_check_path": hc.path,
            "targets": model.served[0].targets.kind,
            "min_healthy_targets": model.min_healthy_targets or fleet.min_size,
        }
    assert cfg.dns is not None
    outputs = {
        "alb_arn": alb_arn,
        "alb_dns_name": lb["DNSName"],
        "alb_zone_id": lb["CanonicalHostedZoneId"],
        "url": f"https://{cfg.dns.name}",
        "scheme": cfg.scheme,
        "availability_zones": list(ZONES),
        "https_listener_arn": https["ListenerArn"],
        "http_listener_arn": http["ListenerArn"],
        "tls_policy": cfg.tls_policy,
        "certificate_arn": certificate,
        "log_bucket": LOG_BUCKET,
        "deletion_protection": cfg.deletion_protection_for(profile("prod")),
        "desync_mitigation_mode": cfg.desync_mitigation_mode,
        "models": models,
        "failover": {
            "detection_seconds": max(m.health_check.detection_seconds for m in cfg.models),
            "recovery_seconds": max(m.health_check.recovery_seconds for m in cfg.models),
            "drain_seconds": max(m.deregistration_delay_seconds for m in cfg.models),
            "az_count": len(ZONES),
            "min_healthy_per_az": 1,
        },
    }
    return Deployment(outputs, instances, public, private, ec2, elbv2)


@pytest.fixture
def deployment(aws_env: str) -> Deployment:
    return deploy_prod_like()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def failed(self) -> list[tuple[str, str]]:
        assert self.report is not None
        return [(c["group"], c["name"]) for c in self.report["checks"] if c["status"] == "fail"]

    def check(self, group: str, name: str) -> dict[str, str]:
        assert self.report is not None
        (found,) = [c for c in self.report["checks"] if (c["group"], c["name"]) == (group, name)]
        return found


def verify(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> Run:
    """``main()`` in-process against moto, with the outputs file and ``--json``."""
    from tooling.verify.cli import main

    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    code = main(["--env", "prod", "--outputs", str(outputs), "--json", str(report), *args])
    captured = capsys.readouterr()
    data = json.loads(report.read_text()) if report.exists() else None
    return Run(code, captured.out, captured.err, data)


def child_env(**extra: str) -> dict[str, str]:
    """The current (test) environment for a child process, plus ``extra``."""
    return {**os.environ, **extra}
