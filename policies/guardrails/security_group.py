"""Security group guardrails over inline rules, ``aws.ec2.SecurityGroupRule`` and ``aws.vpc`` rules alike."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy, stack_policy
from guardrails.meta import Guardrail
from guardrails.resource import Resource
from guardrails.types import SECURITY_GROUP, SG_EGRESS, SG_INGRESS, SG_RULE
from guardrails.values import as_dict, as_int, as_list, is_unknown

WORLD = ("0.0.0.0/0", "::/0")
# AWS Security Hub EC2.19's high-risk ports (the usual model-server ports 3000, 5000, 8080, 8888 among them).
HIGH_RISK_PORTS = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
]  # fmt: skip
RULE_TYPES = frozenset({SECURITY_GROUP, SG_RULE, SG_INGRESS, SG_EGRESS})
STANDALONE_RULES = frozenset({SG_RULE, SG_INGRESS, SG_EGRESS})
ALL_PROTOCOLS = ("-1", "all")
PORTLESS_PROTOCOLS = ("icmp", "icmpv6", "1", "58")
"""ICMP rules carry an ICMP type and code in fromPort/toPort, not ports."""
PROVIDER_DEFAULT_DESCRIPTION = "Managed by Pulumi"
"""What pulumi-aws fills in for a security group created without a description."""
CIDR_PATTERN = r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"


@dataclass(frozen=True)
class IngressRule:
    port_range: tuple[int, int] | None
    """``(from, to)``; ``None`` for ICMP, or when a preview cannot know the ports."""
    cidrs: tuple[str, ...]
    """The known source CIDRs (prefix lists and security group sources are not CIDRs)."""
    where: str

    def covers(self, port: int) -> bool:
        return self.port_range is not None and self.port_range[0] <= port <= self.port_range[1]

    @property
    def single_port(self) -> int | None:
        if self.port_range is None or self.port_range[0] != self.port_range[1]:
            return None
        return self.port_range[0]

    @property
    def ports(self) -> str:
        if self.port_range is None:
            return "no ports"
        low, high = self.port_range
        if (low, high) == (0, 65535):
            return "all ports"
        return f"port {low}" if low == high else f"ports {low}-{high}"


def _port_range(protocol: Any, from_port: Any, to_port: Any) -> tuple[int, int] | None:
    """The rule's port range; ``None`` for ICMP, or when a preview cannot know it."""
    if is_unknown(protocol):
        return None
    name = str(protocol).lower()
    if name in ALL_PROTOCOLS:
        return 0, 65535
    if name in PORTLESS_PROTOCOLS:
        return None
    low = as_int(0 if from_port is None else from_port)
    high = low if to_port is None else as_int(to_port)
    if low is None or high is None:
        return None
    if (low, high) == (-1, -1):
        return 0, 65535
    return low, high


def _cidrs(*values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(v for v in as_list(value) or [] if isinstance(v, str))
    return tuple(out)


def _rule(
    fields: dict[str, Any], protocol_key: str, cidr_keys: tuple[str, str], where: str
) -> list[IngressRule]:
    ports = _port_range(fields.get(protocol_key), fields.get("fromPort"), fields.get("toPort"))
    return [IngressRule(ports, _cidrs(*(fields.get(k) for k in cidr_keys)), where)]


def ingress_rules(resource: Resource) -> list[IngressRule]:
    """The ingress rules a resource declares, normalized (sources and, where known, ports)."""
    if resource.type == SECURITY_GROUP:
        rules: list[IngressRule] = []
        for index, rule in enumerate(as_list(resource.get("ingress")) or []):
            fields = as_dict(rule)
            if fields:
                rules += _rule(
                    fields, "protocol", ("cidrBlocks", "ipv6CidrBlocks"), f"ingress[{index}]"
                )
        return rules
    if resource.type == SG_RULE and resource.get("type") == "ingress":
        return _rule(resource.props, "protocol", ("cidrBlocks", "ipv6CidrBlocks"), "rule")
    if resource.type == SG_INGRESS:
        return _rule(resource.props, "ipProtocol", ("cidrIpv4", "cidrIpv6"), "rule")
    return []


def world(rule: IngressRule) -> list[str]:
    return [c for c in rule.cidrs if c in WORLD]


WORLD_INGRESS = Guardrail(
    name="sg-no-world-ingress",
    description="No ingress from 0.0.0.0/0 or ::/0 except on the allowed public ports.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.18", "CKV_AWS_260", "CKV_AWS_277"),
    remediation="Restrict the source to known CIDRs, prefix lists or a security group; only the ALB's 80/443 may face the world.",
    config={
        "allowedPublicPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "default": [80, 443],
            "description": "Ports that may admit 0.0.0.0/0 or ::/0 (one port a rule).",
        }
    },
)


def check_world_ingress(resource: Resource, config: dict[str, Any]) -> list[str]:
    allowed = {int(p) for p in config["allowedPublicPorts"]}
    messages = []
    for rule in ingress_rules(resource):
        sources = world(rule)
        if sources and rule.port_range is not None and rule.single_port not in allowed:
            messages.append(f"{rule.where} opens {rule.ports} to {', '.join(sources)}")
    return messages


