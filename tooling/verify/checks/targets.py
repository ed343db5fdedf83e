"""Healthy targets, from AWS's view: at least the minimum in every AZ the ALB uses, and overall;
for a model with versions, of each version that gets traffic (its own minimums)."""

from __future__ import annotations

from collections import Counter

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView, TargetState
from tooling.verify.checks.record import Check, check
from tooling.verify.checks.versions import Served, served

SHOWN_PER_ZONE = 3
"""How many unhealthy targets of an AZ the detail names."""


def healthy_by_zone(targets: list[TargetState]) -> Counter[str]:
    return Counter(t.zone for t in targets if t.healthy)


def _zone_detail(zone: str, healthy: int, targets: list[TargetState]) -> str:
    others = [t for t in targets if t.zone == zone and not t.healthy]
    text = f"{zone}: {healthy} healthy"
    if others:
        shown = ", ".join(t.describe() for t in others[:SHOWN_PER_ZONE])
        more = f" and {len(others) - SHOWN_PER_ZONE} more" if len(others) > SHOWN_PER_ZONE else ""
        text += f" [{shown}{more}]"
    elif not healthy:
        text += " [no target registered]"
    return text


def target_checks(outputs: ServingOutputs, view: AwsView, served: Served) -> list[Check]:
    if served.weight == 0:
        return _idle_checks(outputs, view, served)
    group, per_zone = served.group, served.min_per_az
    targets = view.target_health.get(served.arn, [])
    healthy = healthy_by_zone(targets)
    zones = _zones(outputs, view)
    short = [z for z in zones if healthy[z] < per_zone]
    total = sum(healthy.values())
    details = "; ".join(_zone_detail(z, healthy[z], targets) for z in zones)
    covered = f"{len(zones) - len(short)} of {len(zones)} AZs with >= {per_zone} healthy"
    return [
        check(
            group, "healthy targets per AZ", not short,
            details + (f" -- fewer than {per_zone} healthy in {', '.join(short)}" if short else ""),
            actual=covered, expected=f">= {per_zone} healthy in each of {', '.join(zones)}",
            fix="see each unhealthy target's reason; a fleet replaces failed instances itself "
            "(give it time with --wait), existing instances need their service started",
        ),
        check(
            group, "healthy targets", total >= served.min_total,
            f"{total} of {len(targets)} registered healthy (minimum {served.min_total})",
            actual=str(total), expected=f">= {served.min_total}",
            fix="start or replace the unhealthy targets (their reasons are in the per-AZ check)",
        ),
    ]  # fmt: skip


def _idle_checks(outputs: ServingOutputs, view: AwsView, served: Served) -> list[Check]:
    """A version with weight 0 takes no traffic: it needs no healthy target (said, and passed)."""
    targets = view.target_health.get(served.arn, [])
    healthy = healthy_by_zone(targets)
    zones = _zones(outputs, view)
    note = "weight 0: takes no traffic, needs no healthy targets"
    per_zone = ", ".join(f"{z}: {healthy[z]} healthy" for z in zones)
    total = f"{sum(healthy.values())} of {len(targets)} registered healthy"
    return [
        Check(served.group, "healthy targets per AZ", "pass", f"{per_zone} ({note})",
              f"{len(zones)} AZs, weight 0", "none needed at weight 0"),
        Check(served.group, "healthy targets", "pass", f"{total} ({note})",
              str(sum(healthy.values())), "none needed at weight 0"),
    ]  # fmt: skip


def _zones(outputs: ServingOutputs, view: AwsView) -> list[str]:
    return view.zones or sorted(outputs.availability_zones)


def model_ready(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> bool:
    return not any(
        c.failed for s in served(outputs, model) for c in target_checks(outputs, view, s)
    )


def progress(outputs: ServingOutputs, view: AwsView) -> str:
    """One line: per model (per version with traffic), healthy targets and AZs covered, e.g.
    ``llm-chat 2/3 healthy in 2/3 AZs`` or ``llm-chat/v2 3/3 healthy in 3/3 AZs``."""
    zones = _zones(outputs, view)
    parts: list[str] = []
    for model in outputs.models.values():
        for s in served(outputs, model):
            if s.weight == 0:
                continue
            healthy = healthy_by_zone(view.target_health.get(s.arn, []))
            covered = sum(1 for z in zones if healthy[z] >= s.min_per_az)
            parts.append(
                f"{s.label} {sum(healthy.values())}/{s.min_total} healthy"
                f" in {covered}/{len(zones)} AZs"
            )
    return ", ".join(parts)
