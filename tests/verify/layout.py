"""What the tests deploy: a serving layer described here, not read from the committed env files
(so adding a model to ``Pulumi.prod.yaml`` changes no verify test), built in moto with boto3 the
way the serving stack builds it, and the outputs the stack would export for it."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import boto3

REGION = "eu-west-1"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "111122223333"
ELB_ACCOUNT_ARN = "arn:aws:iam::156460612806:root"  # eu-west-1's ELB log-delivery account
AMI = "ami-0c1f3a8058fde8814"
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
NOT_FOUND = '{"error": "not_found", "message": "no model is routed here"}'


@dataclass(frozen=True)
class VersionSpec:
    """One version of a model: its own target group with ``per_zone`` instances in each AZ."""

    name: str
    weight: int
    per_zone: int = 1
    """Instances registered in each AZ (0: none)."""
    min_per_az: int = 1
    """What the stack's outputs promise for it (``min_healthy_per_az``)."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    route: tuple[Literal["path", "host", "default"], str] = ("path", "/v1/chat")
    priority: int | None = 1000
    port: int = 8080
    health_path: str = "/health"
    interval: int = 5
    timeout: int = 4
    healthy: int = 2
    unhealthy: int = 2
    matcher: str = "200"
    deregistration_delay: int = 30
    slow_start: int = 0
    per_zone: int = 1
    targets: Literal["instances", "fleet"] = "fleet"
    versions: tuple[VersionSpec, ...] = ()
    """Empty: a model without versions (one group, a plain forward)."""
    stickiness: int | None = None
    """The weighted forward's target-group stickiness, in seconds."""

    def groups(self) -> tuple[tuple[str, int, int], ...]:
        """(name, weight, instances per AZ) of each target group: its versions, or itself."""
        if not self.versions:
            return ((self.name, 1, self.per_zone),)
        return tuple((v.name, v.weight, v.per_zone) for v in self.versions)

    def heaviest(self) -> str:
        return max(self.groups(), key=lambda g: g[1])[0]


@dataclass(frozen=True)
class Layout:
    models: tuple[ModelSpec, ...]
    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    tls_policy: str = TLS_POLICY
    desync: str = "strictest"
    deletion_protection: bool = True
    idle_timeout: int = 300
    domain: str = "api.ml.acme-corp.com"
    retention_days: int = 365
    bucket: str = f"serving-prod-alb-logs-{ACCOUNT}-{REGION}"
    managed_bucket: bool = True
    versioning: bool | None = None
    """None: as today's stack, which neither turns versioning on nor exports it."""
    noncurrent_days: int = 30

    def with_models(self, *models: ModelSpec) -> Layout:
        return replace(self, models=models)


LLM = ModelSpec("llm-chat", ("path", "/v1/chat"), 22919, 8080, "/healthz", deregistration_delay=60)
EMBEDDINGS = ModelSpec("embeddings", ("path", "/v1/embeddings"), 4711, 8000, "/health")
PROD_LIKE = Layout(models=(LLM, EMBEDDINGS))
CANARY = replace(LLM, versions=(VersionSpec("v1", 90), VersionSpec("v2", 10)), stickiness=None)
"""``llm-chat`` in the middle of a rollout: v1 at 90, v2 at 10, each with its own fleet."""
WITH_VERSIONS = Layout(models=(CANARY, EMBEDDINGS))


@dataclass
class Deployment:
    """What a deploy leaves behind, as moto holds it, and the stack's outputs."""

    layout: Layout
    outputs: dict[str, Any]
    instances: dict[str, dict[str, list[str]]]
    """model (``model/version`` for a version's) -> AZ -> instance ids"""
    vpc_id: str
    public_subnets: list[str]
    private_subnets: list[str]
    clients: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # deployment.elbv2, .ec2, .s3
        if name in self.clients:
            return self.clients[name]
        raise AttributeError(name)

    def model(self, name: str) -> dict[str, Any]:
        return self.outputs["models"][name]

    def version_group(self, model: str, version: str) -> str:
        return self.model(model)["versions"][version]["target_group_arn"]

    def instance(self, model: str, zone: str) -> str:
        return self.instances[model][zone][0]

    def https_rules(self) -> list[dict[str, Any]]:
        return self.elbv2.describe_rules(ListenerArn=self.outputs["https_listener_arn"])["Rules"]

    def fresh(self) -> Deployment:
        """A copy that a test may change (the clients are shared: they hold no state)."""
        return replace(
            self,
            outputs=copy.deepcopy(self.outputs),
            instances=copy.deepcopy(self.instances),
            public_subnets=[*self.public_subnets],
            private_subnets=[*self.private_subnets],
        )

    def write_outputs(self, path: Path) -> Path:
        path.write_text(json.dumps(self.outputs, indent=2))
        return path


