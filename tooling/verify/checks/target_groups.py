"""A model's target group (each version's, for a model with versions): attached, protocol and
port, every health-check setting and every attribute (drain, slow start, algorithm, cross-zone,
stickiness) against what the stack sets."""

from __future__ import annotations

from typing import Any

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.attributes import flag
from tooling.verify.checks.record import REDEPLOY, Check, check, compare
from tooling.verify.checks.versions import Served, group_of, model_arns

__all__ = ["group_of", "target_group_checks"]

TRAFFIC_PORT = "traffic-port"
TG_DEFAULTS = {
    "deregistration_delay.timeout_seconds": "300",
    "slow_start.duration_seconds": "0",
    "load_balancing.algorithm.type": "round_robin",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "stickiness.enabled": "false",
}
"""AWS's defaults, for an attribute its answer leaves out."""


def _expected(ok: bool, expected: str) -> str:
    return "" if ok else f" (expected {expected})"


def _identity_checks(outputs: ServingOutputs, served: Served, tg: dict[str, Any]) -> list[Check]:
    model = served.model
    group, settings = served.group, model.target_group_settings
    attached = outputs.alb_arn in tg.get("LoadBalancerArns", [])
    serves = f"{tg.get('Protocol')} on {tg.get('Port')}"
    wanted = f"{settings.protocol} on {model.port}"
    return [
        check(
            group, "target group", attached and serves == wanted,
            serves + _expected(serves == wanted, wanted)
            + ("" if attached else "; not attached to the load balancer"),
            actual=serves + ("" if attached else ", not attached"), expected=f"{wanted}, attached",
            fix="redeploy the serving stack (`make deploy`): protocol and port replace the group",
        ),
        compare(group, "protocol version", tg.get("ProtocolVersion", "HTTP1"), settings.protocol_version),
        compare(group, "target type", tg.get("TargetType", "instance"), settings.target_type),
    ]  # fmt: skip


def _health_checks(outputs: ServingOutputs, served: Served, tg: dict[str, Any]) -> list[Check]:
    model = served.model
    group, hc = served.group, model.target_group_settings.health_check
    hc_port = str(tg.get("HealthCheckPort", TRAFFIC_PORT))
    port_ok = hc_port == hc.port or (hc.port == TRAFFIC_PORT and hc_port == str(model.port))
    path = tg.get("HealthCheckPath")
    checks = [
        compare(group, "health checks on", tg.get("HealthCheckEnabled", True) is not False, hc.enabled),
        compare(group, "health check protocol", tg.get("HealthCheckProtocol", "HTTP"), hc.protocol),
        check(
            group, "health check path", path == model.health_check_path,
            f"{tg.get('HealthCheckProtocol', 'HTTP')} {path}"
            + _expected(path == model.health_check_path, model.health_check_path),
            actual=str(path), expected=model.health_check_path, fix=REDEPLOY,
        ),
        check(
            group, "health check port", port_ok,
            hc_port + _expected(port_ok, f"{TRAFFIC_PORT} or {model.port}"),
            actual=hc_port, expected=hc.port, fix=REDEPLOY,
        ),
    ]  # fmt: skip
    exported = {
        "health check interval": (hc.interval_seconds, tg.get("HealthCheckIntervalSeconds", 30), " s"),
        "health check timeout": (hc.timeout_seconds, tg.get("HealthCheckTimeoutSeconds", 5), " s"),
        "healthy threshold": (hc.healthy_threshold, tg.get("HealthyThresholdCount", 5), ""),
        "unhealthy threshold": (hc.unhealthy_threshold, tg.get("UnhealthyThresholdCount", 2), ""),
        "health check matcher": (hc.matcher, tg.get("Matcher", {}).get("HttpCode", "200"), ""),
    }  # fmt: skip
    for name, (wanted, actual, unit) in exported.items():
        if wanted is not None:
            checks.append(compare(group, name, f"{actual}{unit}", f"{wanted}{unit}"))
    return [*checks, _detection(outputs, served.group, tg)]


