"""The checks: each a small function of the outputs (what the config asked for) and the AWS view."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView

Status = Literal["pass", "fail", "warn"]


@dataclass(frozen=True)
class Check:
    group: str
    name: str
    status: Status
    detail: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def _check(group: str, name: str, ok: bool, detail: str, *, warn: bool = False) -> Check:
    return Check(group, name, "pass" if ok else ("warn" if warn else "fail"), detail)


def load_balancer_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    group = "load balancer"
    lb = view.load_balancer
    if lb is None:
        return [Check(group, "exists", "fail", f"{outputs.alb_arn} not found")]
    state = lb.get("State", {}).get("Code", "unknown")
    zones = sorted(z["ZoneName"] for z in lb.get("AvailabilityZones", []))
    return [
        _check(group, "active", state == "active", f"state {state}"),
        _check(
            group,
            "scheme",
            lb.get("Scheme") == outputs.scheme,
            f"{lb.get('Scheme')} (expected {outputs.scheme})",
        ),
        _check(
            group, "availability zones", len(zones) >= 2, f"{len(zones)} AZs: {', '.join(zones)}"
        ),
        _check(
            group,
            "AZs as deployed",
            set(zones) == set(outputs.availability_zones),
            f"AWS {', '.join(zones)}; stack {', '.join(outputs.availability_zones)}",
            warn=True,
        ),
    ]


def attribute_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    group = "attributes"
    a = view.attributes
    if view.load_balancer is None:
        return []
    logs_on = a.get("access_logs.s3.enabled") == "true"
    bucket = a.get("access_logs.s3.bucket", "")
    desync = a.get("routing.http.desync_mitigation_mode", "defensive")
    protection = a.get("deletion_protection.enabled") == "true"
    return [
        _check(group, "access logs", logs_on, "on" if logs_on else "off"),
        _check(
            group,
            "access log bucket",
            logs_on and bucket == outputs.log_bucket,
            f"{bucket or '-'} (expected {outputs.log_bucket})",
        ),
        _check(
            group,
            "drop invalid header fields",
            a.get("routing.http.drop_invalid_header_fields.enabled") == "true",
            a.get("routing.http.drop_invalid_header_fields.enabled", "false"),
        ),
        _check(
            group,
            "desync mitigation",
            desync == outputs.desync_mitigation_mode,
            f"{desync} (expected {outputs.desync_mitigation_mode})",
        ),
        _check(
            group,
            "deletion protection",
            protection or not outputs.deletion_protection,
            f"{'on' if protection else 'off'} (expected {'on' if outputs.deletion_protection else 'off or on'})",
        ),
    ]


def _redirects_to_https(actions: list[dict[str, Any]]) -> bool:
    return bool(actions) and all(
        a.get("Type") == "redirect" and a.get("RedirectConfig", {}).get("Protocol") == "HTTPS"
        for a in actions
    )


def listener_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    group = "listeners"
    if view.load_balancer is None:
        return []
    checks: list[Check] = []
    https = next(
        (
            listener
            for listener in view.listeners
            if listener["ListenerArn"] == outputs.https_listener_arn
        ),
        None,
    )
    if https is None:
        checks.append(
            Check(group, "HTTPS listener", "fail", f"{outputs.https_listener_arn} not found")
        )
    else:
        certificates = [c["CertificateArn"] for c in https.get("Certificates", [])]
        checks += [
            _check(
                group,
                "HTTPS listener",
                https.get("Protocol") == "HTTPS" and https.get("Port") == 443,
                f"{https.get('Protocol')} on {https.get('Port')}",
            ),
            _check(
                group,
                "TLS policy",
                https.get("SslPolicy") == outputs.tls_policy,
                f"{https.get('SslPolicy')} (expected {outputs.tls_policy})",
            ),
            _check(
                group,
                "certificate",
                outputs.certificate_arn in certificates,
                f"{', '.join(certificates) or 'none'}",
            ),
        ]
    for listener in view.listeners:
        if listener.get("Protocol") != "HTTP":
            continue
        actions = listener.get("DefaultActions", [])
        kinds = ", ".join(a.get("Type", "?") for a in actions)
        checks.append(
            _check(
                group,
                f"HTTP :{listener.get('Port')} redirects only",
                _redirects_to_https(actions),
                "redirect to HTTPS"
                if _redirects_to_https(actions)
                else f"serves traffic ({kinds})",
            )
        )
    if not any(listener.get("Protocol") == "HTTP" for listener in view.listeners):
        checks.append(
            Check(
                group,
                "HTTP redirect listener",
                "warn",
                "no HTTP listener: http:// clients get no redirect",
            )
        )
    return checks


def _rule_matches(rule: dict[str, Any], model: ModelOutput) -> bool:
    forwards = any(
        a.get("Type") == "forward" and (a.get("TargetGroupArn") == model.target_group_arn or any(
            t.get("TargetGroupArn") == model.target_group_arn for t in a.get("ForwardConfig", {}).get("TargetGroups", [])
        ))
        for a in rule.get("Actions", [])
    )  # fmt: skip
    if not forwards:
        return False
    field = "path-pattern" if model.route.kind == "path" else "host-header"
    for condition in rule.get("Conditions", []):
        if condition.get("Field") != field:
            continue
        config = condition.get(
            "PathPatternConfig" if field == "path-pattern" else "HostHeaderConfig", {}
        )
        values = config.get("Values") or condition.get("Values") or []
        if model.route.value in values:
            return True
    return False


def model_checks(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> list[Check]:
    group = f"model {model.name}"
    tg = view.target_groups.get(model.target_group_arn)
    if tg is None:
        return [Check(group, "target group", "fail", f"{model.target_group_arn} not found")]
    checks = [
        _check(
            group,
            "health check path",
            tg.get("HealthCheckPath") == model.health_check_path,
            f"{tg.get('HealthCheckPath')} (expected {model.health_check_path})",
        ),
        _check(
            group,
            "health checks on",
            tg.get("HealthCheckEnabled", True) is not False,
            "enabled" if tg.get("HealthCheckEnabled", True) else "disabled",
        ),
    ]
    interval = int(tg.get("HealthCheckIntervalSeconds", 30))
    unhealthy = int(tg.get("UnhealthyThresholdCount", 2))
    detection = interval * unhealthy
    checks.append(
        _check(
            group,
            "failure detection",
            detection <= outputs.failover.detection_seconds,
            f"{detection}s ({interval}s x {unhealthy}); stack {outputs.failover.detection_seconds}s",
        )
    )
    checks += health_checks(outputs, view, model)
    if model.route.kind == "default":
        https = next(
            (
                listener
                for listener in view.listeners
                if listener["ListenerArn"] == outputs.https_listener_arn
            ),
            {},
        )
        default = https.get("DefaultActions", [])
        ok = any(
            a.get("Type") == "forward" and a.get("TargetGroupArn") == model.target_group_arn
            for a in default
        )
        checks.append(
            _check(
                group,
                "routing",
                ok,
                "HTTPS default action forwards here"
                if ok
                else "HTTPS default action does not forward here",
            )
        )
    else:
        ok = any(_rule_matches(rule, model) for rule in view.rules)
        checks.append(
            _check(
                group,
                "routing",
                ok,
                f"{model.route.kind} {model.route.value}" + ("" if ok else ": no rule routes here"),
            )
        )
    return checks


def health_checks(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> list[Check]:
    group = f"model {model.name}"
    described = view.target_health.get(model.target_group_arn, [])
    healthy = Counter(
        d["AvailabilityZone"] for d in described if d["TargetHealth"]["State"] == "healthy"
    )
    zones = (
        sorted(z["ZoneName"] for z in (view.load_balancer or {}).get("AvailabilityZones", []))
        or outputs.availability_zones
    )
    empty = [z for z in zones if healthy[z] < outputs.failover.min_healthy_per_az]
    total = sum(healthy.values())
    per_az = ", ".join(f"{z}: {healthy[z]}" for z in zones)
    return [
        _check(
            group,
            "healthy targets per AZ",
            not empty,
            f"{per_az}" + (f"; none healthy in {', '.join(empty)}" if empty else ""),
        ),
        _check(
            group,
            "healthy targets",
            total >= model.min_healthy_targets,
            f"{total} healthy (minimum {model.min_healthy_targets})",
        ),
    ]


def all_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    checks = (
        load_balancer_checks(outputs, view)
        + attribute_checks(outputs, view)
        + listener_checks(outputs, view)
    )
    if view.load_balancer is not None:
        for model in outputs.models.values():
            checks += model_checks(outputs, view, model)
    return checks


def health_ok(outputs: ServingOutputs, view: AwsView) -> bool:
    return all(
        c.status != "fail" for m in outputs.models.values() for c in health_checks(outputs, view, m)
    )