def bucket_policy(bucket: str) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "AllowElbLogDelivery", "Effect": "Allow", "Principal": {"AWS": ELB_ACCOUNT_ARN},
             "Action": "s3:PutObject",
             "Resource": [f"{arn}/{p}/AWSLogs/{ACCOUNT}/*" for p in ("access", "connection")]},
        ],
    })  # fmt: skip


def build_bucket(s3: Any, layout: Layout, *, log_delivered: bool = True) -> None:
    """The log bucket as ``AlbLogBucket`` makes it, with the test file the ALB writes first."""
    name = layout.bucket
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    })  # fmt: skip
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})  # fmt: skip
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}],
    })  # fmt: skip
    rule: dict[str, Any] = {
        "ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Expiration": {"Days": layout.retention_days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }  # fmt: skip
    if layout.versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": layout.noncurrent_days}
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [rule]})
    if log_delivered:
        s3.put_object(Bucket=name, Key=f"access/AWSLogs/{ACCOUNT}/ELBAccessLogTestFile", Body=b"")
    s3.put_bucket_policy(Bucket=name, Policy=bucket_policy(name))


def _network(ec2: Any) -> tuple[str, list[str], list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    public, private = [], []
    for i, zone in enumerate(ZONES):
        public.append(ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i * 16}.0/20", AvailabilityZone=zone)["Subnet"]["SubnetId"])  # fmt: skip
        private.append(ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{128 + i * 16}.0/20", AvailabilityZone=zone)["Subnet"]["SubnetId"])  # fmt: skip
    return vpc, public, private


def _alb(elbv2: Any, layout: Layout, public: list[str]) -> dict[str, Any]:
    lb = elbv2.create_load_balancer(
        Name="serving-prod-alb", Subnets=public, Scheme=layout.scheme, Type="application"
    )["LoadBalancers"][0]
    attributes = {
        "access_logs.s3.enabled": "true", "access_logs.s3.bucket": layout.bucket, "access_logs.s3.prefix": "access",
        "connection_logs.s3.enabled": "true", "connection_logs.s3.bucket": layout.bucket,
        "connection_logs.s3.prefix": "connection",
        "routing.http.drop_invalid_header_fields.enabled": "true",
        "routing.http.desync_mitigation_mode": layout.desync,
        "deletion_protection.enabled": str(layout.deletion_protection).lower(),
        "idle_timeout.timeout_seconds": str(layout.idle_timeout), "routing.http2.enabled": "true",
        # AWS reports an ALB's cross-zone attribute as always on; moto starts every LB at "false".
        "load_balancing.cross_zone.enabled": "true",
        "routing.http.preserve_host_header.enabled": "false", "routing.http.xff_header_processing.mode": "append",
    }  # fmt: skip
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()],
    )
    return lb


def _target_group(elbv2: Any, vpc: str, spec: ModelSpec, group: str) -> str:
    name = (
        f"srv-prod-{spec.name}-4f1c2d7" if group == spec.name else f"srv-prod-{spec.name}-{group}"
    )
    arn = elbv2.create_target_group(
        Name=name[:32], Protocol="HTTP", ProtocolVersion="HTTP1", Port=spec.port,
        VpcId=vpc, TargetType="instance", HealthCheckEnabled=True, HealthCheckProtocol="HTTP",
        HealthCheckPort="traffic-port", HealthCheckPath=spec.health_path,
        HealthCheckIntervalSeconds=spec.interval, HealthCheckTimeoutSeconds=spec.timeout,
        HealthyThresholdCount=spec.healthy, UnhealthyThresholdCount=spec.unhealthy, Matcher={"HttpCode": spec.matcher},
    )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
    elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": str(spec.deregistration_delay)},
        {"Key": "slow_start.duration_seconds", "Value": str(spec.slow_start)},
        {"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"},
    ])  # fmt: skip
    return str(arn)


