"""The serving stack's configuration (namespace ``serving``), validated before anything is built.

Top-level keys (defaults in brackets):

- ``costCenter`` (required): the ``cost-center`` tag. ``team`` [``ml-platform``]: the ``team`` tag.
- ``networkStack`` [``organization/network/<env>``]: the network stack to read the contract from.
- ``scheme`` [``internal``]: ``internal`` or ``internet-facing``. An internal ALB uses the private
  subnets, an internet-facing one the public subnets.
- ``allowedCidrs`` / ``allowedPrefixListIds`` [none]: who may reach ports 443 and 80. Required for
  an internet-facing ALB unless ``public: true``.
- ``public`` [``false``]: the explicit, named opt-in to 0.0.0.0/0 and ::/0 on 443 and 80 (only for
  ``internet-facing``).
- ``idleTimeoutSeconds`` [300]: 1-4000; long enough for an inference request.
- ``desyncMitigationMode`` [``defensive``]: ``defensive`` or ``strictest``.
- ``deletionProtection`` [on in prod, off elsewhere].
- ``tlsPolicy`` [``ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09``].
- ``certificate``: ``{arn: <ACM ARN>}`` or ``{domain: api.example.com, zone: example.com}`` for a
  certificate this stack requests and validates by DNS in that Route 53 zone.
- ``accessLogs`` [a bucket this stack creates]: ``{bucket: <existing>}`` to use an existing one;
  ``retentionDays`` [90].
- ``wafAclArn`` [none]: a WAFv2 regional web ACL to associate.
- ``dns`` [none]: ``{zone: example.com, name: api.example.com}`` for a Route 53 alias record.
- ``alarms``: ``snsTopicArn`` [none], ``target5xxPercent`` [5], ``p99LatencySeconds`` [2].
- ``allowSlowFailover`` [``false``]: the named opt-out of the 10-second failure-detection budget.
- ``models`` (required, 1-100): see :class:`ModelConfig`.

A model: ``name``; ``port`` [8080]; ``healthCheck`` (``path`` [``/health``], ``intervalSeconds``
[5], ``timeoutSeconds`` [4], ``healthyThreshold`` [2], ``unhealthyThreshold`` [2], ``matcher``
[``200``]); ``route`` (``pathPrefix`` or ``host``; omitted = the listener's default, allowed for one
model); ``priority`` [derived from the name]; ``deregistrationDelaySeconds`` [30];
``slowStartSeconds`` [0 = off]; ``minHealthyTargets`` [one per AZ]; and exactly one of
``instances`` (existing instance ids in >= 2 AZs) or ``fleet`` (``image``, ``instanceType``
[``m7i.large``], ``minSize`` [3], ``maxSize`` [6], ``requestsPerTarget`` [100],
``healthCheckGraceSeconds`` [180], ``volumeSizeGb`` [40], ``amiParameter`` [the ECS-optimised
Amazon Linux 2023 AMI]).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from shared.config import ConfigModel, ConfigValueError, StackConfigModel, load_config

NAMESPACE = "serving"
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
MAX_DETECTION_SECONDS = 10
# ALB quotas (defaults, per load balancer).
MAX_TARGET_GROUPS = 100
MAX_RULES = 100

ACM_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$"
SNS_ARN = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
WAF_ARN = r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]{36}$"
INSTANCE_ID = r"^i-[0-9a-f]{8,17}$"
DOMAIN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
_MATCHER = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


class CertificateConfig(ConfigModel):
    arn: str | None = Field(default=None, pattern=ACM_ARN)
    domain: str | None = Field(default=None, pattern=DOMAIN)
    zone: str | None = Field(default=None, pattern=DOMAIN)

    @model_validator(mode="after")
    def _one_source(self) -> CertificateConfig:
        if (self.arn is None) == (self.domain is None):
            raise ConfigValueError(
                "arn", self.arn, "give either an ACM certificate arn, or domain and zone"
            )
        if self.domain is not None and self.zone is None:
            raise ConfigValueError(
                "zone", None, "a DNS-validated certificate needs the Route 53 zone"
            )
        return self


class HealthCheckConfig(ConfigModel):
    path: str = Field(
        default="/health", pattern=r"^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$", max_length=1024
    )
    interval_seconds: int = Field(default=5, ge=5, le=300)
    timeout_seconds: int = Field(default=4, ge=2, le=120)
    healthy_threshold: int = Field(default=2, ge=2, le=10)
    unhealthy_threshold: int = Field(default=2, ge=2, le=10)
    matcher: str = "200"

    @field_validator("matcher")
    @classmethod
    def _matcher(cls, value: str) -> str:
        if not _MATCHER.match(value):
            raise ValueError("expected HTTP codes like 200, 200-299 or 200,204")
        codes = [int(c) for c in re.split(r"[-,]", value)]
        if any(not 200 <= c <= 499 for c in codes):
            raise ValueError("ALB health check codes must be within 200-499")
        return value

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> HealthCheckConfig:
        if self.timeout_seconds >= self.interval_seconds:
            raise ConfigValueError(
                "timeoutSeconds",
                self.timeout_seconds,
                f"must be less than intervalSeconds ({self.interval_seconds})",
            )
        return self

    @property
    def detection_seconds(self) -> int:
        """Worst case until a failed target is taken out: interval x unhealthy threshold."""
        return self.interval_seconds * self.unhealthy_threshold

    @property
    def recovery_seconds(self) -> int:
        return self.interval_seconds * self.healthy_threshold


class RouteConfig(ConfigModel):
    path_prefix: str | None = Field(
        default=None, pattern=r"^/[A-Za-z0-9/._-]*[A-Za-z0-9._-]$", max_length=120
    )
    host: str | None = Field(default=None, pattern=DOMAIN)

    @model_validator(mode="after")
    def _one_match(self) -> RouteConfig:
        if (self.path_prefix is None) == (self.host is None):
            raise ConfigValueError(
                "pathPrefix", self.path_prefix, "give exactly one of pathPrefix or host"
            )
        return self

    @property
    def kind(self) -> Literal["path", "host"]:
        return "path" if self.path_prefix else "host"

    @property
    def value(self) -> str:
        return self.path_prefix or self.host or ""


class FleetConfig(ConfigModel):
    image: str = Field(
        pattern=r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$"
    )
    instance_type: str = Field(default="m7i.large", pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
    min_size: int = Field(default=3, ge=1, le=1000)
    max_size: int = Field(default=6, ge=1, le=1000)
    requests_per_target: int = Field(default=100, ge=1, le=100000)
    health_check_grace_seconds: int = Field(default=180, ge=0, le=7200)
    volume_size_gb: int = Field(default=40, ge=8, le=16384)
    ami_parameter: str = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"

    @model_validator(mode="after")
    def _sizes(self) -> FleetConfig:
        if self.max_size < self.min_size:
            raise ConfigValueError(
                "maxSize", self.max_size, f"must be at least minSize ({self.min_size})"
            )
        return self


class ModelConfig(ConfigModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
    port: int = Field(default=8080, ge=1, le=65535)
    health_check: HealthCheckConfig = HealthCheckConfig()
    route: RouteConfig | None = None
    priority: int | None = Field(default=None, ge=1, le=50000)
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    slow_start_seconds: int = Field(default=0, ge=0, le=900)
    min_healthy_targets: int | None = Field(default=None, ge=1)
    instances: list[str] | None = None
    fleet: FleetConfig | None = None

    @field_validator("instances")
    @classmethod
    def _instance_ids(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("list at least one instance id")
        for instance_id in value:
            if not re.match(INSTANCE_ID, instance_id):
                raise ValueError(f"{instance_id!r} is not an EC2 instance id")
        if len(set(value)) != len(value):
            raise ValueError("an instance id is listed twice")
        return value

    @model_validator(mode="after")
    def _targets_and_slow_start(self) -> ModelConfig:
        if (self.instances is None) == (self.fleet is None):
            raise ConfigValueError(
                "instances", self.instances, "give exactly one of instances or fleet"
            )
        if self.slow_start_seconds and self.slow_start_seconds < 30:
            raise ConfigValueError("slowStartSeconds", self.slow_start_seconds, "0 (off) or 30-900")
        return self

    @property
    def targets(self) -> Literal["instances", "fleet"]:
        return "instances" if self.instances is not None else "fleet"


class AccessLogsConfig(ConfigModel):
    bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    retention_days: int = Field(default=90, ge=1, le=3650)


class AlarmsConfig(ConfigModel):
    sns_topic_arn: str | None = Field(default=None, pattern=SNS_ARN)
    target_5xx_percent: float = Field(default=5.0, gt=0, le=100, alias="target5xxPercent")
    p99_latency_seconds: float = Field(default=2.0, gt=0)


class DnsConfig(ConfigModel):
    zone: str = Field(pattern=DOMAIN)
    name: str = Field(pattern=DOMAIN)

    @model_validator(mode="after")
    def _inside_zone(self) -> DnsConfig:
        if self.name != self.zone and not self.name.endswith("." + self.zone):
            raise ConfigValueError("name", self.name, f"must be inside the zone {self.zone}")
        return self


class ServingConfig(StackConfigModel):
    cost_center: str = Field(min_length=1)
    team: str = "ml-platform"
    network_stack: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
    )
    scheme: Literal["internet-facing", "internal"] = "internal"
    public: bool = False
    allowed_cidrs: list[str] = Field(default_factory=list)
    allowed_prefix_list_ids: list[str] = Field(default_factory=list)
    idle_timeout_seconds: int = Field(default=300, ge=1, le=4000)
    desync_mitigation_mode: Literal["defensive", "strictest"] = "defensive"
    deletion_protection: bool | None = None
    tls_policy: str = Field(
        default=DEFAULT_TLS_POLICY, pattern=r"^ELBSecurityPolicy-[A-Za-z0-9-]+$"
    )
    certificate: CertificateConfig
    access_logs: AccessLogsConfig = AccessLogsConfig()
    waf_acl_arn: str | None = Field(default=None, pattern=WAF_ARN)
    dns: DnsConfig | None = None
    alarms: AlarmsConfig = AlarmsConfig()
    allow_slow_failover: bool = False
    models: list[ModelConfig] = Field(min_length=1)

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                raise ValueError(f"{cidr!r} is not a valid CIDR block ({exc})") from None
            if network.prefixlen == 0:
                raise ValueError(f"{cidr!r} opens the ALB to the world: set public: true instead")
        return value

    @field_validator("allowed_prefix_list_ids")
    @classmethod
    def _prefix_lists(cls, value: list[str]) -> list[str]:
        for pl in value:
            if not re.match(r"^pl-[0-9a-f]{8,17}$", pl):
                raise ValueError(f"{pl!r} is not a managed prefix list id")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ServingConfig:
        if self.public and self.scheme != "internet-facing":
            raise ConfigValueError("public", True, "only an internet-facing ALB can be public")
        if not self.public and not (self.allowed_cidrs or self.allowed_prefix_list_ids):
            raise ConfigValueError(
                "allowedCidrs",
                self.allowed_cidrs,
                "name who may reach the ALB (allowedCidrs or allowedPrefixListIds), or set public: true",
            )
        names = [m.name for m in self.models]
        for index, model in enumerate(self.models):
            if names.index(model.name) != index:
                raise ConfigValueError(
                    f"models.{index}.name", model.name, "model names must be unique"
                )
            detection = model.health_check.detection_seconds
            if detection > MAX_DETECTION_SECONDS and not self.allow_slow_failover:
                raise ConfigValueError(
                    f"models.{index}.healthCheck",
                    {
                        "intervalSeconds": model.health_check.interval_seconds,
                        "unhealthyThreshold": model.health_check.unhealthy_threshold,
                    },
                    f"failure detection takes {detection}s (interval x unhealthyThreshold) > {MAX_DETECTION_SECONDS}s; "
                    "tighten it or set allowSlowFailover: true",
                )
        defaults = [i for i, m in enumerate(self.models) if m.route is None]
        if len(defaults) > 1:
            raise ConfigValueError(
                f"models.{defaults[1]}.route",
                None,
                "only one model may be the default route; give the others a pathPrefix or host",
            )
        routes: dict[tuple[str, str], int] = {}
        for index, model in enumerate(self.models):
            if model.route is None:
                continue
            key = (model.route.kind, model.route.value)
            if key in routes:
                raise ConfigValueError(
                    f"models.{index}.route",
                    model.route.value,
                    f"the same route as models[{routes[key]}]",
                )
            routes[key] = index
        if len(self.models) > MAX_TARGET_GROUPS:
            raise ConfigValueError(
                "models",
                len(self.models),
                f"an ALB takes at most {MAX_TARGET_GROUPS} target groups",
            )
        if len(routes) > MAX_RULES:
            raise ConfigValueError(
                "models", len(routes), f"an ALB listener takes at most {MAX_RULES} rules"
            )
        return self

    def deletion_protection_for(self, env: str) -> bool:
        return self.deletion_protection if self.deletion_protection is not None else env == "prod"


def load_serving_config() -> ServingConfig:
    return load_config(ServingConfig, NAMESPACE)
