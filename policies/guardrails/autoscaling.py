"""Fleet guardrails: ELB health checks for groups behind a target group; IMDSv2 and encrypted volumes."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.meta import Guardrail, Resource, is_unknown, resource_policy
from guardrails.types import ASG, LAUNCH_TEMPLATE

ELB_HEALTH = Guardrail(
    name="asg-elb-health-check",
    description="Auto Scaling groups behind a target group replace instances the ALB finds unhealthy.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub AutoScaling.1", "CKV2_AWS_15"),
    remediation="Set healthCheckType: ELB (and a grace period) on the group.",
)


def check_elb_health(group: Resource, _: dict[str, Any]) -> list[str]:
    target_groups = group.get("targetGroupArns", default=[])
    if is_unknown(target_groups) or target_groups:
        kind = group.get("healthCheckType", default="EC2")
        if not is_unknown(kind) and kind != "ELB":
            return [
                f"health check type is {kind}: instances the ALB marks unhealthy are never replaced"
            ]
    return []


IMDSV2 = Guardrail(
    name="launch-template-imdsv2",
    description="Launch templates require IMDSv2 session tokens.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.170", "CKV_AWS_79"),
    remediation="Set metadataOptions: {httpTokens: required} on the launch template.",
)


def check_imdsv2(template: Resource, _: dict[str, Any]) -> list[str]:
    tokens = template.get("metadataOptions", "httpTokens", default="optional")
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
    mappings = template.get("blockDeviceMappings", default=[])
    if is_unknown(mappings):
        return []
    if not mappings:
        return [
            "no block device mappings: the root volume takes the AMI's (possibly unencrypted) default"
        ]
    messages = []
    for index, mapping in enumerate(mappings):
        ebs = (mapping or {}).get("ebs")
        if ebs is None:
            continue
        encrypted = ebs.get("encrypted")
        if not is_unknown(encrypted) and str(encrypted).lower() != "true":
            messages.append(
                f"blockDeviceMappings[{index}] ({mapping.get('deviceName')}) is not encrypted"
            )
    return messages


POLICIES = [
    resource_policy(ELB_HEALTH, frozenset({ASG}), check_elb_health),
    resource_policy(IMDSV2, frozenset({LAUNCH_TEMPLATE}), check_imdsv2),
    resource_policy(ENCRYPTED_VOLUMES, frozenset({LAUNCH_TEMPLATE}), check_encrypted_volumes),
]
GUARDRAILS = [ELB_HEALTH, IMDSV2, ENCRYPTED_VOLUMES]