def _targets(
    ec2: Any, elbv2: Any, tg: str, private: list[str], *, port: int, per_zone: int
) -> dict[str, list[str]]:
    """``per_zone`` instances in each AZ's private subnet, registered on the model's port."""
    if per_zone == 0:
        return {zone: [] for zone in ZONES}
    placed = {
        zone: [i["InstanceId"] for i in ec2.run_instances(
            ImageId=AMI, MinCount=per_zone, MaxCount=per_zone, SubnetId=subnet, InstanceType="m7i.large",
        )["Instances"]]
        for zone, subnet in zip(ZONES, private, strict=True)
    }  # fmt: skip
    ids = [i for zone_ids in placed.values() for i in zone_ids]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": i, "Port": port} for i in ids])
    return placed


def forward(spec: ModelSpec, arns: dict[str, str]) -> dict[str, Any]:
    """The stack's forward: to the one group, or weighted to the versions' (with stickiness)."""
    if not spec.versions:
        return {"Type": "forward", "TargetGroupArn": arns[spec.name]}
    sticky = (
        {"Enabled": True, "DurationSeconds": spec.stickiness}
        if spec.stickiness
        else {"Enabled": False}
    )
    return {"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": arns[v.name], "Weight": v.weight} for v in spec.versions],
        "TargetGroupStickinessConfig": sticky,
    }}  # fmt: skip


def _rule(elbv2: Any, listener: str, spec: ModelSpec, arns: dict[str, str]) -> None:
    kind, value = spec.route
    if kind == "path":
        condition = {
            "Field": "path-pattern",
            "PathPatternConfig": {"Values": [value, f"{value}/*"]},
        }
    else:
        condition = {"Field": "host-header", "HostHeaderConfig": {"Values": [value]}}
    elbv2.create_rule(
        ListenerArn=listener, Priority=spec.priority, Conditions=[condition],
        Actions=[forward(spec, arns)],
    )  # fmt: skip


def _listeners(
    elbv2: Any, acm: Any, layout: Layout, alb_arn: str, default_forward: dict[str, Any] | None
) -> tuple[str, str, str]:
    certificate = acm.request_certificate(DomainName=layout.domain, ValidationMethod="DNS")[
        "CertificateArn"
    ]
    default = (
        default_forward if default_forward else
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "application/json", "MessageBody": NOT_FOUND}}
    )  # fmt: skip
    https = elbv2.create_listener(
        LoadBalancerArn=alb_arn, Protocol="HTTPS", Port=443, SslPolicy=layout.tls_policy,
        Certificates=[{"CertificateArn": certificate}], DefaultActions=[default],
    )["Listeners"][0]["ListenerArn"]  # fmt: skip
    http = elbv2.create_listener(
        LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    )["Listeners"][0]["ListenerArn"]  # fmt: skip
    return certificate, https, http


def model_output(spec: ModelSpec, arns: dict[str, str]) -> dict[str, Any]:
    kind, value = spec.route
    tg = arns[spec.heaviest()]
    return {
        "name": spec.name,
        "route": {"kind": kind, "value": value, "priority": None if kind == "default" else spec.priority},
        "target_group_arn": tg, "port": spec.port, "health_check_path": spec.health_path,
        "targets": spec.targets, "min_healthy_targets": _min_total(spec, spec.heaviest()),
        **(_versions_output(spec, arns) if spec.versions else {}),
        "target_group_settings": {
            "deregistration_delay_seconds": spec.deregistration_delay, "slow_start_seconds": spec.slow_start,
            "health_check": {
                "interval_seconds": spec.interval, "timeout_seconds": spec.timeout,
                "healthy_threshold": spec.healthy, "unhealthy_threshold": spec.unhealthy, "matcher": spec.matcher,
            },
        },
    }  # fmt: skip


def _min_total(spec: ModelSpec, group: str) -> int:
    if not spec.versions:
        return spec.per_zone * len(ZONES)
    (version,) = [v for v in spec.versions if v.name == group]
    return version.min_per_az * len(ZONES)


