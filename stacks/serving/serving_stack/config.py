"""The serving stack's configuration (namespace ``serving``), validated before anything is built.

Top-level keys (defaults in brackets):

- ``costCenter`` (required): the ``cost-center`` tag. ``team`` [``ml-platform``]: the ``team`` tag.
- ``networkStack`` [``<org>/network/<env>``, ``organization`` on the file backend]: the network
  stack to read the contract from (e.g. ``acme/network/prod`` on Pulumi Cloud).
- ``scheme`` [``internal``]: ``internal`` or ``internet-facing``. An internal ALB uses the private
  subnets, an internet-facing one the public subnets.
- ``allowedCidrs`` / ``allowedPrefixListIds`` [none]: who may reach ports 443 and 80 (IPv4: the ALB
  is IPv4-only). Required unless ``public: true``.
- ``public`` [``false``]: the explicit, named opt-in to 0.0.0.0/0 on 443 and 80 (only for
  ``internet-facing``).
- ``idleTimeoutSeconds`` [300]: 1-4000; long enough for an inference request.
- ``desyncMitigationMode`` [``defensive``]: ``defensive`` or ``strictest``.
- ``deletionProtection`` [on in prod, off elsewhere].
- ``tlsPolicy`` [``ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09``].
- ``certificate`` (required): ``{arn: <ACM ARN in the stack's region and account>}``, or
  ``{domain: api.example.com, zone: example.com, subjectAlternativeNames: [...]}`` for a certificate
  this stack requests and validates by DNS in that Route 53 zone; it also covers ``dns.name`` and
  every host route, which must then be inside the zone.
- ``accessLogs`` [a bucket this stack creates]: ``{bucket: <existing>}`` to use an existing one;
  ``retentionDays`` [90].
- ``wafAclArn`` [none]: a WAFv2 regional web ACL (in the stack's region) to associate.
- ``dns`` [none]: ``{zone: example.com, name: api.example.com}`` for a Route 53 alias record;
  ``aliasHostRoutes`` [``true``]: also an alias for every host route inside the zone.
- ``alarms``: ``snsTopicArn`` [none], ``target5xxPercent`` [5], ``p99LatencySeconds`` [2].
- ``allowSlowFailover`` [``false``]: the named opt-out of the 10-second failure-detection budget.
- ``models`` (required, 1-100): see below.

A model: ``name`` (2-32 characters, ``a-z0-9-``); ``port`` [8080]; ``healthCheck`` (``path``
[``/health``], ``intervalSeconds`` [5], ``timeoutSeconds`` [4], ``healthyThreshold`` [2],
``unhealthyThreshold`` [2], ``matcher`` [``200``]); ``route``: ``{pathPrefix: /v1/chat}``,
``{host: chat.example.com}`` or ``{default: true}`` (omitted = the default: the listener's default
action forwards to it; one model at most; with none, unmatched requests get a JSON 404);
``priority`` [derived from the route, see ``routing.py``]; ``deregistrationDelaySeconds`` [30];
``slowStartSeconds`` [0 = off, else 30-900]; ``minHealthyTargets`` [the backend's: one per AZ
of its instances, or the fleet's ``minSize``]; and exactly one backend key, which says what serves
it: ``instances`` (existing instance ids in >= 2 AZs, ``backends/instances.py``) or ``fleet`` (an
Auto Scaling group this stack creates, ``backends/fleet.py``, whose docstring lists its keys).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from serving_stack import backends
from shared.aws_values import check_alb_tls_policy, check_log_retention
from shared.cidrs import covers_world
from shared.config import ConfigModel, ConfigValueError, StackConfigModel, load_config
from shared.environments import EnvironmentProfile

NAMESPACE = "serving"
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
MAX_DETECTION_SECONDS = 10
# ALB quotas (defaults, per load balancer).
MAX_TARGET_GROUPS = 100
MAX_RULES = 100

ACM_ARN = re.compile(
    r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):certificate/[0-9a-f-]{36}$"
)
SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$")
WAF_ARN = re.compile(
    r"^arn:aws[a-z-]*:wafv2:(?P<region>[a-z0-9-]+):\d{12}:regional/webacl/[A-Za-z0-9_-]+/[0-9a-f-]{36}$"
)
DOMAIN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
_MATCHER = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


def _arn_of(pattern: re.Pattern[str], what: str, shape: str) -> AfterValidator:
    """A validator with a readable message instead of pydantic's regex dump."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"not {what} (expected {shape})")
        return value

    return AfterValidator(check)