HIGH_RISK = Guardrail(
    name="sg-no-high-risk-ports",
    description="High-risk ports (SSH, RDP, databases, model-server ports such as 8080) are never open to the world.",
    severity=Severity.CRITICAL,
    controls=("SecurityHub EC2.19", "CKV_AWS_24", "CKV_AWS_25"),
    remediation="Reach model servers only through the ALB's security group; use SSM instead of SSH/RDP.",
    config={
        "highRiskPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "default": HIGH_RISK_PORTS,
            "description": "Ports never open to 0.0.0.0/0 or ::/0 (Security Hub EC2.19's list).",
        }
    },
)


def check_high_risk(resource: Resource, config: dict[str, Any]) -> list[str]:
    messages = []
    for rule in ingress_rules(resource):
        sources = world(rule)
        hit = [int(p) for p in config["highRiskPorts"] if rule.covers(int(p))]
        if sources and hit:
            shown = ", ".join(map(str, hit[:6])) + (
                f" and {len(hit) - 6} more" if len(hit) > 6 else ""
            )
            messages.append(f"{rule.where} opens high-risk port(s) {shown} to {', '.join(sources)}")
    return messages


CIDR_ALLOWLIST = Guardrail(
    name="sg-ingress-cidr-allowlist",
    description="Ingress CIDRs are within the allowlist, when the environment's config gives one.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub EC2.18",),
    remediation="Use a source inside allowedIngressCidrs, a prefix list or a security group reference.",
    config={
        "allowedIngressCidrs": {
            "type": "array",
            "items": {"type": "string", "pattern": CIDR_PATTERN},
            "default": [],
            "description": "CIDRs ingress sources must fall within; empty: no allowlist.",
        }
    },
)


def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network a CIDR names (host bits allowed, as AWS does); ``None`` if it is not one."""
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _within(network: Network, allowed: list[Network]) -> bool:
    return any(
        network.version == candidate.version and network.subnet_of(candidate)  # type: ignore[arg-type]
        for candidate in allowed
    )


def check_cidr_allowlist(resource: Resource, config: dict[str, Any]) -> list[str]:
    entries = [str(c) for c in config["allowedIngressCidrs"]]
    if not entries:
        return []
    allowed = [n for n in map(_network, entries) if n is not None]
    invalid = [c for c in entries if _network(c) is None]
    messages = [f"config: allowedIngressCidrs entry {c!r} is not a CIDR" for c in invalid]
    for rule in ingress_rules(resource):
        for cidr in rule.cidrs:
            network = _network(cidr)
            if network is None:
                messages.append(f"{rule.where} admits {cidr!r}, which is not a CIDR")
            elif not _within(network, allowed):
                messages.append(f"{rule.where} admits {cidr}, outside the allowlist")
    return messages


DESCRIPTIONS = Guardrail(
    name="sg-descriptions",
    description="Every security group and rule says what it is for.",
    severity=Severity.LOW,
    controls=("CKV_AWS_23",),
    remediation="Give the group and each rule a description.",
)


def _described(value: Any) -> bool:
    return is_unknown(value) or (
        isinstance(value, str) and value.strip() not in ("", PROVIDER_DEFAULT_DESCRIPTION)
    )


def check_descriptions(resource: Resource, _: dict[str, Any]) -> list[str]:
    messages = []
    if not _described(resource.get("description")):
        messages.append("no description")
    if resource.type == SECURITY_GROUP:
        for kind in ("ingress", "egress"):
            for index, rule in enumerate(as_list(resource.get(kind)) or []):
                fields = as_dict(rule)
                if fields is not None and not _described(fields.get("description")):
                    messages.append(f"{kind}[{index}] has no description")
    return messages


MIXED_RULES = Guardrail(
    name="sg-no-mixed-rule-styles",
    description="A security group has inline rules or standalone rules, never both (they overwrite each other).",
    severity=Severity.MEDIUM,
    controls=("pulumi-aws security group guidance",),
    remediation="Move the group's inline ingress/egress into aws.vpc.SecurityGroupIngressRule/EgressRule resources.",
)


def _has_inline_rules(group: Resource) -> bool:
    return any(
        is_unknown(group.get(kind)) or bool(as_list(group.get(kind)))
        for kind in ("ingress", "egress")
    )


def check_mixed_rules(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    standalone = [r for r in resources if r.type in STANDALONE_RULES]
    violations = []
    for group in resources:
        if group.type != SECURITY_GROUP or not _has_inline_rules(group):
            continue
        linked = [r for r in standalone if r.linked_to(group, "securityGroupId")]
        if linked:
            violations.append(
                (
                    group,
                    f"security group {group.name} has inline rules and {len(linked)} standalone rule(s)",
                )
            )
    return violations


POLICIES = [
    resource_policy(WORLD_INGRESS, RULE_TYPES, check_world_ingress),
    resource_policy(HIGH_RISK, RULE_TYPES, check_high_risk),
    resource_policy(CIDR_ALLOWLIST, RULE_TYPES, check_cidr_allowlist),
    resource_policy(DESCRIPTIONS, RULE_TYPES, check_descriptions),
    stack_policy(MIXED_RULES, check_mixed_rules),
]
GUARDRAILS = [WORLD_INGRESS, HIGH_RISK, CIDR_ALLOWLIST, DESCRIPTIONS, MIXED_RULES]
