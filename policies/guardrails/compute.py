"""Compute guardrails over every resource that can boot an instance: ``aws.ec2.LaunchTemplate``,
``aws.ec2.Instance``, ``aws.ec2.LaunchConfiguration`` and ``aws.ec2.SpotInstanceRequest`` (and
EBS volumes): IMDSv2 only, every volume encrypted (the root one included), no public IP.

The policy names keep the ``launch-template-`` prefix they were published with; they cover every
launcher.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails import links
from guardrails import types as t
from guardrails.adapters import resource_policy, stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.normalize import lower
from guardrails.resource import Resource
from guardrails.values import UNKNOWN, as_bool, as_dict, as_list, is_unknown

ROOT_DEVICE_NAMES = ("/dev/xvda", "/dev/sda1", "/dev/sda", "/dev/nvme0n1")
"""Root device names of the usual AMIs (Amazon Linux, Ubuntu, RHEL, ECS/EKS-optimised)."""

IMDSV2 = Guardrail(
    name="launch-template-imdsv2",
    description="Everything that boots an instance (launch templates, instances, launch configurations, spot requests) requires IMDSv2 session tokens.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.8", "SecurityHub EC2.170", "CKV_AWS_79"),
    remediation="Set metadataOptions: {httpTokens: required} (or httpEndpoint: disabled).",
    sees=(
        sees(
            t.LAUNCHERS,
            "metadataOptions.httpTokens",
            "metadataOptions.httpEndpoint",
            "launchTemplate",
        ),
    ),
)


def check_imdsv2(launcher: Resource, _: dict[str, Any]) -> list[Finding]:
    options = as_dict(launcher.get("metadataOptions"))
    if options is None:
        return [Unverified("metadataOptions")]
    if not options and launcher.type in t.INSTANCE_LIKE and launcher.get("launchTemplate"):
        return []  # the instance takes its metadata options from its launch template
    endpoint = lower(options.get("httpEndpoint"), default="enabled")
    tokens = lower(options.get("httpTokens"), default="optional")
    if endpoint == "disabled" or tokens == "required":
        return []  # no metadata service at all, or IMDSv2 only
    if is_unknown(endpoint) or is_unknown(tokens):
        return [Unverified("metadataOptions.httpTokens")]
    return [f"instance metadata tokens are {tokens!r}: IMDSv1 stays reachable"]


ENCRYPTED_VOLUMES = Guardrail(
    name="launch-template-encrypted-volumes",
    description="Everything that boots an instance encrypts every EBS volume, the root volume included; so does every EBS volume.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.3", "SecurityHub EC2.7", "CKV_AWS_8"),
    remediation="Launch templates: blockDeviceMappings[].ebs.encrypted 'true' with a mapping for the root device; instances and launch configurations: rootBlockDevice.encrypted and ebsBlockDevices[].encrypted true.",
    sees=(
        sees(t.LAUNCH_TEMPLATE, "blockDeviceMappings[].deviceName", "blockDeviceMappings[].ebs.encrypted"),
        sees({t.LAUNCH_CONFIGURATION, *t.INSTANCE_LIKE}, "rootBlockDevice.encrypted", "ebsBlockDevices[].encrypted", "launchTemplate"),
        sees(t.EBS_VOLUME, "encrypted"),
    ),
)  # fmt: skip


def _encryption(value: Any, where: str) -> list[Finding]:
    if is_unknown(value):
        return [Unverified(f"{where}.encrypted")]
    return [] if as_bool(value) is True else [f"{where} is not encrypted"]


def _template_volumes(template: Resource) -> list[Finding]:
    mappings = as_list(template.get("blockDeviceMappings"))
    if mappings is None:
        return [Unverified("blockDeviceMappings")]
    found: list[Finding] = []
    devices: list[Any] = []
    for index, mapping in enumerate(mappings):
        fields = as_dict(mapping)
        if fields is None:
            found.append(Unverified(f"blockDeviceMappings[{index}]"))
            devices.append(UNKNOWN)
            continue
        devices.append(fields.get("deviceName"))
        ebs = as_dict(fields.get("ebs"))
        if fields.get("ebs") is None:
            continue  # instance store or noDevice: not an EBS volume
        if ebs is None:
            found.append(Unverified(f"blockDeviceMappings[{index}].ebs"))
            continue
        where = f"blockDeviceMappings[{index}] ({fields.get('deviceName', '?')})"
        found += _encryption(ebs.get("encrypted"), where)
    if any(is_unknown(d) for d in devices):
        found.append(Unverified("the device names of blockDeviceMappings"))
    elif not any(d in ROOT_DEVICE_NAMES for d in devices):
        found.append(
            "no block device mapping for the root device (/dev/xvda or /dev/sda1): the root "
            "volume takes the AMI snapshot's (possibly unencrypted) setting"
        )
    return found


def _instance_volumes(launcher: Resource) -> list[Finding]:
    found: list[Finding] = []
    root = launcher.get("rootBlockDevice")
    if root is None:
        if not (launcher.type in t.INSTANCE_LIKE and launcher.get("launchTemplate")):
            found.append(
                "no rootBlockDevice: the root volume takes the AMI snapshot's (possibly unencrypted) setting"
            )
    else:
        fields = as_dict(root)
        found += (
            [Unverified("rootBlockDevice")]
            if fields is None
            else _encryption(fields.get("encrypted"), "rootBlockDevice")
        )
    volumes = as_list(launcher.get("ebsBlockDevices"))
    if volumes is None:
        return [*found, Unverified("ebsBlockDevices")]
    for index, volume in enumerate(volumes):
        fields = as_dict(volume)
        where = f"ebsBlockDevices[{index}]"
        found += (
            [Unverified(where)] if fields is None else _encryption(fields.get("encrypted"), where)
        )
    return found


def check_encrypted_volumes(resource: Resource, _: dict[str, Any]) -> list[Finding]:
    if resource.type == t.LAUNCH_TEMPLATE:
        return _template_volumes(resource)
    if resource.type == t.EBS_VOLUME:
        return _encryption(resource.get("encrypted"), "the volume")
    return _instance_volumes(resource)


PUBLIC_IP = Guardrail(
    name="compute-no-public-ip",
    description="Instances get no public IP address: not asked for, not from the subnet, not from an Elastic IP (mandatory in prod).",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.9", "SecurityHub AutoScaling.5", "CKV_AWS_88"),
    remediation="Launch into private subnets with associatePublicIpAddress false; reach instances through the ALB or SSM.",
    sees=(
        sees({*t.INSTANCE_LIKE, t.LAUNCH_CONFIGURATION}, "associatePublicIpAddress", "subnetId"),
        sees(t.LAUNCH_TEMPLATE, "networkInterfaces[].associatePublicIpAddress"),
        sees({t.ASG}, "vpcZoneIdentifiers", "launchTemplate"),
        sees({t.SUBNET}, "mapPublicIpOnLaunch", "id"),
        sees({t.EIP}, "instance", "networkInterface"),
        sees({t.EIP_ASSOCIATION}, "instanceId", "networkInterfaceId"),
    ),
)


def _asked_for(value: Any, where: str) -> Finding | None:
    if is_unknown(value):
        return Unverified(where)
    return f"{where} is true" if as_bool(value) is True else None


def _template_asks(template: Resource) -> Finding | bool | None:
    """A launch template's public IP choice: a finding, ``False`` (explicitly none), or ``None``."""
    interfaces = as_list(template.get("networkInterfaces"))
    if interfaces is None:
        return Unverified("networkInterfaces")
    choices = [(as_dict(i) or {}).get("associatePublicIpAddress") for i in interfaces]
    for index, choice in enumerate(choices):
        found = _asked_for(choice, f"networkInterfaces[{index}].associatePublicIpAddress")
        if found is not None:
            return found
    return False if choices and all(as_bool(c) is False for c in choices) else None


