"""The ALB's attributes (``DescribeLoadBalancerAttributes``) against what the stack sets."""

from __future__ import annotations

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.record import Check, check, compare, on_off

ATTRIBUTES = "attributes"

AWS_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "connection_logs.s3.enabled": "false",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "routing.http2.enabled": "true",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    # Always on for an ALB (AWS: "can't be changed"); only a target group can opt out.
    "load_balancing.cross_zone.enabled": "true",
}
"""What AWS means by an attribute it leaves out of its answer (AWS's defaults, not expectations)."""


def attribute(view: AwsView, key: str) -> str:
    return view.attributes.get(key, AWS_DEFAULTS.get(key, ""))


def flag(view: AwsView, key: str) -> bool:
    return attribute(view, key) == "true"


def _logs(view: AwsView, kind: str, bucket: str, prefix: str, wanted: bool) -> Check:
    """``access`` or ``connection`` logs: on, to the stack's bucket and prefix."""
    name = f"{kind} logs"
    on = flag(view, f"{kind}_logs.s3.enabled")
    where = f"s3://{attribute(view, f'{kind}_logs.s3.bucket')}"
    where += f"/{attribute(view, f'{kind}_logs.s3.prefix')}".rstrip("/")
    expected = f"s3://{bucket}/{prefix}".rstrip("/")
    if not wanted:
        return Check(ATTRIBUTES, name, "pass", f"{on_off(on)} (not required)", on_off(on), "any")
    actual = f"on, to {where}" if on else "off"
    fix = f"redeploy the serving stack (`make deploy`): it turns {kind} logs on, to {expected}"
    if not on:
        detail = f"off (expected on, to {expected})"
    elif where != expected:
        detail = f"on, to {where} (expected {expected})"
    else:
        return Check(ATTRIBUTES, name, "pass", actual, actual, f"on, to {expected}")
    return Check(ATTRIBUTES, name, "fail", detail, actual, f"on, to {expected}", fix)


def _deletion_protection(outputs: ServingOutputs, view: AwsView) -> Check:
    on = flag(view, "deletion_protection.enabled")
    if not outputs.deletion_protection:
        return Check(
            ATTRIBUTES, "deletion protection", "pass",
            f"{on_off(on)} (not required in this env)", on_off(on), "any",
        )  # fmt: skip
    return compare(ATTRIBUTES, "deletion protection", on, True)


def attribute_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    if view.load_balancer is None:
        return []
    alb = outputs.alb_settings
    checks = [
        _logs(view, "access", outputs.log_bucket, alb.access_logs_prefix, True),
        _logs(view, "connection", outputs.log_bucket, alb.connection_logs_prefix, alb.connection_logs),
        compare(
            ATTRIBUTES, "drop invalid header fields",
            flag(view, "routing.http.drop_invalid_header_fields.enabled"),
            alb.drop_invalid_header_fields,
        ),
        compare(
            ATTRIBUTES, "desync mitigation",
            attribute(view, "routing.http.desync_mitigation_mode"), outputs.desync_mitigation_mode,
        ),
        _deletion_protection(outputs, view),
        compare(ATTRIBUTES, "HTTP/2", flag(view, "routing.http2.enabled"), alb.http2),
        compare(
            ATTRIBUTES, "cross-zone load balancing",
            flag(view, "load_balancing.cross_zone.enabled"), alb.cross_zone,
        ),
        compare(
            ATTRIBUTES, "preserve host header",
            flag(view, "routing.http.preserve_host_header.enabled"), alb.preserve_host_header,
        ),
        compare(
            ATTRIBUTES, "X-Forwarded-For",
            attribute(view, "routing.http.xff_header_processing.mode"), alb.xff_header_processing_mode,
        ),
    ]  # fmt: skip
    idle = attribute(view, "idle_timeout.timeout_seconds")
    if alb.idle_timeout_seconds is None:
        checks.append(_not_exported(f"idle timeout {idle} s", "alb_settings.idle_timeout_seconds"))
    else:
        checks.append(
            compare(ATTRIBUTES, "idle timeout", f"{idle} s", f"{alb.idle_timeout_seconds} s")
        )
    return checks


def _not_exported(actual: str, output: str) -> Check:
    return check(
        ATTRIBUTES, "idle timeout", False, f"{actual}; not compared: the stack does not export {output}",
        otherwise="warn", actual=actual, fix=f"export {output} from the serving stack",
    )  # fmt: skip
