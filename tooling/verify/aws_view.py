"""What AWS says about the serving layer, fetched once per check round (read-only calls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.serving_outputs import ServingOutputs


@dataclass
class AwsView:
    load_balancer: dict[str, Any] | None
    attributes: dict[str, str]
    listeners: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    """Rules of the HTTPS listener."""
    target_groups: dict[str, dict[str, Any]]
    """Target group ARN -> description."""
    target_health: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Target group ARN -> target health descriptions, each with an added ``AvailabilityZone``."""


def _instance_zones(ec2: Any, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    zones: dict[str, str] = {}
    for reservation in ec2.describe_instances(InstanceIds=ids)["Reservations"]:
        for instance in reservation["Instances"]:
            zones[instance["InstanceId"]] = instance["Placement"]["AvailabilityZone"]
    return zones


def fetch_health(
    elbv2: Any, ec2: Any, target_group_arns: list[str]
) -> dict[str, list[dict[str, Any]]]:
    health: dict[str, list[dict[str, Any]]] = {}
    for arn in target_group_arns:
        descriptions = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        instance_ids = [
            d["Target"]["Id"] for d in descriptions if d["Target"]["Id"].startswith("i-")
        ]
        zones = _instance_zones(ec2, instance_ids)
        for d in descriptions:
            target = d["Target"]
            d["AvailabilityZone"] = target.get("AvailabilityZone") or zones.get(
                target["Id"], "unknown"
            )
        health[arn] = descriptions
    return health


def fetch(elbv2: Any, ec2: Any, outputs: ServingOutputs) -> AwsView:
    try:
        found = elbv2.describe_load_balancers(LoadBalancerArns=[outputs.alb_arn])["LoadBalancers"]
    except elbv2.exceptions.LoadBalancerNotFoundException:
        found = []
    if not found:
        return AwsView(None, {}, [], [], {})
    lb = found[0]
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=outputs.alb_arn)[
            "Attributes"
        ]
    }
    listeners = elbv2.describe_listeners(LoadBalancerArn=outputs.alb_arn)["Listeners"]
    https = [
        listener for listener in listeners if listener["ListenerArn"] == outputs.https_listener_arn
    ]
    rules = elbv2.describe_rules(ListenerArn=https[0]["ListenerArn"])["Rules"] if https else []
    arns = [m.target_group_arn for m in outputs.models.values()]
    groups = (
        {
            g["TargetGroupArn"]: g
            for g in elbv2.describe_target_groups(TargetGroupArns=arns)["TargetGroups"]
        }
        if arns
        else {}
    )
    return AwsView(lb, attributes, listeners, rules, groups, fetch_health(elbv2, ec2, list(groups)))
