"""Healthy targets, from AWS's view: at least the minimum in every AZ the ALB uses, and overall."""

from __future__ import annotations

from collections import Counter

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView, TargetState
from tooling.verify.checks.record import Check, check
from tooling.verify.checks.target_groups import group_of

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


def target_checks(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> list[Check]:
    group = group_of(model)
    targets = view.target_health.get(model.target_group_arn, [])
    healthy = healthy_by_zone(targets)
    per_zone = outputs.failover.min_healthy_per_az
    zones = view.zones or sorted(outputs.availability_zones)
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
            group, "healthy targets", total >= model.min_healthy_targets,
            f"{total} of {len(targets)} registered healthy (minimum {model.min_healthy_targets})",
            actual=str(total), expected=f">= {model.min_healthy_targets}",
            fix="start or replace the unhealthy targets (their reasons are in the per-AZ check)",
        ),
    ]  # fmt: skip


def model_ready(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> bool:
    return not any(c.failed for c in target_checks(outputs, view, model))


def progress(outputs: ServingOutputs, view: AwsView) -> str:
    """One line: per model, healthy targets and AZs covered, e.g. ``llm-chat 2/3 in 2/3 AZs``."""
    zones = view.zones or sorted(outputs.availability_zones)
    parts: list[str] = []
    for model in outputs.models.values():
        healthy = healthy_by_zone(view.target_health.get(model.target_group_arn, []))
        covered = sum(1 for z in zones if healthy[z] >= outputs.failover.min_healthy_per_az)
        parts.append(
            f"{model.name} {sum(healthy.values())}/{model.min_healthy_targets} healthy"
            f" in {covered}/{len(zones)} AZs"
        )
    return ", ".join(parts)