AcmArn = Annotated[
    str,
    _arn_of(ACM_ARN, "an ACM certificate ARN", "arn:aws:acm:<region>:<account>:certificate/<id>"),
]
SnsArn = Annotated[
    str, _arn_of(SNS_ARN, "an SNS topic ARN", "arn:aws:sns:<region>:<account>:<topic>")
]
WafArn = Annotated[
    str,
    _arn_of(
        WAF_ARN,
        "a WAFv2 regional web ACL ARN",
        "arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>",
    ),
]
Domain = Annotated[str, Field(pattern=DOMAIN, max_length=253)]


def arn_region(arn: str) -> str:
    """The region field of an ARN (``arn:partition:service:region:account:resource``)."""
    return arn.split(":")[3]


def arn_account(arn: str) -> str:
    return arn.split(":")[4]


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def covered_by(name: str, patterns: list[str]) -> bool:
    """Whether a certificate for ``patterns`` covers ``name`` (a ``*.`` wildcard is one label)."""
    for pattern in patterns:
        if pattern == name:
            return True
        if pattern.startswith("*.") and name.split(".", 1)[-1] == pattern[2:] and "." in name:
            return True
    return False


WildcardDomain = Annotated[
    str,
    Field(pattern=r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", max_length=253),
]


class CertificateConfig(ConfigModel):
    arn: AcmArn | None = None
    names: list[WildcardDomain] = Field(default_factory=list)
    """With ``arn``: the names the certificate covers, the first the one clients use (the stack's
    URL when there is no ``dns.name``)."""
    domain: Domain | None = None
    zone: Domain | None = None
    subject_alternative_names: list[Domain] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self) -> CertificateConfig:
        if (self.arn is None) == (self.domain is None):
            raise ConfigValueError(
                "arn", self.arn, "give either an ACM certificate arn, or domain and zone"
            )
        if self.domain is None:
            if self.subject_alternative_names:
                raise ConfigValueError(
                    "subjectAlternativeNames",
                    self.subject_alternative_names,
                    "only for a certificate this stack requests (domain and zone)",
                )
            return self
        if self.names:
            raise ConfigValueError(
                "names",
                self.names,
                "only with arn: a requested certificate covers domain and subjectAlternativeNames",
            )
        if self.zone is None:
            raise ConfigValueError(
                "zone", None, "a DNS-validated certificate needs the Route 53 zone"
            )
        for index, name in enumerate([self.domain, *self.subject_alternative_names]):
            if not in_zone(name, self.zone):
                key = "domain" if index == 0 else f"subjectAlternativeNames.{index - 1}"
                raise ConfigValueError(
                    key, name, f"outside the zone {self.zone}, where it is validated by DNS"
                )
        return self

    @property
    def dns_validated(self) -> bool:
        return self.domain is not None


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
    host: Domain | None = None
    default: bool = False

    @model_validator(mode="after")
    def _one_match(self) -> RouteConfig:
        given = [self.path_prefix is not None, self.host is not None, self.default]
        if sum(given) != 1:
            raise ConfigValueError(
                "pathPrefix",
                self.path_prefix,
                "give exactly one of pathPrefix, host or default: true",
            )
        if self.path_prefix is not None and "//" in self.path_prefix:
            raise ConfigValueError("pathPrefix", self.path_prefix, "has an empty path segment")
        return self

    @property
    def kind(self) -> Literal["path", "host", "default"]:
        if self.default:
            return "default"
        return "path" if self.path_prefix is not None else "host"

    @property
    def value(self) -> str:
        return self.path_prefix or self.host or "*"


DEFAULT_ROUTE = RouteConfig(default=True)


class Targets(BaseModel):
    """The model's backend key and its validated value (``fleet: {...}`` -> ``kind="fleet"``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kind: str
    spec: Any


def parse_targets(data: Any, *, versioned: bool = False) -> Any:
    """Move the one backend key (``instances``, ``fleet``, ...) into ``targets``; a model with
    ``versions`` (``versioned``) has its backends there instead."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if "targets" in data:
        raise ConfigValueError("targets", data["targets"], f"not a key: give {backends.choices()}")
    given = [key for key in backends.BACKENDS if key in data]
    if versioned and given:
        raise ConfigValueError(
            given[0], data[given[0]], "a model with versions has its backend in each version"
        )
    if versioned:
        return data
    if len(given) != 1:
        key = given[0] if given else next(iter(backends.BACKENDS))
        raise ConfigValueError(key, data.get(key), f"give exactly one of {backends.choices()}")
    kind = given[0]
    data["targets"] = Targets(kind=kind, spec=backends.backend(kind).parse(data.pop(kind)))
    return data


