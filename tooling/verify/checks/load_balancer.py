"""The ALB itself (state, scheme, AZs) and its attributes (logs, header hygiene, protection)."""

from __future__ import annotations

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.record import Check, check

LB = "load balancer"
ATTRIBUTES = "attributes"
MIN_ZONES = 2


def _on(value: bool) -> str:
    return "on" if value else "off"


def load_balancer_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    lb = view.load_balancer
    if lb is None:
        return [Check(LB, "exists", "fail", f"AWS does not know {outputs.alb_arn}")]
    zones = view.zones
    expected = sorted(outputs.availability_zones)
    missing = [z for z in expected if z not in zones]
    extra = [z for z in zones if z not in expected]
    checks = [
        check(LB, "active", view.state == "active", f"state {view.state}"),
        check(
            LB,
            "scheme",
            lb.get("Scheme") == outputs.scheme,
            f"{lb.get('Scheme')}"
            + ("" if lb.get("Scheme") == outputs.scheme else f" (expected {outputs.scheme})"),
        ),
        check(
            LB,
            "availability zones",
            len(zones) >= MIN_ZONES,
            f"{len(zones)} AZs: {', '.join(zones) or 'none'}"
            + ("" if len(zones) >= MIN_ZONES else f" (at least {MIN_ZONES} for HA)"),
        ),
    ]
    if missing:
        checks.append(
            Check(
                LB, "AZs as deployed", "fail", f"not in {', '.join(missing)}, which the stack uses"
            )
        )
    elif extra:
        checks.append(
            Check(LB, "AZs as deployed", "warn", f"also in {', '.join(extra)}, not in the stack")
        )
    else:
        checks.append(Check(LB, "AZs as deployed", "pass", "the same AZs as the stack"))
    return checks


def attribute_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    if view.load_balancer is None:
        return []
    a = view.attributes
    logs_on = a.get("access_logs.s3.enabled") == "true"
    bucket = a.get("access_logs.s3.bucket", "")
    prefix = a.get("access_logs.s3.prefix", "")
    location = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    if not logs_on:
        logs = Check(
            ATTRIBUTES, "access logs", "fail", f"off (expected on, to {outputs.log_bucket})"
        )
    elif bucket != outputs.log_bucket:
        logs = Check(
            ATTRIBUTES, "access logs", "fail", f"on, to {location} (expected {outputs.log_bucket})"
        )
    else:
        logs = Check(ATTRIBUTES, "access logs", "pass", f"on, to {location}")
    drop = a.get("routing.http.drop_invalid_header_fields.enabled") == "true"
    # AWS omits an attribute it has never been asked to change; these are AWS's defaults.
    desync = a.get("routing.http.desync_mitigation_mode", "defensive")
    protection = a.get("deletion_protection.enabled") == "true"
    return [
        logs,
        check(
            ATTRIBUTES,
            "drop invalid header fields",
            drop,
            _on(drop) + ("" if drop else " (expected on)"),
        ),
        check(
            ATTRIBUTES,
            "desync mitigation",
            desync == outputs.desync_mitigation_mode,
            desync
            + (
                ""
                if desync == outputs.desync_mitigation_mode
                else f" (expected {outputs.desync_mitigation_mode})"
            ),
        ),
        check(
            ATTRIBUTES,
            "deletion protection",
            protection or not outputs.deletion_protection,
            _on(protection)
            + (
                " (expected on)"
                if outputs.deletion_protection and not protection
                else ("" if outputs.deletion_protection else " (not required in this env)")
            ),
        ),
    ]
