"""Security group guardrails, judged on what each group admits (:mod:`guardrails.ingress`): every
rule style, prefix lists the stack defines, and sources that reach the world only together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import Severity

from guardrails import links
from guardrails import types as t
from guardrails.adapters import resource_policy, stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.ingress import (
    GroupIngress,
    Rule,
    describe_ports,
    exposures,
    group_ingress,
    is_world,
)
from guardrails.meta import Guardrail, sees
from guardrails.resource import Resource
from guardrails.values import as_dict, as_list, is_unknown
from shared.cidrs import DEFAULT_BROADEST_PREFIX, Network, parse_cidr

# AWS Security Hub EC2.19's high-risk ports (the usual model-server ports 3000, 5000, 8080, 8888 among them).
HIGH_RISK_PORTS = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
]  # fmt: skip
RULE_TYPES = frozenset({*t.SECURITY_GROUPS, *t.STANDALONE_RULES})
PROVIDER_DEFAULT_DESCRIPTION = "Managed by Pulumi"
"""What pulumi-aws fills in for a security group created without a description."""
CIDR_PATTERN = r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"
BROADEST_PREFIX: dict[str, Any] = {
    "type": "integer",
    "minimum": 0,
    "maximum": 32,
    "default": DEFAULT_BROADEST_PREFIX,
    "description": "Sources that together reach more internet addresses than one /N (or all of them) are the world.",
}
INGRESS_SEES = (
    sees(t.SECURITY_GROUPS, "ingress[].protocol", "ingress[].fromPort", "ingress[].toPort", "ingress[].cidrBlocks", "ingress[].ipv6CidrBlocks", "ingress[].prefixListIds"),
    sees(t.SG_RULE, "type", "protocol", "fromPort", "toPort", "cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroupId"),
    sees(t.SG_INGRESS, "ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "prefixListId", "securityGroupId"),
    sees({t.PREFIX_LIST}, "entries[].cidr", "id"),
    sees({t.PREFIX_LIST_ENTRY}, "cidr", "prefixListId"),
)  # fmt: skip


@dataclass
class _Exposed:
    """One rule's part in a group's world exposure."""

    rule: Rule
    ranges: list[tuple[int, int]] = field(default_factory=list)
    protocols: list[str] = field(default_factory=list)
    """Protocols without ports that are open to the world."""
    partners: dict[str, Rule] = field(default_factory=dict)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def exposed_rules(ingress: GroupIngress, broadest_prefix: int) -> list[_Exposed]:
    """Each rule that takes part in a world exposure, with the ports and the other rules."""
    by_rule: dict[int, _Exposed] = {}
    for exposure in exposures(ingress, broadest_prefix):
        for rule in exposure.rules:
            part = by_rule.setdefault(id(rule), _Exposed(rule))
            if exposure.ports is None:
                part.protocols.append(exposure.protocol)
            else:
                part.ranges.append(exposure.ports)
            part.partners.update({r.where: r for r in exposure.rules if r is not rule})
    for part in by_rule.values():
        part.ranges = _merge(part.ranges)
    return list(by_rule.values())


def _to_whom(part: _Exposed, broadest_prefix: int) -> str:
    own = ", ".join(s.shown for s in part.rule.sources)
    if is_world([part.rule], broadest_prefix) or not part.partners:
        return f"the world ({own})"
    others = ", ".join(sorted(part.partners))
    everyone = sorted({s.shown for r in [part.rule, *part.partners.values()] for s in r.sources})
    return f"{own}; with {others} the group admits the world ({', '.join(everyone)})"


def _unknown_source_note(rule: Rule) -> Unverified:
    return Unverified(f"{', '.join(dict.fromkeys(rule.unknown_sources))} of {rule.where}")


def _undecided(
    ingress: GroupIngress, prefix: int, matters: Callable[[Rule], bool]
) -> list[tuple[Resource, Finding]]:
    """Notes for what a preview cannot judge: unknown sources on ports that ``matters`` to the
    policy, or unknown ports of a group whose known sources already reach the world."""
    world_known = is_world([r for r in ingress.rules if r.sources], prefix)
    notes: list[tuple[Resource, Finding]] = []
    for rule in ingress.rules:
        if rule.unknown_sources and matters(rule):
            notes.append((rule.resource, _unknown_source_note(rule)))
        elif not rule.ports_known and world_known:
            notes.append((rule.resource, Unverified(f"the protocol or ports of {rule.where}")))
    return notes


WORLD_INGRESS = Guardrail(
    name="sg-no-world-ingress",
    description="No ingress from the world (0.0.0.0/0, ::/0, or sources that together reach it) except on the allowed public ports.",
    severity=Severity.HIGH,
    controls=("SecurityHub EC2.18", "CKV_AWS_260", "CKV_AWS_277"),
    remediation="Restrict the source to known CIDRs, prefix lists or a security group; only the ALB's 80/443 may face the world.",
    config={
        "allowedPublicPorts": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "default": [80, 443],
            "description": "Ports that may admit the world.",
        },
        "broadestPrefix": BROADEST_PREFIX,
    },
    sees=INGRESS_SEES,
)


def _only_allowed(part: _Exposed, allowed: set[int]) -> bool:
    return not part.protocols and all(
        high - low < len(allowed) and all(p in allowed for p in range(low, high + 1))
        for low, high in part.ranges
    )


def _public_port_only(rule: Rule, allowed: set[int]) -> bool:
    """The rule opens only allowed public ports (its sources do not matter to this policy)."""
    if not isinstance(rule.ports, tuple):
        return False
    low, high = rule.ports
    return high - low < len(allowed) and all(p in allowed for p in range(low, high + 1))


def check_world_ingress(
    resources: list[Resource], config: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    allowed = {int(p) for p in config["allowedPublicPorts"]}
    prefix = int(config["broadestPrefix"])
    found: list[tuple[Resource, Finding]] = []
    for ingress in group_ingress(resources):
        for part in exposed_rules(ingress, prefix):
            if _only_allowed(part, allowed):
                continue
            opened = [describe_ports(r) for r in part.ranges] + [
                f"protocol {p}" for p in part.protocols
            ]
            message = f"{part.rule.where} opens {', '.join(opened)} to {_to_whom(part, prefix)}"
            found.append((part.rule.resource, message))
        found += [
            (rule.resource, f"{rule.where} admits {text!r}, which is not a CIDR block")
            for rule in ingress.rules
            for text in rule.not_cidrs
        ]
        found += _undecided(ingress, prefix, lambda r: not _public_port_only(r, allowed))
    return found


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
            "description": "Ports never open to the world (Security Hub EC2.19's list).",
        },
        "broadestPrefix": BROADEST_PREFIX,
    },
    sees=INGRESS_SEES,
)


def check_high_risk(
    resources: list[Resource], config: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    risky = [int(p) for p in config["highRiskPorts"]]
    prefix = int(config["broadestPrefix"])
    found: list[tuple[Resource, Finding]] = []
    for ingress in group_ingress(resources):
        for part in exposed_rules(ingress, prefix):
            hit = [p for p in risky if any(low <= p <= high for low, high in part.ranges)]
            if not hit:
                continue
            shown = ", ".join(map(str, hit[:6])) + (
                f" and {len(hit) - 6} more" if len(hit) > 6 else ""
            )
            message = (
                f"{part.rule.where} opens high-risk port(s) {shown} to {_to_whom(part, prefix)}"
            )
            found.append((part.rule.resource, message))
        found += _undecided(
            ingress, prefix, lambda r: not r.ports_known or any(r.covers(p) for p in risky)
        )
    return found


CIDR_ALLOWLIST = Guardrail(
    name="sg-ingress-cidr-allowlist",
    description="Ingress CIDRs (prefix list entries included) are within the allowlist, when the environment's config gives one.",
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
    sees=INGRESS_SEES,
)


def _within(network: Network, allowed: list[Network]) -> bool:
    return any(
        network.version == candidate.version and network.subnet_of(candidate)  # type: ignore[arg-type]
        for candidate in allowed
    )


def check_cidr_allowlist(
    resources: list[Resource], config: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    entries = [str(c) for c in config["allowedIngressCidrs"]]
    if not entries:
        return []
    allowed = [n for n in map(parse_cidr, entries) if n is not None]
    found: list[tuple[Resource, Finding]] = []
    rules = [rule for ingress in group_ingress(resources) for rule in ingress.rules]
    for rule in rules:
        found += [
            (rule.resource, f"{rule.where} admits {s.shown}, outside the allowlist")
            for s in rule.sources
            if not _within(s.network, allowed)
        ]
        found += [
            (rule.resource, f"{rule.where} admits {text!r}, which is not a CIDR block")
            for text in rule.not_cidrs
        ]
        if rule.unknown_sources:
            found.append((rule.resource, _unknown_source_note(rule)))
    invalid = [c for c in entries if parse_cidr(c) is None]
    judged = {r.resource.urn: r.resource for r in rules}
    found += [
        (resource, f"config: allowedIngressCidrs entry {c!r} is not a CIDR")
        for resource in judged.values()
        for c in invalid
    ]
    return found


DESCRIPTIONS = Guardrail(
    name="sg-descriptions",
    description="Every security group and rule says what it is for.",
    severity=Severity.LOW,
    controls=("CKV_AWS_23",),
    remediation="Give the group and each rule a description.",
    sees=(
        sees(t.SECURITY_GROUP, "description", "ingress[].description", "egress[].description"),
        sees(t.DEFAULT_SECURITY_GROUP, "ingress[].description", "egress[].description"),
        sees(t.STANDALONE_RULES, "description"),
    ),
)


def _described(value: Any) -> bool:
    return isinstance(value, str) and value.strip() not in ("", PROVIDER_DEFAULT_DESCRIPTION)


def _description(value: Any, where: str, missing: str) -> list[Finding]:
    if is_unknown(value):
        return [Unverified(where)]
    return [] if _described(value) else [missing]


def check_descriptions(resource: Resource, _: dict[str, Any]) -> list[Finding]:
    messages: list[Finding] = []
    # AWS names the default group's purpose itself ("default VPC security group").
    if resource.type != t.DEFAULT_SECURITY_GROUP:
        messages += _description(resource.get("description"), "description", "no description")
    if resource.type in t.SECURITY_GROUPS:
        for kind in ("ingress", "egress"):
            rules = as_list(resource.get(kind))
            if rules is None:
                messages.append(Unverified(kind))
            for index, rule in enumerate(rules or []):
                fields = as_dict(rule)
                where = f"{kind}[{index}]"
                messages += (
                    [Unverified(where)]
                    if fields is None
                    else _description(
                        fields.get("description"),
                        f"{where}.description",
                        f"{where} has no description",
                    )
                )
    return messages


MIXED_RULES = Guardrail(
    name="sg-no-mixed-rule-styles",
    description="A security group has inline rules or standalone rules, never both (they overwrite each other).",
    severity=Severity.MEDIUM,
    controls=("pulumi-aws security group guidance",),
    remediation="Move the group's inline ingress/egress into aws.vpc.SecurityGroupIngressRule/EgressRule resources.",
    sees=(
        sees(t.SECURITY_GROUPS, "ingress", "egress", "id"),
        sees(t.STANDALONE_RULES, "securityGroupId"),
    ),
)


def _has_inline_rules(group: Resource) -> bool:
    return any(
        is_unknown(group.get(kind)) or bool(as_list(group.get(kind)))
        for kind in ("ingress", "egress")
    )


def check_mixed_rules(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    standalone = [r for r in resources if r.type in t.STANDALONE_RULES]
    violations: list[tuple[Resource, Finding]] = []
    for group in resources:
        if group.type not in t.SECURITY_GROUPS or not _has_inline_rules(group):
            continue
        linked = [r for r in standalone if links.RULE_GROUP.follow(r, resources).leads_to(group)]
        if linked:
            violations.append(
                (
                    group,
                    f"security group {group.name} has inline rules and {len(linked)} standalone rule(s)",
                )
            )
    return violations


POLICIES = [
    stack_policy(WORLD_INGRESS, check_world_ingress),
    stack_policy(HIGH_RISK, check_high_risk),
    stack_policy(CIDR_ALLOWLIST, check_cidr_allowlist),
    resource_policy(DESCRIPTIONS, RULE_TYPES, check_descriptions),
    stack_policy(MIXED_RULES, check_mixed_rules),
]
GUARDRAILS = [WORLD_INGRESS, HIGH_RISK, CIDR_ALLOWLIST, DESCRIPTIONS, MIXED_RULES]