INITIAL_VERSION = "initial"
"""The version a model without ``versions`` is; listed by that name, it keeps the resources the
model had (no replacement when a model gains a second version)."""
MAX_VERSIONS = 5  # target groups one forward action takes
MAX_WEIGHT = 999


class VersionConfig(ConfigModel):
    """One version of a model: its own backend (and so target group and alarms) and its weight."""

    name: str = Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$")
    weight: int = Field(ge=0, le=MAX_WEIGHT)
    targets: Targets

    _targets = model_validator(mode="before")(parse_targets)

    @model_validator(mode="after")
    def _capacity(self) -> VersionConfig:
        if self.weight > 0 and backends.backend(self.targets.kind).capacity(self.targets.spec) == 0:
            raise ConfigValueError(
                "weight",
                self.weight,
                f"gets traffic but its {self.targets.kind} has no capacity: give it targets, or weight 0",
            )
        return self

    @property
    def implicit(self) -> bool:
        return self.name == INITIAL_VERSION


def _versioned(data: Any) -> Any:
    versioned = isinstance(data, dict) and data.get("versions") is not None
    return parse_targets(data, versioned=versioned)


class ModelConfig(ConfigModel):
    """A model: one backend key (see ``serving_stack.backends``), or ``versions`` that each have one."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
    port: int = Field(default=8080, ge=1, le=65535)
    health_check: HealthCheckConfig = HealthCheckConfig()
    route: RouteConfig = DEFAULT_ROUTE
    priority: int | None = Field(default=None, ge=1, le=50000)
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    slow_start_seconds: int = Field(default=0, ge=0, le=900)
    min_healthy_targets: int | None = Field(default=None, ge=1)
    backend_protocol: Literal["HTTP", "HTTPS"] = "HTTP"
    """``HTTPS``: the ALB talks TLS to the targets (and health-checks over TLS); the model server
    then serves TLS on its port (any certificate: the ALB does not validate targets')."""
    targets: Targets | None = None
    versions: list[VersionConfig] | None = Field(default=None, min_length=1)
    stickiness_seconds: int | None = Field(default=None, ge=1, le=604800)
    """Keep a client on the version it first reached (target-group stickiness of the forward)."""

    _targets = model_validator(mode="before")(_versioned)

    @model_validator(mode="after")
    def _versions(self) -> ModelConfig:
        if self.versions is None:
            if self.stickiness_seconds is not None:
                raise ConfigValueError(
                    "stickinessSeconds", self.stickiness_seconds, "only for a model with versions"
                )
            if self.targets is not None:
                spec = backends.backend(self.targets.kind)
                if spec.capacity(self.targets.spec) == 0:
                    raise ConfigValueError(
                        self.targets.kind, None, "the model gets traffic: give it capacity"
                    )
            return self
        if len(self.versions) > MAX_VERSIONS:
            raise ConfigValueError(
                "versions",
                len(self.versions),
                f"a forward action takes at most {MAX_VERSIONS} target groups (one per version)",
            )
        seen: dict[str, int] = {}
        for index, version in enumerate(self.versions):
            if version.name in seen:
                raise ConfigValueError(
                    f"versions.{index}.name",
                    version.name,
                    f"version names must be unique (also versions[{seen[version.name]}])",
                )
            seen[version.name] = index
        if sum(v.weight for v in self.versions) == 0:
            raise ConfigValueError(
                "versions",
                [{v.name: v.weight} for v in self.versions],
                "the weights sum to 0: no version would get traffic",
            )
        return self

    @property
    def served(self) -> list[VersionConfig]:
        """The model's versions; a model without ``versions`` is one, called ``initial``."""
        if self.versions is not None:
            return list(self.versions)
        assert self.targets is not None  # exactly one backend key, by validation
        return [VersionConfig.model_construct(name=INITIAL_VERSION, weight=1, targets=self.targets)]

    @property
    def weighted(self) -> bool:
        """Whether its route forwards to weighted target groups (a model with ``versions``)."""
        return self.versions is not None

    @model_validator(mode="after")
    def _slow_start_and_priority(self) -> ModelConfig:
        if self.slow_start_seconds and self.slow_start_seconds < 30:
            raise ConfigValueError("slowStartSeconds", self.slow_start_seconds, "0 (off) or 30-900")
        if self.priority is not None and self.route.default:
            raise ConfigValueError(
                "priority", self.priority, "the default route is not a rule and has no priority"
            )
        return self


class AccessLogsConfig(ConfigModel):
    bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    retention_days: int = Field(default=90, ge=1, le=3650)


KMS_KEY_ARN = re.compile(
    r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):\d{12}:(key/[0-9a-f-]{36}|alias/[A-Za-z0-9/_-]+)$"
)
KmsKeyArn = Annotated[
    str, _arn_of(KMS_KEY_ARN, "a KMS key ARN", "arn:aws:kms:<region>:<account>:key/<id>")
]


