"""A model's target group: attached to the ALB, on the model's port, health checks as configured."""

from __future__ import annotations

from typing import Any

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.checks.record import Check, check

TRAFFIC_PORT = "traffic-port"


def group_of(model: ModelOutput) -> str:
    return f"model {model.name}"


def _expected(ok: bool, expected: str) -> str:
    return "" if ok else f" (expected {expected})"


def target_group_checks(
    outputs: ServingOutputs, model: ModelOutput, tg: dict[str, Any]
) -> list[Check]:
    group = group_of(model)
    attached = outputs.alb_arn in tg.get("LoadBalancerArns", [])
    protocol, port = tg.get("Protocol"), tg.get("Port")
    serves = protocol == "HTTP" and port == model.port
    hc_port = str(tg.get("HealthCheckPort", TRAFFIC_PORT))
    hc_port_ok = hc_port in (TRAFFIC_PORT, str(model.port))
    enabled = tg.get("HealthCheckEnabled", True) is not False
    path = tg.get("HealthCheckPath")
    # AWS's defaults, for a description that omits them.
    interval = int(tg.get("HealthCheckIntervalSeconds", 30))
    timeout = int(tg.get("HealthCheckTimeoutSeconds", 5))
    unhealthy = int(tg.get("UnhealthyThresholdCount", 2))
    detection = interval * unhealthy
    budget = outputs.failover.detection_seconds
    timing_ok = detection <= budget and timeout < interval
    timing = f"{detection} s to detect a dead target ({interval} s x {unhealthy})"
    if detection > budget:
        timing += f", the stack promises {budget} s"
    if timeout >= interval:
        timing += f"; timeout {timeout} s is not below the interval"
    return [
        check(
            group,
            "target group",
            attached and serves,
            f"{protocol} on {port}"
            + _expected(serves, f"HTTP on {model.port}")
            + ("" if attached else "; not attached to the load balancer"),
        ),
        check(group, "health checks on", enabled, "enabled" if enabled else "disabled"),
        check(
            group,
            "health check path",
            path == model.health_check_path,
            f"{tg.get('HealthCheckProtocol', 'HTTP')} {path}"
            + _expected(path == model.health_check_path, model.health_check_path),
        ),
        check(
            group,
            "health check port",
            hc_port_ok,
            hc_port + _expected(hc_port_ok, f"{TRAFFIC_PORT} or {model.port}"),
        ),
        check(group, "failure detection", timing_ok, timing),
    ]
