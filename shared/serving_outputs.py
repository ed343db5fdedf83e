"""The serving stack's outputs: exported by ``stacks/serving``, read by ``make verify``.

Every top-level field is one stack output of the same name. ``expected`` settings (scheme, TLS
policy, certificate, deletion protection, desync mode, and the ``*_settings`` objects) are exported
so that post-deploy checks compare AWS's view with what the stack asked for, not with values
hard-coded in the checker.

Fields added after the first version have defaults, so that outputs written before them still
validate. A default is either what the stack has always set in code (``http2: True``: the same
meaning as before the field existed), or ``None`` for a value that comes from the config, which an
older stack did not export: ``make verify`` then says that it cannot compare it (a warning),
instead of guessing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

RouteKind = Literal["path", "host", "default"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ModelRoute(_Frozen):
    kind: RouteKind
    value: str
    """Path prefix (``/models/llm``), host header (``llm.example.com``) or ``*`` for the default."""
    priority: int | None = None
    """Listener rule priority; ``None`` for the default action."""


class VersionOutput(_Frozen):
    """One version of a model: its own target group and backend, and its share of the traffic."""

    name: str
    weight: int
    """Its weight in the model's forward (0-999); a model without versions has one, weight 1."""
    target_group_arn: str
    targets: str
    min_healthy_targets: int
    min_healthy_per_az: int
    """Targets it keeps in each of the ALB's AZs at the least (its failover figure)."""
    alarm_names: list[str] = []
    """Its CloudWatch alarms (a rollout watches them)."""


class HealthCheckSettings(_Frozen):
    """A target group's health check as the stack sets it (``None``: not exported)."""

    enabled: bool = True
    protocol: str = "HTTP"
    """``HTTPS`` for a model with end-to-end TLS."""
    port: str = "traffic-port"
    interval_seconds: int | None = None
    timeout_seconds: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None
    matcher: str | None = None
    """HTTP codes, as the API takes them: ``200``, ``200-299``, ``200,204``."""


class TargetGroupSettings(_Frozen):
    """A model's target group and its attributes as the stack sets them (``None``: not exported)."""

    protocol: str = "HTTP"
    protocol_version: str = "HTTP1"
    target_type: str = "instance"
    deregistration_delay_seconds: int | None = None
    slow_start_seconds: int | None = None
    """0: off."""
    load_balancing_algorithm: str = "least_outstanding_requests"
    cross_zone: bool = True
    """Cross-zone load balancing in effect for the group (its own attribute, or the ALB's)."""
    stickiness: bool = False
    health_check: HealthCheckSettings = HealthCheckSettings()


class ModelOutput(_Frozen):
    name: str
    route: ModelRoute
    target_group_arn: str
    port: int
    health_check_path: str
    targets: str
    """The model's backend: the config key that names it (``instances``, ``fleet``, ...)."""
    min_healthy_targets: int
    """The alarm threshold: fewer healthy targets than this is a failure."""
    weighted: bool = False
    """Forwards to its versions' target groups with their weights (a model with versions)."""
    stickiness_seconds: int | None = None
    versions: dict[str, VersionOutput] = {}
    """By name; ``target_group_arn`` and the figures above are those of the heaviest version."""
    target_group_settings: TargetGroupSettings = TargetGroupSettings()
    """The same on every version's target group."""


class FailoverFigures(_Frozen):
    detection_seconds: int
    """Worst case until an unhealthy target stops receiving traffic: interval x unhealthy threshold."""
    recovery_seconds: int
    """Until a recovered target receives traffic again: interval x healthy threshold."""
    drain_seconds: int
    """Deregistration delay: how long in-flight requests may finish on a removed target."""
    az_count: int
    min_healthy_per_az: int


class AlbSettings(_Frozen):
    """The load balancer's attributes as the stack sets them, beyond the top-level outputs."""

    idle_timeout_seconds: int | None = None
    http2: bool = True
    drop_invalid_header_fields: bool = True
    cross_zone: bool = True
    preserve_host_header: bool = False
    xff_header_processing_mode: str = "append"
    ip_address_type: str = "ipv4"
    access_logs_prefix: str = "access"
    connection_logs: bool = True
    """Connection logs on, to ``log_bucket`` under ``connection_logs_prefix``."""
    connection_logs_prefix: str = "connection"


class ListenerSettings(_Frozen):
    """The listeners' ports and default actions (a default model's forward is in ``models``)."""

    https_port: int = 443
    http_port: int = 80
    redirect_status_code: str = "HTTP_301"
    """The HTTP listener's only action: a redirect to HTTPS on ``https_port``."""
    not_found_status_code: str = "404"
    """The HTTPS listener's fixed response when no model is the default route."""
    not_found_content_type: str = "application/json"


class LogBucketSettings(_Frozen):
    """The access-log bucket (``log_bucket``): who owns it and how it is locked down."""

    managed: bool = True
    """The stack creates the bucket (``False``: ``accessLogs.bucket`` names an existing one)."""
    owner_account_id: str | None = None
    """The account that must own it; ``None``: the ALB's account."""
    writer_principal: dict[str, str] | None = None
    """Who the bucket policy lets write logs: ``{"AWS": <the region's ELB account ARN>}`` or
    ``{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}``; ``None``: not exported."""
    sse_algorithm: str = "AES256"
    """SSE-S3: ALB log delivery does not support SSE-KMS."""
    object_ownership: str = "BucketOwnerEnforced"
    retention_days: int | None = None
    """Lifecycle expiry of log objects (a stack-managed bucket)."""
    versioning: bool | None = None
    """``None``: the stack does not say; ``make verify`` warns while versioning is off."""
    noncurrent_version_expiry_days: int | None = None


class ServingOutputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    alb_arn: str
    alb_dns_name: str
    alb_zone_id: str
    url: str
    scheme: Literal["internet-facing", "internal"]
    availability_zones: list[str]
    https_listener_arn: str
    http_listener_arn: str
    tls_policy: str
    certificate_arn: str
    log_bucket: str
    deletion_protection: bool
    desync_mitigation_mode: str
    models: dict[str, ModelOutput]
    failover: FailoverFigures
    alb_settings: AlbSettings = AlbSettings()
    listener_settings: ListenerSettings = ListenerSettings()
    log_bucket_settings: LogBucketSettings = LogBucketSettings()


OUTPUT_NAMES: tuple[str, ...] = tuple(ServingOutputs.model_fields)
