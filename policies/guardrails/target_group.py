"""Target group guardrails: health checks on a path, fast failure detection, bounded draining."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.normalize import lower, upper
from guardrails.resource import Resource
from guardrails.types import TARGET_GROUPS
from guardrails.values import as_bool, as_dict, as_int, is_unknown

# What AWS uses when a target group does not say (instance and ip targets).
DEFAULT_INTERVAL = 30
DEFAULT_TIMEOUT = 5
DEFAULT_UNHEALTHY = 2
DEFAULT_DEREGISTRATION_DELAY = 300
PATH_PROTOCOLS = ("HTTP", "HTTPS")


def health_check(tg: Resource) -> dict[str, Any] | None:
    """The target group's health check block (``{}`` if absent), ``None`` when unknown."""
    return as_dict(tg.get("healthCheck"))


def probed(tg: Resource) -> dict[str, Any] | None:
    """The health check block of a group whose targets are probed; ``None`` if not, or unknown."""
    hc = health_check(tg)
    if hc is None or is_lambda(tg) or as_bool(hc.get("enabled", True)) is False:
        return None
    return hc


def is_lambda(tg: Resource) -> bool:
    return lower(tg.get("targetType")) == "lambda"


HEALTH_CHECK = Guardrail(
    name="tg-health-check-enabled",
    description="Target groups health-check their targets on an explicit path.",
    severity=Severity.HIGH,
    controls=("CKV_AWS_261",),
    remediation="Set healthCheck: {enabled: true, path: /health} on the target group.",
    sees=(
        sees(
            TARGET_GROUPS,
            "targetType",
            "healthCheck.enabled",
            "healthCheck.protocol",
            "healthCheck.path",
        ),
    ),
)


def check_health_check(tg: Resource, _: dict[str, Any]) -> list[Finding]:
    hc = health_check(tg)
    if is_lambda(tg):
        return []
    if hc is None or is_unknown(hc.get("enabled")):
        return [Unverified("healthCheck")]
    if as_bool(hc.get("enabled", True)) is False:
        return ["health checks are disabled: failed targets keep receiving traffic"]
    hc_protocol = upper(hc.get("protocol"), default="HTTP")  # the provider's default
    path = hc.get("path")
    if is_unknown(hc_protocol) or (hc_protocol in PATH_PROTOCOLS and is_unknown(path)):
        return [Unverified("healthCheck.path")]
    if hc_protocol not in PATH_PROTOCOLS:
        return []
    if not path:
        return ["the health check has no explicit path (AWS probes / by default)"]
    return []


DETECTION = Guardrail(
    name="tg-failover-detection",
    description="A failed target is detected within the configured time (interval x unhealthy threshold).",
    severity=Severity.MEDIUM,
    controls=("Well-Architected REL-11",),
    remediation="Lower healthCheck.interval or healthCheck.unhealthyThreshold (the serving stack defaults give 10 s).",
    sees=(
        sees(
            TARGET_GROUPS,
            "targetType",
            "healthCheck.enabled",
            "healthCheck.interval",
            "healthCheck.unhealthyThreshold",
        ),
    ),
    config={
        "maxDetectionSeconds": {
            "type": "integer",
            "minimum": 10,
            "maximum": 3000,
            "default": 30,
            "description": "Longest worst-case failure detection (interval x unhealthy threshold).",
        }
    },
)


def check_detection(tg: Resource, config: dict[str, Any]) -> list[Finding]:
    if health_check(tg) is None and not is_lambda(tg):
        return [Unverified("healthCheck")]
    hc = probed(tg)
    if hc is None:
        return []
    if is_unknown(hc.get("interval")) or is_unknown(hc.get("unhealthyThreshold")):
        return [Unverified("healthCheck.interval or unhealthyThreshold")]
    interval = as_int(hc.get("interval", DEFAULT_INTERVAL))
    unhealthy = as_int(hc.get("unhealthyThreshold", DEFAULT_UNHEALTHY))
    if interval is None or unhealthy is None:
        return []
    detection = interval * unhealthy
    limit = int(config["maxDetectionSeconds"])
    if detection <= limit:
        return []
    return [
        f"failure detection takes {detection}s ({interval}s x {unhealthy}), above the {limit}s allowed"
    ]


TIMEOUT = Guardrail(
    name="tg-health-check-timeout",
    description="The health-check timeout is shorter than its interval.",
    severity=Severity.MEDIUM,
    controls=("AWS ELB API constraint",),
    remediation="Set healthCheck.timeout below healthCheck.interval.",
    sees=(
        sees(
            TARGET_GROUPS,
            "targetType",
            "healthCheck.enabled",
            "healthCheck.interval",
            "healthCheck.timeout",
        ),
    ),
)


def check_timeout(tg: Resource, _: dict[str, Any]) -> list[Finding]:
    if health_check(tg) is None and not is_lambda(tg):
        return [Unverified("healthCheck")]
    hc = probed(tg)
    if hc is None:
        return []
    if is_unknown(hc.get("interval")) or is_unknown(hc.get("timeout")):
        return [Unverified("healthCheck.interval or timeout")]
    interval = as_int(hc.get("interval", DEFAULT_INTERVAL))
    timeout = as_int(hc.get("timeout", DEFAULT_TIMEOUT))
    if interval is None or timeout is None or timeout < interval:
        return []
    return [f"health-check timeout {timeout}s is not below the interval {interval}s"]


DRAIN = Guardrail(
    name="tg-deregistration-delay",
    description="Removed targets drain within the configured time.",
    severity=Severity.LOW,
    controls=("Well-Architected REL-11",),
    remediation="Set deregistrationDelay to the longest request you serve, at most maxDrainSeconds.",
    sees=(sees(TARGET_GROUPS, "deregistrationDelay"),),
    config={
        "maxDrainSeconds": {
            "type": "integer",
            "minimum": 0,
            "maximum": 3600,
            "default": 120,
            "description": "Longest deregistration delay (connection draining) a target group may use.",
        }
    },
)


def check_drain(tg: Resource, config: dict[str, Any]) -> list[Finding]:
    raw = tg.get("deregistrationDelay", default=DEFAULT_DEREGISTRATION_DELAY)
    if is_unknown(raw):
        return [Unverified("deregistrationDelay")]
    delay = as_int(raw)
    if delay is None:
        return []
    limit = int(config["maxDrainSeconds"])
    if delay <= limit:
        return []
    return [f"deregistration delay {delay}s is above the {limit}s allowed"]


POLICIES = [
    resource_policy(HEALTH_CHECK, TARGET_GROUPS, check_health_check),
    resource_policy(DETECTION, TARGET_GROUPS, check_detection),
    resource_policy(TIMEOUT, TARGET_GROUPS, check_timeout),
    resource_policy(DRAIN, TARGET_GROUPS, check_drain),
]
GUARDRAILS = [HEALTH_CHECK, DETECTION, TIMEOUT, DRAIN]
