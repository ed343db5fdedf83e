"""The serving stack's outputs: exported by ``stacks/serving``, read by ``make verify``.

Every top-level field is one stack output of the same name. ``expected`` settings (scheme, TLS
policy, certificate, deletion protection, desync mode) are exported so that post-deploy checks
compare AWS's view with what the config asked for, not with values hard-coded in the checker.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

RouteKind = Literal["path", "host", "default"]


class ModelRoute(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: RouteKind
    value: str
    """Path prefix (``/models/llm``), host header (``llm.example.com``) or ``*`` for the default."""
    priority: int | None = None
    """Listener rule priority; ``None`` for the default action."""


class VersionOutput(BaseModel):
    """One version of a model: its own target group and backend, and its share of the traffic."""

    model_config = ConfigDict(frozen=True)

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


class ModelOutput(BaseModel):
    model_config = ConfigDict(frozen=True)

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


class FailoverFigures(BaseModel):
    model_config = ConfigDict(frozen=True)

    detection_seconds: int
    """Worst case until an unhealthy target stops receiving traffic: interval x unhealthy threshold."""
    recovery_seconds: int
    """Until a recovered target receives traffic again: interval x healthy threshold."""
    drain_seconds: int
    """Deregistration delay: how long in-flight requests may finish on a removed target."""
    az_count: int
    min_healthy_per_az: int


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


OUTPUT_NAMES: tuple[str, ...] = tuple(ServingOutputs.model_fields)
