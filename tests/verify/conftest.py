"""A moto server on 127.0.0.1 (started and stopped by its own PID) and a deploy that looks like prod."""

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

REGION = "eu-west-1"
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Deployment:
    endpoint: str
    outputs: dict[str, Any]
    instances: dict[str, dict[str, str]]
    """model -> AZ -> instance id"""
    clients: dict[str, Any]

    def write_outputs(self, path: Path) -> Path:
        path.write_text(json.dumps(self.outputs))
        return path


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    urllib.request.urlopen(
        urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=5
    ).close()
    for key, value in {
        **CREDENTIALS,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    return {
        name: boto3.client(name, region_name=REGION, endpoint_url=moto_endpoint)
        for name in ("ec2", "elbv2", "s3", "acm")
    }


def deploy_prod_like(endpoint: str, clients: dict[str, Any]) -> Deployment:
    """What `make deploy ENV=prod` leaves behind, built with boto3 (moto accepts almost anything)."""
    ec2, elbv2, s3, acm = clients["ec2"], clients["elbv2"], clients["s3"], clients["acm"]
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{16 * i}.0/20", AvailabilityZone=az)[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate(ZONES)
    ]
    bucket = "serving-prod-alb-logs-210987654321-eu-west-1"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    lb = elbv2.create_load_balancer(
        Name="serving-alb-3a0bd19", Subnets=subnets, Scheme="internet-facing", Type="application"
    )["LoadBalancers"][0]
    lb_arn = lb["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb_arn,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": bucket},
            {"Key": "access_logs.s3.prefix", "Value": "access"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "routing.http.desync_mitigation_mode", "Value": "strictest"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
        ],
    )
    cert = acm.request_certificate(DomainName="api.ml.acme-corp.com", ValidationMethod="DNS")[
        "CertificateArn"
    ]
    https = elbv2.create_listener(
        LoadBalancerArn=lb_arn, Protocol="HTTPS", Port=443, SslPolicy=TLS_POLICY, Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "application/json", "MessageBody": "{}"}}],
    )["Listeners"][0]  # fmt: skip
    http = elbv2.create_listener(
        LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    )["Listeners"][0]  # fmt: skip
    models: dict[str, Any] = {}
    instances: dict[str, dict[str, str]] = {}
    for name, port, prefix, priority, path in (
        ("llm-chat", 8080, "/v1/chat", 22919, "/healthz"),
        ("embeddings", 8000, "/v1/embeddings", 25566, "/health"),
    ):
        tg = elbv2.create_target_group(
            Name=f"srv-prod-{name}-a669f5f"[:32], Protocol="HTTP", Port=port, VpcId=vpc, HealthCheckPath=path,
            HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=4, HealthyThresholdCount=2, UnhealthyThresholdCount=2,
        )["TargetGroups"][0]  # fmt: skip
        instances[name] = {}
        for az, subnet in zip(ZONES, subnets, strict=True):
            instance = ec2.run_instances(
                ImageId="ami-0c1f3a8058fde8814",
                MinCount=1,
                MaxCount=1,
                SubnetId=subnet,
                InstanceType="g5.2xlarge",
            )["Instances"][0]
            instances[name][az] = instance["InstanceId"]
        elbv2.register_targets(
            TargetGroupArn=tg["TargetGroupArn"],
            Targets=[{"Id": i, "Port": port} for i in instances[name].values()],
        )
        elbv2.create_rule(
            ListenerArn=https["ListenerArn"], Priority=priority,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": [prefix, f"{prefix}/*"]}}],
            Actions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
        )  # fmt: skip
        models[name] = {
            "name": name,
            "route": {"kind": "path", "value": prefix, "priority": priority},
            "target_group_arn": tg["TargetGroupArn"],
            "port": port,
            "health_check_path": path,
            "targets": "fleet",
            "min_healthy_targets": 3,
        }
    outputs = {
        "alb_arn": lb_arn,
        "alb_dns_name": lb["DNSName"],
        "alb_zone_id": lb["CanonicalHostedZoneId"],
        "url": "https://api.ml.acme-corp.com",
        "scheme": "internet-facing",
        "availability_zones": ZONES,
        "https_listener_arn": https["ListenerArn"],
        "http_listener_arn": http["ListenerArn"],
        "tls_policy": TLS_POLICY,
        "certificate_arn": cert,
        "log_bucket": bucket,
        "deletion_protection": True,
        "desync_mitigation_mode": "strictest",
        "models": models,
        "failover": {
            "detection_seconds": 10,
            "recovery_seconds": 10,
            "drain_seconds": 60,
            "az_count": 3,
            "min_healthy_per_az": 1,
        },
    }
    return Deployment(endpoint, outputs, instances, clients)


@pytest.fixture
def deployment(moto_endpoint: str, aws: dict[str, Any]) -> Deployment:
    return deploy_prod_like(moto_endpoint, aws)


def run_verify(
    deployment: Deployment, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    env = {**os.environ, **CREDENTIALS, "AWS_ENDPOINT_URL": deployment.endpoint, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "tooling.verify", "--env", "prod", "--outputs", str(outputs), *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
