"""Fleet guardrails: ELB health checks for groups behind a target group; IMDSv2 and encrypted volumes."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy, stack_policy
from guardrails.meta import Guardrail
from guardrails.resource import Resource
from guardrails.types import ASG, ASG_ATTACHMENTS, LAUNCH_TEMPLATE
from guardrails.values import as_bool, as_dict, as_list, is_unknown

ELB_TRAFFIC_SOURCES = ("elbv2", "elb")

ELB_HEALTH = Guardrail(
    name="asg-elb-health-check",
    description="Auto Scaling groups behind a target group replace instances the ALB finds unhealthy.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub AutoScaling.1", "CKV2_AWS_15"),
    remediation="Set healthCheckType: ELB (and a grace period) on the group.",
)


def _traffic_source_kinds(value: Any) -> list[Any] | None:
    sources = as_list(value)
    if sources is None:
        return None
    kinds = []
    for source in sources:
        fields = as_dict(source)
        kinds.append(None if fields is None else fields.get("type", "elbv2"))
    return kinds


def behind_load_balancer(group: Resource, resources: list[Resource]) -> bool | None:
    """Whether traffic reaches the group through a load balancer; ``None`` if a preview cannot tell.

    Target groups are attached in the group (``targetGroupArns``, ``trafficSources``) or by an
    ``aws.autoscaling.Attachment`` / ``TrafficSourceAttachment`` whose group input came from it.
    """
    target_groups = as_list(group.get("targetGroupArns"))
    kinds = _traffic_source_kinds(group.get("trafficSources"))
    attachments = [
        a
        for a in resources
        if a.type in ASG_ATTACHMENTS and a.linked_to(group, "autoscalingGroupName")
    ]
    if target_groups or any(k in ELB_TRAFFIC_SOURCES for k in kinds or []) or attachments:
        return True
    if target_groups is None or kinds is None or None in kinds or any(map(is_unknown, kinds)):
        return None
    return False


def check_elb_health(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for group in resources:
        if group.type != ASG or behind_load_balancer(group, resources) is not True:
            continue
        kind = group.get("healthCheckType", default="EC2")
        if not is_unknown(kind) and kind != "ELB":
            violations.append(
                (
                    group,
                    f"group {group.name} is behind a target group with health check type {kind}: "
                    "instances the ALB marks unhealthy are never replaced",
                )
            )
    return violations


IMDSV2 = Guardrail(
    name="launch-template-imdsv2",
    description="Launch templates require IMDSv2 session tokens.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.170", "CKV_AWS_79"),
    remediation="Set metadataOptions: {httpTokens: required} on the launch template.",
)


def check_imdsv2(template: Resource, _: dict[str, Any]) -> list[str]:
    options = as_dict(template.get("metadataOptions"))
    if options is None:
        return []
    endpoint = options.get("httpEndpoint", "enabled")
    if is_unknown(endpoint) or endpoint == "disabled":
        return []  # no metadata service at all, or a preview cannot tell
    tokens = options.get("httpTokens", "optional")
    if is_unknown(tokens) or tokens == "required":
        return []
    return [f"instance metadata tokens are {tokens!r}: IMDSv1 stays reachable"]


ENCRYPTED_VOLUMES = Guardrail(
    name="launch-template-encrypted-volumes",
    description="Launch templates encrypt every EBS volume.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.7", "CKV_AWS_8"),
    remediation="Set blockDeviceMappings[].ebs.encrypted: 'true'.",
)


def check_encrypted_volumes(template: Resource, _: dict[str, Any]) -> list[str]:
    mappings = as_list(template.get("blockDeviceMappings"))
    if mappings is None:
        return []
    if not mappings:
        return [
            "no block device mappings: the root volume takes the AMI's (possibly unencrypted) default"
        ]
    messages = []
    for index, mapping in enumerate(mappings):
        fields = as_dict(mapping)
        if fields is None or fields.get("ebs") is None:
            continue  # unknown, or not an EBS volume (instance store, noDevice)
        ebs = as_dict(fields["ebs"])
        if ebs is None:
            continue
        encrypted = ebs.get("encrypted")
        if not is_unknown(encrypted) and as_bool(encrypted) is not True:
            device = fields.get("deviceName", "?")
            messages.append(f"blockDeviceMappings[{index}] ({device}) is not encrypted")
    return messages


POLICIES = [
    stack_policy(ELB_HEALTH, check_elb_health),
    resource_policy(IMDSV2, frozenset({LAUNCH_TEMPLATE}), check_imdsv2),
    resource_policy(ENCRYPTED_VOLUMES, frozenset({LAUNCH_TEMPLATE}), check_encrypted_volumes),
]
GUARDRAILS = [ELB_HEALTH, IMDSV2, ENCRYPTED_VOLUMES]