def _versions_output(spec: ModelSpec, arns: dict[str, str]) -> dict[str, Any]:
    """What the stack exports for a model with versions (``ModelOutput.versions`` and friends)."""
    return {
        "weighted": True, "stickiness_seconds": spec.stickiness,
        "versions": {
            v.name: {
                "name": v.name, "weight": v.weight, "target_group_arn": arns[v.name], "targets": spec.targets,
                "min_healthy_targets": _min_total(spec, v.name), "min_healthy_per_az": v.min_per_az,
                "alarm_names": [f"serving-prod-{spec.name}-{v.name}-5xx"],
            }
            for v in spec.versions
        },
    }  # fmt: skip


def stack_outputs(
    layout: Layout, lb: dict[str, Any], listeners: tuple[str, str, str], models: dict[str, Any]
) -> dict[str, Any]:
    certificate, https, http = listeners
    specs = layout.models
    return {
        "alb_arn": lb["LoadBalancerArn"], "alb_dns_name": lb["DNSName"], "alb_zone_id": lb["CanonicalHostedZoneId"],
        "url": f"https://{layout.domain}", "scheme": layout.scheme, "availability_zones": list(ZONES),
        "https_listener_arn": https, "http_listener_arn": http, "tls_policy": layout.tls_policy,
        "certificate_arn": certificate, "log_bucket": layout.bucket,
        "deletion_protection": layout.deletion_protection, "desync_mitigation_mode": layout.desync,
        "models": models,
        "failover": {
            "detection_seconds": max(m.interval * m.unhealthy for m in specs),
            "recovery_seconds": max(m.interval * m.healthy for m in specs),
            "drain_seconds": max(m.deregistration_delay for m in specs),
            "az_count": len(ZONES), "min_healthy_per_az": min(m.per_zone for m in specs),
        },
        "alb_settings": {"idle_timeout_seconds": layout.idle_timeout},
        "listener_settings": {},
        "log_bucket_settings": {
            "managed": layout.managed_bucket, "writer_principal": {"AWS": ELB_ACCOUNT_ARN},
            "retention_days": layout.retention_days if layout.managed_bucket else None,
            **({"versioning": True, "noncurrent_version_expiry_days": layout.noncurrent_days} if layout.versioning else {}),
        },
    }  # fmt: skip


def deploy(layout: Layout = PROD_LIKE) -> Deployment:
    """Build, with boto3 against moto, what the serving stack creates for ``layout``."""
    # Typed as Any: the fixture drives the API loosely, as a deploy tool would, not the checker.
    session: Any = boto3.session.Session(region_name=REGION)
    c = {name: session.client(name) for name in ("ec2", "elbv2", "s3", "acm")}
    vpc, public, private = _network(c["ec2"])
    build_bucket(c["s3"], layout)
    lb = _alb(c["elbv2"], layout, public)
    groups = {
        spec.name: {g: _target_group(c["elbv2"], vpc, spec, g) for g, _, _ in spec.groups()}
        for spec in layout.models
    }
    default = next(
        (forward(s, groups[s.name]) for s in layout.models if s.route[0] == "default"), None
    )
    listeners = _listeners(c["elbv2"], c["acm"], layout, lb["LoadBalancerArn"], default)
    instances = {}
    for spec in layout.models:
        for group, _, per_zone in spec.groups():
            key = spec.name if group == spec.name else f"{spec.name}/{group}"
            instances[key] = _targets(
                c["ec2"],
                c["elbv2"],
                groups[spec.name][group],
                private,
                port=spec.port,
                per_zone=per_zone,
            )
        if spec.route[0] != "default":
            _rule(c["elbv2"], listeners[1], spec, groups[spec.name])
    models = {spec.name: model_output(spec, groups[spec.name]) for spec in layout.models}
    outputs = stack_outputs(layout, lb, listeners, models)
    return Deployment(layout, outputs, instances, vpc, public, private, c)


def as_other_account(client: Any, account: str = OTHER_ACCOUNT) -> Any:
    """The same client acting for another account (moto reads ``x-moto-account-id``)."""
    client.meta.events.register(
        "before-sign.*.*",
        lambda request, **_: request.headers.__setitem__("x-moto-account-id", account),
    )
    return client
