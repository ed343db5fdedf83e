"""Fleet guardrail: Auto Scaling groups behind a target group replace what the ALB finds unhealthy."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails import links
from guardrails import types as t
from guardrails.adapters import stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.normalize import lower, split_list
from guardrails.resource import Resource
from guardrails.values import as_dict, as_list, is_unknown

ELB_TRAFFIC_SOURCES = ("elbv2", "elb")

ELB_HEALTH = Guardrail(
    name="asg-elb-health-check",
    description="Auto Scaling groups behind a target group replace instances the ALB finds unhealthy.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub AutoScaling.1", "CKV2_AWS_15"),
    remediation="Set healthCheckType: ELB (or a list with ELB, such as ELB,EBS) and a grace period on the group.",
    sees=(
        sees({t.ASG}, "healthCheckType", "targetGroupArns", "trafficSources[].type", "loadBalancers", "name"),
        sees(t.ASG_ATTACHMENTS, "autoscalingGroupName"),
    ),
)  # fmt: skip


def _traffic_source_kinds(value: Any) -> list[Any] | None:
    sources = as_list(value)
    if sources is None:
        return None
    kinds = []
    for source in sources:
        fields = as_dict(source)
        kinds.append(None if fields is None else lower(fields.get("type"), default="elbv2"))
    return kinds


def behind_load_balancer(group: Resource, resources: list[Resource]) -> bool | None:
    """Whether traffic reaches the group through a load balancer; ``None`` if a preview cannot tell.

    Target groups (or classic ELBs) are attached in the group (``targetGroupArns``,
    ``loadBalancers``, ``trafficSources``) or by an ``aws.autoscaling.Attachment`` /
    ``TrafficSourceAttachment`` that names the group (by dependency or by name).
    """
    target_groups = as_list(group.get("targetGroupArns"))
    classic = as_list(group.get("loadBalancers"))
    kinds = _traffic_source_kinds(group.get("trafficSources"))
    attached = [
        links.ATTACHMENT_ASG.follow(a, resources) for a in resources if a.type in t.ASG_ATTACHMENTS
    ]
    if (
        target_groups
        or classic
        or any(k in ELB_TRAFFIC_SOURCES for k in kinds or [])
        or any(link.leads_to(group) for link in attached)
    ):
        return True
    maybe = any(link.unresolved or any(m.urn == group.urn for m in link.maybe) for link in attached)
    if target_groups is None or classic is None or kinds is None or None in kinds or maybe:
        return None
    if any(is_unknown(k) for k in kinds):
        return None
    return False


def check_elb_health(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    found: list[tuple[Resource, Finding]] = []
    for group in resources:
        if group.type != t.ASG:
            continue
        kinds = split_list(group.get("healthCheckType", default="EC2"))
        if not is_unknown(kinds) and "ELB" in kinds:
            continue
        behind = behind_load_balancer(group, resources)
        if behind is False:
            continue
        if behind is None or is_unknown(kinds):
            found.append((group, Unverified("healthCheckType or the group's target groups")))
            continue
        shown = ",".join(kinds) or "EC2"
        found.append(
            (
                group,
                f"group {group.name} is behind a target group with health check type {shown}: "
                "instances the ALB marks unhealthy are never replaced",
            )
        )
    return found


POLICIES = [stack_policy(ELB_HEALTH, check_elb_health)]
GUARDRAILS = [ELB_HEALTH]