class LogsConfig(ConfigModel):
    """The fleets' CloudWatch log groups."""

    retention_days: Annotated[int, AfterValidator(check_log_retention)] | None = None
    """[365 in prod, 30 elsewhere: the env's profile]."""
    kms_key_arn: KmsKeyArn | None = None
    """A customer-managed key to encrypt the logs with; its key policy must let
    ``logs.<region>.amazonaws.com`` use it."""


class RolloutConfig(ConfigModel):
    """How ``make rollout`` moves a model to a new version (the program itself does not read it)."""

    steps: list[Annotated[int, Field(ge=1, le=100)]] = Field(
        default_factory=lambda: [10, 50, 100], min_length=1
    )
    """The new version's share of the traffic (percent) at each step; the last must be 100."""
    bake_seconds: int = Field(default=300, ge=0, le=86400)
    max_5xx_ratio: float = Field(default=2.0, ge=1.0, alias="max5xxRatio")
    """The new version's target 5xx rate may be at most this many times the current one's..."""
    allowed_5xx_percent: float = Field(default=0.5, ge=0, le=100, alias="allowed5xxPercent")
    """...and is never a breach below this (a current version without errors gives no ratio)."""
    max_p99_ratio: float = Field(default=1.5, ge=1.0)
    allowed_p99_seconds: float = Field(default=0.2, ge=0)
    """A p99 below this is never a breach."""
    min_requests: int = Field(default=100, ge=0)
    """Fewer requests to the new version in a window: its rates are not judged (alarms still are)."""

    @field_validator("steps")
    @classmethod
    def _steps(cls, value: list[int]) -> list[int]:
        if value != sorted(set(value)) or value[-1] != 100:
            raise ValueError("steps rise and end at 100 (e.g. [10, 50, 100])")
        return value


class AlarmsConfig(ConfigModel):
    sns_topic_arn: SnsArn | None = None
    target_5xx_percent: float = Field(default=5.0, gt=0, le=100, alias="target5xxPercent")
    p99_latency_seconds: float = Field(default=2.0, gt=0)


