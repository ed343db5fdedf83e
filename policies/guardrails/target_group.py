"""Target group guardrails: health checks on a path, fast failure detection, bounded draining."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.meta import Guardrail, Resource, is_unknown, resource_policy
from guardrails.types import TARGET_GROUPS

# AWS defaults when a target group does not say.
DEFAULT_INTERVAL = 30
DEFAULT_TIMEOUT = 5
DEFAULT_UNHEALTHY = 2
DEFAULT_DEREGISTRATION_DELAY = 300


def _health(tg: Resource) -> dict[str, Any]:
    value = tg.get("healthCheck", default={})
    return value if isinstance(value, dict) else {}


HEALTH_CHECK = Guardrail(
    name="tg-health-check-enabled",
    description="Target groups health-check their targets on an explicit path.",
    severity=Severity.HIGH,
    controls=("CKV_AWS_261",),
    remediation="Set healthCheck: {enabled: true, path: /health} on the target group.",
)


def check_health_check(tg: Resource, _: dict[str, Any]) -> list[str]:
    if tg.get("targetType") == "lambda":
        return []
    hc = _health(tg)
    if hc.get("enabled", True) is False:
        return ["health checks are disabled: failed targets keep receiving traffic"]
    path = hc.get("path")
    if not is_unknown(path) and not path and hc.get("protocol", "HTTP") in ("HTTP", "HTTPS"):
        return ["the health check has no explicit path"]
    return []


DETECTION = Guardrail(
    name="tg-failover-detection",
    description="A failed target is detected within the configured time (interval x unhealthy threshold).",
    severity=Severity.MEDIUM,
    controls=("Well-Architected REL-11",),
    remediation="Lower healthCheck.interval or healthCheck.unhealthyThreshold (the serving stack defaults give 10 s).",
    config={"maxDetectionSeconds": {"type": "integer", "minimum": 10, "default": 30}},
)


def check_detection(tg: Resource, config: dict[str, Any]) -> list[str]:
    hc = _health(tg)
    interval = hc.get("interval", DEFAULT_INTERVAL)
    unhealthy = hc.get("unhealthyThreshold", DEFAULT_UNHEALTHY)
    if is_unknown(interval) or is_unknown(unhealthy):
        return []
    detection = int(interval) * int(unhealthy)
    limit = int(config["maxDetectionSeconds"])
    if detection <= limit:
        return []
    return [
        f"failure detection takes {detection}s ({int(interval)}s x {int(unhealthy)}), above the {limit}s allowed"
    ]


TIMEOUT = Guardrail(
    name="tg-health-check-timeout",
    description="The health-check timeout is shorter than its interval.",
    severity=Severity.MEDIUM,
    controls=("AWS ELB API constraint",),
    remediation="Set healthCheck.timeout below healthCheck.interval.",
)


def check_timeout(tg: Resource, _: dict[str, Any]) -> list[str]:
    hc = _health(tg)
    interval = hc.get("interval", DEFAULT_INTERVAL)
    timeout = hc.get("timeout", DEFAULT_TIMEOUT)
    if is_unknown(interval) or is_unknown(timeout) or int(timeout) < int(interval):
        return []
    return [f"health-check timeout {int(timeout)}s is not below the interval {int(interval)}s"]


DRAIN = Guardrail(
    name="tg-deregistration-delay",
    description="Removed targets drain within the configured time.",
    severity=Severity.LOW,
    controls=("Well-Architected REL-11",),
    remediation="Set deregistrationDelay to the longest request you serve, at most maxDrainSeconds.",
    config={"maxDrainSeconds": {"type": "integer", "minimum": 0, "default": 120}},
)


def check_drain(tg: Resource, config: dict[str, Any]) -> list[str]:
    delay = tg.get("deregistrationDelay", default=DEFAULT_DEREGISTRATION_DELAY)
    if is_unknown(delay):
        return []
    limit = int(config["maxDrainSeconds"])
    if int(delay) <= limit:
        return []
    return [f"deregistration delay {int(delay)}s is above the {limit}s allowed"]


POLICIES = [
    resource_policy(HEALTH_CHECK, TARGET_GROUPS, check_health_check),
    resource_policy(DETECTION, TARGET_GROUPS, check_detection),
    resource_policy(TIMEOUT, TARGET_GROUPS, check_timeout),
    resource_policy(DRAIN, TARGET_GROUPS, check_drain),
]
GUARDRAILS = [HEALTH_CHECK, DETECTION, TIMEOUT, DRAIN]