def _public_subnets(link: links.Link) -> Unverified | list[Resource]:
    flags = [s.get("mapPublicIpOnLaunch", default=False) for s in link.targets]
    if any(is_unknown(f) for f in flags) or link.maybe:
        return Unverified("whether its subnet maps public IPs on launch")
    return [s for s, f in zip(link.targets, flags, strict=True) if as_bool(f) is True]


def _launcher_public_ip(launcher: Resource, resources: list[Resource]) -> Finding | None:
    if launcher.type == t.LAUNCH_TEMPLATE:
        verdict = _template_asks(launcher)
        return verdict if isinstance(verdict, str | Unverified) else None
    asked = launcher.get("associatePublicIpAddress")
    if asked is not None:
        return _asked_for(asked, "associatePublicIpAddress")
    if launcher.type == t.LAUNCH_CONFIGURATION:
        return None
    subnets = _public_subnets(links.INSTANCE_SUBNET.follow(launcher, resources))
    if isinstance(subnets, Unverified):
        return subnets
    if subnets:
        return f"subnet {subnets[0].name} maps a public IP on launch"
    return None


def _group_public_ip(group: Resource, resources: list[Resource]) -> Finding | None:
    subnets = _public_subnets(links.ASG_SUBNETS.follow(group, resources))
    if isinstance(subnets, Unverified):
        return subnets
    if not subnets:
        return None
    templates = [
        r for r in resources if r.type == t.LAUNCH_TEMPLATE and group.linked_to(r, "launchTemplate")
    ]
    if any(_template_asks(x) is False for x in templates):
        return None
    return f"group {group.name} launches into subnet {subnets[0].name}, which maps a public IP on launch"


def check_public_ip(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, Finding]]:
    found: list[tuple[Resource, Finding]] = []
    for resource in resources:
        verdict: Finding | None = None
        if resource.type in t.LAUNCHERS:
            verdict = _launcher_public_ip(resource, resources)
        elif resource.type == t.ASG:
            verdict = _group_public_ip(resource, resources)
        elif resource.type in (t.EIP, t.EIP_ASSOCIATION):
            keys = ("instance", "networkInterface", "instanceId", "networkInterfaceId")
            if any(resource.get(k) is not None for k in keys):
                verdict = f"Elastic IP {resource.name} gives an instance a public address"
        if verdict is not None:
            found.append((resource, verdict))
    return found


POLICIES = [
    resource_policy(IMDSV2, t.LAUNCHERS, check_imdsv2),
    resource_policy(
        ENCRYPTED_VOLUMES, frozenset({*t.LAUNCHERS, t.EBS_VOLUME}), check_encrypted_volumes
    ),
    stack_policy(PUBLIC_IP, check_public_ip),
]
GUARDRAILS = [IMDSV2, ENCRYPTED_VOLUMES, PUBLIC_IP]
