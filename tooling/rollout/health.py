"""Is a version's capacity serving? Its targets' health per AZ of the ALB, as ELBv2 reports it.

``DescribeTargetHealth`` on the version's target group, each target placed in its AZ (the
target's own ``AvailabilityZone``, else its instance's or its subnet's: ``tooling.verify``'s
reading), against every AZ the ALB is enabled in. A version is healthy when each of those AZs has
at least ``max(1, min_healthy_per_az)`` healthy targets (the stack's own failover figure).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from shared.serving_outputs import VersionOutput
from tooling.verify.aws_view import load_balancer, target_groups, target_health


@dataclass(frozen=True)
class Health:
    zones: list[str]
    """The ALB's AZs, sorted."""
    healthy: dict[str, int]
    """AZ -> healthy targets."""
    needed: int
    """Healthy targets each AZ needs."""

    @property
    def ok(self) -> bool:
        return bool(self.zones) and all(self.healthy.get(z, 0) >= self.needed for z in self.zones)

    @property
    def short(self) -> list[str]:
        return [z for z in self.zones if self.healthy.get(z, 0) < self.needed]

    def describe(self) -> str:
        """``eu-west-1a 1/1, eu-west-1b 0/1``: healthy targets against what each AZ needs."""
        return ", ".join(f"{z} {self.healthy.get(z, 0)}/{self.needed}" for z in self.zones)

    def as_record(self) -> dict[str, Any]:
        return {"healthy_per_az": dict(self.healthy), "needed_per_az": self.needed, "ok": self.ok}


def read_health(elbv2: Any, ec2: Any, alb_arn: str, version: VersionOutput) -> Health:
    lb = load_balancer(elbv2, alb_arn)
    zones = sorted(z["ZoneName"] for z in (lb or {}).get("AvailabilityZones", []))
    groups = target_groups(elbv2, alb_arn, [version.target_group_arn])
    targets = target_health(elbv2, ec2, groups).get(version.target_group_arn, [])
    counted = Counter(t.zone for t in targets if t.healthy)
    return Health(
        zones=zones,
        healthy={z: counted.get(z, 0) for z in zones},
        needed=max(1, version.min_healthy_per_az),
    )