class DnsConfig(ConfigModel):
    zone: Domain
    name: Domain
    alias_host_routes: bool = True

    @model_validator(mode="after")
    def _inside_zone(self) -> DnsConfig:
        if not in_zone(self.name, self.zone):
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
    tls_policy: Annotated[str, AfterValidator(check_alb_tls_policy)] = DEFAULT_TLS_POLICY
    certificate: CertificateConfig
    access_logs: AccessLogsConfig = AccessLogsConfig()
    waf_acl_arn: WafArn | None = None
    dns: DnsConfig | None = None
    alarms: AlarmsConfig = AlarmsConfig()
    logs: LogsConfig = LogsConfig()
    rollout: RolloutConfig = RolloutConfig()
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
            if network.version != 4:
                raise ValueError(f"{cidr!r}: the ALB is IPv4-only, IPv6 clients never reach it")
            if network.prefixlen == 0:
                raise ValueError(f"{cidr!r} opens the ALB to the world: set public: true instead")
        if len(set(value)) != len(value):
            raise ValueError("a CIDR block is listed twice")
        if covers_world(value):
            raise ValueError(
                "together these reach more of the internet than a /8 (or all of it): that is the "
                "world, which only public: true may open"
            )
        return value

    @field_validator("allowed_prefix_list_ids")
    @classmethod
    def _prefix_lists(cls, value: list[str]) -> list[str]:
        for pl in value:
            if not re.match(r"^pl-[0-9a-f]{8,17}$", pl):
                raise ValueError(f"{pl!r} is not a managed prefix list id")
        if len(set(value)) != len(value):
            raise ValueError("a prefix list is listed twice")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ServingConfig:
        if self.public and self.scheme != "internet-facing":
            given = "" if "scheme" in self.model_fields_set else " (the default: it is not set)"
            raise ConfigValueError(
                "public",
                True,
                f"only an internet-facing ALB can be public, and serving:scheme is {self.scheme!r}{given}",
            )
        if not self.public and not (self.allowed_cidrs or self.allowed_prefix_list_ids):
            raise ConfigValueError(
                "allowedCidrs",
                self.allowed_cidrs,
                "name who may reach the ALB (allowedCidrs or allowedPrefixListIds), or set public: true",
            )
        groups = sum(len(m.served) for m in self.models)
        if groups > MAX_TARGET_GROUPS:
            raise ConfigValueError(
                "models",
                len(self.models),
                f"an ALB takes at most {MAX_TARGET_GROUPS} target groups (one per model version; these need {groups})",
            )
        names: dict[str, int] = {}
        for index, model in enumerate(self.models):
            if model.name in names:
                raise ConfigValueError(
                    f"models.{index}.name",
                    model.name,
                    f"model names must be unique (also models[{names[model.name]}])",
                )
            names[model.name] = index
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
        self._check_routes()
        self._check_names_are_covered()
        return self

    def _check_routes(self) -> None:
        defaults = [i for i, m in enumerate(self.models) if m.route.default]
        if len(defaults) > 1:
            raise ConfigValueError(
                f"models.{defaults[1]}.route",
                None,
                f"only one model may be the default route (models[{defaults[0]}] is); "
                "give the others a pathPrefix or host",
            )
        routes: dict[tuple[str, str], int] = {}
        for index, model in enumerate(self.models):
            if model.route.default:
                continue
            key = (model.route.kind, model.route.value)
            if key in routes:
                raise ConfigValueError(
                    f"models.{index}.route",
                    model.route.value,
                    f"the same route as models[{routes[key]}]",
                )
            routes[key] = index
        if len(routes) > MAX_RULES:
            raise ConfigValueError(
                "models", len(routes), f"an ALB listener takes at most {MAX_RULES} rules"
            )

    def _check_names_are_covered(self) -> None:
        """A certificate this stack requests must cover every name clients use: in its zone; an
        existing one (``arn``) must say which names it covers, and those must include them."""
        cert = self.certificate
        if not cert.dns_validated or cert.zone is None:
            self._check_existing_certificate_names()
            return
        if self.dns is not None and not in_zone(self.dns.name, cert.zone):
            raise ConfigValueError(
                "dns.name",
                self.dns.name,
                f"the certificate is validated in {cert.zone}; use certificate.arn for other names",
            )
        for index, model in enumerate(self.models):
            if model.route.host is not None and not in_zone(model.route.host, cert.zone):
                raise ConfigValueError(
                    f"models.{index}.route.host",
                    model.route.host,
                    f"the certificate is validated in {cert.zone}; use certificate.arn for other names",
                )

    def _check_existing_certificate_names(self) -> None:
        names = self.certificate.names
        if self.service_name is None:
            raise ConfigValueError(
                "certificate.names",
                names,
                "name what the certificate at certificate.arn covers (the first is the URL clients "
                "use: no client can verify the ALB's own DNS name), or set dns",
            )
        wanted = [("dns.name", self.dns.name)] if self.dns is not None else []
        wanted += [
            (f"models.{i}.route.host", m.route.host)
            for i, m in enumerate(self.models)
            if m.route.host is not None
        ]
        for key, name in wanted:
            if not covered_by(name, names):
                raise ConfigValueError(
                    key,
                    name,
                    f"not among the names certificate.names says it covers ({', '.join(names)})",
                )

    @property
    def service_name(self) -> str | None:
        """The name clients use, which the certificate covers: ``dns.name``, the requested
        certificate's domain, or the first name an existing certificate covers."""
        if self.dns is not None:
            return self.dns.name
        cert = self.certificate
        if cert.domain is not None:
            return cert.domain
        return next((n for n in cert.names if not n.startswith("*.")), None)

    def certificate_names(self) -> list[str]:
        """What a requested certificate covers: its domain, then every other name clients use."""
        cert = self.certificate
        if cert.domain is None:
            return []
        names = [cert.domain, *cert.subject_alternative_names]
        if self.dns is not None:
            names.append(self.dns.name)
        names += [m.route.host for m in self.models if m.route.host is not None]
        return list(dict.fromkeys(names))

    def alias_names(self) -> list[str]:
        """Route 53 alias records to create: ``dns.name`` and host routes inside ``dns.zone``."""
        if self.dns is None:
            return []
        names = [self.dns.name]
        if self.dns.alias_host_routes:
            names += [
                m.route.host
                for m in self.models
                if m.route.host is not None and in_zone(m.route.host, self.dns.zone)
            ]
        return list(dict.fromkeys(names))

    def deletion_protection_for(self, profile: EnvironmentProfile) -> bool:
        """The ALB's deletion protection: as configured, else what the env's profile wants."""
        if self.deletion_protection is not None:
            return self.deletion_protection
        return profile.deletion_protection


def load_serving_config() -> ServingConfig:
    return load_config(ServingConfig, NAMESPACE)