def _detection(outputs: ServingOutputs, group: str, tg: dict[str, Any]) -> Check:
    # AWS's defaults, for a description that omits them.
    interval = int(tg.get("HealthCheckIntervalSeconds", 30))
    timeout = int(tg.get("HealthCheckTimeoutSeconds", 5))
    unhealthy = int(tg.get("UnhealthyThresholdCount", 2))
    detection, budget = interval * unhealthy, outputs.failover.detection_seconds
    timing = f"{detection} s to detect a dead target ({interval} s x {unhealthy})"
    if detection > budget:
        timing += f", the stack promises {budget} s"
    if timeout >= interval:
        timing += f"; timeout {timeout} s is not below the interval"
    return check(
        group, "failure detection", detection <= budget and timeout < interval, timing,
        actual=f"{detection} s", expected=f"<= {budget} s", fix=REDEPLOY,
    )  # fmt: skip


def _tg_attribute(view: AwsView, served: Served, key: str) -> str:
    found = view.target_group_attributes.get(served.arn, {})
    return found.get(key, TG_DEFAULTS.get(key, ""))


def _attribute_checks(view: AwsView, served: Served) -> list[Check]:
    group, settings = served.group, served.model.target_group_settings
    checks: list[Check] = []
    if settings.deregistration_delay_seconds is not None:
        checks.append(compare(
            group, "deregistration delay",
            f"{_tg_attribute(view, served, 'deregistration_delay.timeout_seconds')} s",
            f"{settings.deregistration_delay_seconds} s",
        ))  # fmt: skip
    if settings.slow_start_seconds is not None:
        checks.append(compare(
            group, "slow start", f"{_tg_attribute(view, served, 'slow_start.duration_seconds')} s",
            f"{settings.slow_start_seconds} s",
        ))  # fmt: skip
    own = _tg_attribute(view, served, "load_balancing.cross_zone.enabled")
    cross_zone = (
        flag(view, "load_balancing.cross_zone.enabled")
        if own == "use_load_balancer_configuration"
        else own == "true"
    )
    return [
        *checks,
        compare(
            group, "load balancing algorithm",
            _tg_attribute(view, served, "load_balancing.algorithm.type"), settings.load_balancing_algorithm,
        ),
        compare(group, "cross-zone load balancing", cross_zone, settings.cross_zone),
        compare(group, "stickiness", _tg_attribute(view, served, "stickiness.enabled") == "true", settings.stickiness),
    ]  # fmt: skip


NOT_EXPORTED = {
    "deregistration_delay_seconds": "deregistration delay",
    "slow_start_seconds": "slow start",
}
HC_NOT_EXPORTED = ("interval_seconds", "timeout_seconds", "healthy_threshold", "unhealthy_threshold", "matcher")  # fmt: skip


def _not_exported(model: ModelOutput) -> list[Check]:
    """One warning for the settings an older stack did not export: they are not compared."""
    settings = model.target_group_settings
    missing = [f for f in NOT_EXPORTED if getattr(settings, f) is None]
    missing += [
        f"health_check.{f}" for f in HC_NOT_EXPORTED if getattr(settings.health_check, f) is None
    ]
    if not missing:
        return []
    fields = ", ".join(f"target_group_settings.{f}" for f in missing)
    return [
        Check(
            group_of(model), "settings not compared", "warn",
            f"the stack's outputs do not say: {fields}", None, None,
            "redeploy with a serving stack that exports them (shared/serving_outputs.py)",
        )
    ]  # fmt: skip


def target_group_checks(
    outputs: ServingOutputs, view: AwsView, served: Served, tg: dict[str, Any]
) -> list[Check]:
    """Every check of one target group; the settings not exported are said once, on the model's
    first group."""
    first = served.arn == model_arns(served.model)[0]
    return (
        _identity_checks(outputs, served, tg)
        + _health_checks(outputs, served, tg)
        + _attribute_checks(view, served)
        + (_not_exported(served.model) if first else [])
    )
