"""The ALB itself: exists, state, scheme, IP address type, AZs."""

from __future__ import annotations

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.record import Check, check, compare

LB = "load balancer"
MIN_ZONES = 2
RECREATE = "the ALB must be replaced to change it: fix the config or redeploy (`make deploy`)"


def _zone_check(outputs: ServingOutputs, zones: list[str]) -> Check:
    expected = sorted(outputs.availability_zones)
    missing = [z for z in expected if z not in zones]
    extra = [z for z in zones if z not in expected]
    actual, wanted = ", ".join(zones) or "none", ", ".join(expected)
    if missing:
        return Check(
            LB, "AZs as deployed", "fail",
            f"not in {', '.join(missing)}, which the stack uses",
            actual, wanted, "redeploy the serving stack (`make deploy`): it sets the ALB's subnets",
        )  # fmt: skip
    if extra:
        return Check(
            LB, "AZs as deployed", "warn", f"also in {', '.join(extra)}, not in the stack",
            actual, wanted, "redeploy the serving stack (`make deploy`) to remove the extra subnets",
        )  # fmt: skip
    return Check(LB, "AZs as deployed", "pass", "the same AZs as the stack", actual, wanted)


def load_balancer_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    lb = view.load_balancer
    if lb is None:
        return [
            Check(
                LB, "exists", "fail", f"AWS does not know {outputs.alb_arn}",
                "missing", outputs.alb_arn,
                "redeploy the serving stack (`make deploy`); if it was deleted, `make refresh` first",
            )
        ]  # fmt: skip
    zones = view.zones
    return [
        check(
            LB, "active", view.state == "active", f"state {view.state}",
            actual=view.state, expected="active",
            fix="wait for provisioning (`--wait`), or see the ALB's state reason in the console",
        ),
        compare(LB, "scheme", lb.get("Scheme"), outputs.scheme, fix=RECREATE),
        compare(
            LB, "IP address type", lb.get("IpAddressType", "ipv4"),
            outputs.alb_settings.ip_address_type,
        ),
        check(
            LB, "availability zones", len(zones) >= MIN_ZONES,
            f"{len(zones)} AZs: {', '.join(zones) or 'none'}"
            + ("" if len(zones) >= MIN_ZONES else f" (at least {MIN_ZONES} for HA)"),
            actual=str(len(zones)), expected=f">= {MIN_ZONES}",
            fix="give the ALB subnets in at least two AZs (the network stack's contract)",
        ),
        _zone_check(outputs, zones),
    ]  # fmt: skip
