"""Security group guardrails over inline rules, ``aws.ec2.SecurityGroupRule`` and ``aws.vpc`` rules alike."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from pulumi_policy import Severity

from guardrails.meta import Guardrail, Resource, is_unknown, resource_policy, stack_policy
from guardrails.types import SECURITY_GROUP, SG_EGRESS, SG_INGRESS, SG_RULE

WORLD = ("0.0.0.0/0", "::/0")
# AWS Security Hub EC2.19's high-risk ports (and the usual model-server ports among them).
HIGH_RISK_PORTS = [
    20,
    21,
    22,
    23,
    25,
    110,
    135,
    143,
    445,
    1433,
    1434,
    3000,
    3306,
    3389,
    4333,
    5000,
    5432,
    5500,
    5601,
    8080,
    8088,
    8888,
    9200,
    9300,
]
RULE_TYPES = frozenset({SECURITY_GROUP, SG_RULE, SG_INGRESS, SG_EGRESS})


@dataclass(frozen=True)
class IngressRule:
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    where: str

    def covers(self, port: int) -> bool:
        return self.from_port <= port <= self.to_port

    @property
    def ports(self) -> str:
        return (
            "all ports"
            if (self.from_port, self.to_port) == (0, 65535)
            else (
                f"port {self.from_port}"
                if self.from_port == self.to_port
                else f"ports {self.from_port}-{self.to_port}"
            )
        )


def _port_range(protocol: Any, from_port: Any, to_port: Any) -> tuple[int, int] | None:
    if is_unknown(protocol) or is_unknown(from_port) or is_unknown(to_port):
        return None
    if str(protocol).lower() in ("-1", "all"):
        return 0, 65535
    low = int(from_port if from_port is not None else 0)
    high = int(to_port if to_port is not None else low)
    if (low, high) == (-1, -1):
        return 0, 65535
    return low, high


def _cidrs(*values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        if is_unknown(value) or value is None:
            continue
        items = value if isinstance(value, list) else [value]
        out.extend(str(v) for v in items if isinstance(v, str))
    return tuple(out)


def ingress_rules(resource: Resource) -> list[IngressRule]:
    """The ingress rules a resource declares, normalized (unknown port ranges are left out)."""
    rules: list[IngressRule] = []
    if resource.type == SECURITY_GROUP:
        for index, rule in enumerate(resource.get("ingress", default=[]) or []):
            if not isinstance(rule, dict):
                continue
            ports = _port_range(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
            if ports:
                rules.append(
                    IngressRule(
                        *ports,
                        _cidrs(rule.get("cidrBlocks"), rule.get("ipv6CidrBlocks")),
                        f"ingress[{index}]",
                    )
                )
    elif resource.type == SG_RULE and resource.get("type") == "ingress":
        ports = _port_range(
            resource.get("protocol"), resource.get("fromPort"), resource.get("toPort")
        )
        if ports:
            rules.append(
                IngressRule(
                    *ports,
                    _cidrs(resource.get("cidrBlocks"), resource.get("ipv6CidrBlocks")),
                    "rule",
                )
            )
    elif resource.type == SG_INGRESS:
        ports = _port_range(
            resource.get("ipProtocol"), resource.get("fromPort"), resource.get("toPort")
        )
        if ports:
            rules.append(
                IngressRule(
                    *ports, _cidrs(resource.get("cidrIpv4"), resource.get("cidrIpv6")), "rule"
                )
            )
    return rules


WORLD_INGRESS = Guardrail(
    name="sg-no-world-ingress",
    description="No ingress from 0.0.0.0/0 or ::/0 except on the allowed public ports.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.18", "CKV_AWS_260", "CKV_AWS_277"),
    remediation="Restrict the source to known CIDRs, prefix lists or a security group; only the ALB's 80/443 may face the world.",
    config={
        "allowedPublicPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443]}
    },
)


def check_world_ingress(resource: Resource, config: dict[str, Any]) -> list[str]:
    allowed = {int(p) for p in config["allowedPublicPorts"]}
    messages = []
    for rule in ingress_rules(resource):
        world = [c for c in rule.cidrs if c in WORLD]
        if world and not (rule.from_port == rule.to_port and rule.from_port in allowed):
            messages.append(f"{rule.where} opens {rule.ports} to {', '.join(world)}")
    return messages


HIGH_RISK = Guardrail(
    name="sg-no-high-risk-ports",
    description="High-risk ports (SSH, RDP, databases, model-server ports such as 8080) are never open to the world.",
    severity=Severity.CRITICAL,
    controls=("SecurityHub EC2.19", "CKV_AWS_24", "CKV_AWS_25"),
    remediation="Reach model servers only through the ALB's security group; use SSM instead of SSH/RDP.",
    config={
        "highRiskPorts": {"type": "array", "items": {"type": "integer"}, "default": HIGH_RISK_PORTS}
    },
)


def check_high_risk(resource: Resource, config: dict[str, Any]) -> list[str]:
    messages = []
    for rule in ingress_rules(resource):
        world = [c for c in rule.cidrs if c in WORLD]
        hit = [int(p) for p in config["highRiskPorts"] if rule.covers(int(p))]
        if world and hit:
            messages.append(
                f"{rule.where} opens high-risk port(s) {', '.join(map(str, hit[:6]))} to {', '.join(world)}"
            )
    return messages


CIDR_ALLOWLIST = Guardrail(
    name="sg-ingress-cidr-allowlist",
    description="Ingress CIDRs are within the allowlist, when the environment's config gives one.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub EC2.18",),
    remediation="Use a source inside allowedIngressCidrs, a prefix list or a security group reference.",
    config={"allowedIngressCidrs": {"type": "array", "items": {"type": "string"}, "default": []}},
)


def check_cidr_allowlist(resource: Resource, config: dict[str, Any]) -> list[str]:
    allowlist = [ipaddress.ip_network(c) for c in config["allowedIngressCidrs"]]
    if not allowlist:
        return []
    messages = []
    for rule in ingress_rules(resource):
        for cidr in rule.cidrs:
            network = ipaddress.ip_network(cidr, strict=False)
            if not any(network.version == a.version and network.subnet_of(a) for a in allowlist):  # type: ignore[arg-type]
                messages.append(f"{rule.where} admits {cidr}, outside the allowlist")
    return messages


DESCRIPTIONS = Guardrail(
    name="sg-descriptions",
    description="Every security group and rule says what it is for.",
    severity=Severity.LOW,
    controls=("CKV_AWS_23",),
    remediation="Give the group and each rule a description.",
)


def check_descriptions(resource: Resource, _: dict[str, Any]) -> list[str]:
    description = resource.get("description")
    messages = []
    if not is_unknown(description) and not description:
        messages.append("no description")
    if resource.type == SECURITY_GROUP:
        for kind in ("ingress", "egress"):
            for index, rule in enumerate(resource.get(kind, default=[]) or []):
                if isinstance(rule, dict) and not rule.get("description"):
                    messages.append(f"{kind}[{index}] has no description")
    return messages


MIXED_RULES = Guardrail(
    name="sg-no-mixed-rule-styles",
    description="A security group has inline rules or standalone rules, never both (they overwrite each other).",
    severity=Severity.MEDIUM,
    controls=("pulumi-aws security group guidance",),
    remediation="Move the group's inline ingress/egress into aws.vpc.SecurityGroupIngressRule/EgressRule resources.",
)


def check_mixed_rules(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    standalone = [r for r in resources if r.type in (SG_RULE, SG_INGRESS, SG_EGRESS)]
    violations = []
    for group in resources:
        if group.type != SECURITY_GROUP:
            continue
        if not (group.get("ingress") or group.get("egress")):
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
