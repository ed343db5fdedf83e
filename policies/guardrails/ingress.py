"""Who can reach each port of each security group: the facts the security group guardrails judge.

Every way a program can open a group is read the same way: inline ``ingress`` blocks of an
``aws.ec2.SecurityGroup`` or ``aws.ec2.DefaultSecurityGroup``, ``aws.ec2.SecurityGroupRule``
(``type: ingress``) and ``aws.vpc.SecurityGroupIngressRule``. Sources are canonical networks
(:func:`shared.cidrs.parse_cidr`); a managed prefix list the stack defines is replaced by its
entries (inline ``entries`` and ``aws.ec2.ManagedPrefixListEntry`` resources). Rules are grouped by
the group they open (:mod:`guardrails.links`: dependency or id), so sources spread over several
rules are judged together: :func:`exposures` finds the ports whose sources, together, reach the
world (:func:`shared.cidrs.covers_world`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from guardrails import links
from guardrails import types as t
from guardrails.normalize import PORTED_PROTOCOLS, PORTLESS_PROTOCOLS, ip_protocol, lower
from guardrails.resource import Resource
from guardrails.values import UNKNOWN, as_dict, as_int, as_list, is_unknown
from shared.cidrs import Network, covers_world, parse_cidr

ALL_PORTS = (0, 65535)
INLINE_CIDR_KEYS = ("cidrBlocks", "ipv6CidrBlocks")
VPC_CIDR_KEYS = ("cidrIpv4", "cidrIpv6")


@dataclass(frozen=True)
class Source:
    network: Network
    shown: str
    """How the report names it: the CIDR as written, and the prefix list it came from."""


@dataclass
class Rule:
    """One ingress rule: what it opens, to whom, as far as the values are known."""

    resource: Resource
    """The resource that declares it (the group, for an inline rule)."""
    where: str
    """``ingress[0]`` of a group, or ``rule <name>``."""
    protocol: Any
    """Canonical (:func:`guardrails.normalize.ip_protocol`), or UNKNOWN."""
    ports: Any
    """``(from, to)``; ``None`` for ICMP; UNKNOWN when a preview cannot know them."""
    sources: list[Source] = field(default_factory=list)
    not_cidrs: list[str] = field(default_factory=list)
    """Sources that are not CIDR blocks (AWS would reject them, or read them some other way)."""
    unknown_sources: list[str] = field(default_factory=list)
    """Which sources a preview does not know (``cidrIpv4``, ``prefix list pl-...``)."""

    def covers(self, port: int) -> bool:
        return isinstance(self.ports, tuple) and self.ports[0] <= port <= self.ports[1]

    @property
    def ports_known(self) -> bool:
        return not is_unknown(self.protocol) and not is_unknown(self.ports)


@dataclass
class GroupIngress:
    key: str
    """The group's URN when it is in the stack, else the id the rules name."""
    group: Resource | None
    rules: list[Rule] = field(default_factory=list)


@dataclass(frozen=True)
class Exposure:
    """Ports of one protocol whose sources, together, reach the world."""

    protocol: str
    ports: tuple[int, int] | None
    """``None``: a protocol without ports (ICMP is never reported; others, e.g. GRE, are)."""
    rules: tuple[Rule, ...]
    """The rules whose sources make up the world on these ports."""

    @property
    def shown(self) -> str:
        if self.ports is None:
            return f"protocol {self.protocol}"
        return describe_ports(self.ports)


def describe_ports(ports: tuple[int, int]) -> str:
    low, high = ports
    if (low, high) == ALL_PORTS:
        return "all ports"
    return f"port {low}" if low == high else f"ports {low}-{high}"


# ---- reading rules --------------------------------------------------------------------------
def port_range(protocol: Any, from_port: Any, to_port: Any) -> Any:
    """A rule's port range: ``(low, high)``, ``None`` for ICMP, UNKNOWN if a preview cannot tell."""
    if is_unknown(protocol):
        return UNKNOWN
    if protocol == "ALL":
        return ALL_PORTS
    if protocol in PORTLESS_PROTOCOLS:
        return None
    if protocol not in PORTED_PROTOCOLS:
        return ALL_PORTS  # AWS ignores ports for other protocols: the whole protocol is open
    if is_unknown(from_port) or is_unknown(to_port):
        return UNKNOWN
    low, high = as_int(from_port), as_int(to_port)
    if (low is None and high is None) or (low, high) == (-1, -1):
        return ALL_PORTS
    low = high if low is None else low
    high = low if high is None else high
    assert low is not None and high is not None
    return (max(0, min(low, high)), min(65535, max(low, high)))


class _Reader:
    """Reads the rules of one stack: expands the prefix lists it defines."""

    def __init__(self, resources: list[Resource]) -> None:
        self.resources = resources
        self.entries = [r for r in resources if r.type == t.PREFIX_LIST_ENTRY]

    def prefix_list_cidrs(self, pl: Resource) -> tuple[list[Any], bool]:
        """A stack prefix list's entry CIDRs, and whether some are unknown."""
        cidrs: list[Any] = []
        entries = as_list(pl.get("entries"))
        unknown = entries is None
        for entry in entries or []:
            fields = as_dict(entry)
            cidrs.append(UNKNOWN if fields is None else fields.get("cidr"))
        for entry in self.entries:
            link = links.ENTRY_PREFIX_LIST.follow(entry, self.resources)
            if link.leads_to(pl):
                cidrs.append(entry.get("cidr"))
            elif any(m.urn == pl.urn for m in link.maybe) or link.unresolved:
                unknown = True
        return cidrs, unknown

    def add_sources(self, rule: Rule, values: list[Any], via: str = "") -> None:
        for value in values:
            if value is None:
                continue
            if is_unknown(value):
                rule.unknown_sources.append(via or "a source CIDR")
                continue
            network = parse_cidr(value)
            if network is None:
                rule.not_cidrs.append(str(value))
            else:
                rule.sources.append(Source(network, f"{value} ({via})" if via else str(value)))

    def add_prefix_lists(self, rule: Rule, link: links.Link, shown: str) -> None:
        if link.unresolved or link.maybe:
            rule.unknown_sources.append(f"the prefix list of {shown}")
        for pl in link.targets:
            cidrs, unknown = self.prefix_list_cidrs(pl)
            via = f"prefix list {pl.name}"
            self.add_sources(rule, cidrs, via)
            if unknown:
                rule.unknown_sources.append(f"entries of {via}")

    def cidr_values(self, fields: dict[str, Any], keys: tuple[str, ...]) -> list[Any]:
        values: list[Any] = []
        for key in keys:
            found = fields.get(key)
            items = as_list(found)
            values.extend([UNKNOWN] if items is None else items)
        return values

    def inline(self, group: Resource) -> list[Rule]:
        rules: list[Rule] = []
        blocks = as_list(group.get("ingress"))
        if blocks is None:
            return [Rule(group, "ingress", UNKNOWN, UNKNOWN, unknown_sources=["ingress"])]
        for index, block in enumerate(blocks):
            fields = as_dict(block)
            where = f"ingress[{index}]"
            if fields is None:
                rules.append(Rule(group, where, UNKNOWN, UNKNOWN, unknown_sources=[where]))
                continue
            protocol = ip_protocol(fields.get("protocol"))
            rule = Rule(
                group,
                where,
                protocol,
                port_range(protocol, fields.get("fromPort"), fields.get("toPort")),
            )
            self.add_sources(rule, self.cidr_values(fields, INLINE_CIDR_KEYS))
            pl_ids = as_list(fields.get("prefixListIds"))
            pl_link = links.resolve(
                group,
                "ingress",
                [UNKNOWN] if pl_ids is None else pl_ids,
                [r for r in self.resources if r.type == t.PREFIX_LIST],
                "id",
            )
            self.add_prefix_lists(rule, pl_link, where)
            rules.append(rule)
        return rules

    def standalone(self, resource: Resource) -> Rule | None:
        if resource.type == t.SG_RULE:
            kind = lower(resource.get("type"))
            if kind == "egress":
                return None
            protocol = ip_protocol(resource.get("protocol"))
            keys, pl_spec = INLINE_CIDR_KEYS, links.SG_RULE_PREFIX_LISTS
        elif resource.type == t.SG_INGRESS:
            kind = "ingress"
            protocol = ip_protocol(resource.get("ipProtocol"))
            keys, pl_spec = VPC_CIDR_KEYS, links.INGRESS_PREFIX_LIST
        else:
            return None
        where = f"rule {resource.name}"
        rule = Rule(
            resource,
            where,
            protocol,
            port_range(protocol, resource.get("fromPort"), resource.get("toPort")),
        )
        if is_unknown(kind):
            rule.unknown_sources.append("type (ingress or egress)")
        self.add_sources(rule, self.cidr_values(resource.props, keys))
        self.add_prefix_lists(rule, pl_spec.follow(resource, self.resources), where)
        return rule


def _group_key(rule: Resource, resources: list[Resource]) -> tuple[str, Resource | None]:
    link = links.RULE_GROUP.follow(rule, resources)
    if link.targets:
        return link.targets[0].urn, link.targets[0]
    value = rule.get("securityGroupId")
    if isinstance(value, str) and value:
        return f"id:{value}", None
    return f"rule:{rule.urn}", None


def group_ingress(resources: list[Resource]) -> list[GroupIngress]:
    """Every security group's ingress rules, whatever style declared them."""
    reader = _Reader(resources)
    groups: dict[str, GroupIngress] = {}
    for resource in resources:
        if resource.type in t.SECURITY_GROUPS:
            entry = groups.setdefault(resource.urn, GroupIngress(resource.urn, resource))
            entry.group = resource
            entry.rules.extend(reader.inline(resource))
    for resource in resources:
        rule = reader.standalone(resource)
        if rule is not None:
            key, group = _group_key(resource, resources)
            groups.setdefault(key, GroupIngress(key, group)).rules.append(rule)
    return list(groups.values())


# ---- judging ------------------------------------------------------------------------------
def is_world(rules: list[Rule], broadest_prefix: int) -> bool:
    networks = [s.network for r in rules for s in r.sources]
    return bool(networks) and covers_world(networks, broadest_prefix)


def _segments(rules: list[Rule]) -> Iterator[tuple[tuple[int, int], list[Rule]]]:
    """The port ranges on which the same rules apply (split at every rule's boundary)."""
    bounds = sorted(
        {r.ports[0] for r in rules} | {r.ports[1] + 1 for r in rules if r.ports[1] < 65535}
    )
    for index, low in enumerate(bounds):
        high = bounds[index + 1] - 1 if index + 1 < len(bounds) else 65535
        covering = [r for r in rules if r.ports[0] <= low and high <= r.ports[1]]
        if covering:
            yield (low, high), covering


def exposures(ingress: GroupIngress, broadest_prefix: int) -> list[Exposure]:
    """The ports of ``ingress``'s group whose known sources together reach the world."""
    known = [r for r in ingress.rules if r.ports_known and r.sources]
    found: list[Exposure] = []
    for protocol in PORTED_PROTOCOLS:
        ported = [r for r in known if r.protocol in (protocol, "ALL")]
        for ports, covering in _segments(ported):
            if is_world(covering, broadest_prefix):
                found.append(Exposure(protocol, ports, tuple(covering)))
    others = {r.protocol for r in known} - {*PORTED_PROTOCOLS, *PORTLESS_PROTOCOLS, "ALL"}
    for protocol in sorted(others):
        covering = [r for r in known if r.protocol == protocol]
        if is_world(covering, broadest_prefix):
            found.append(Exposure(protocol, None, tuple(covering)))
    return _merged(found)


def _merged(found: list[Exposure]) -> list[Exposure]:
    """TCP and UDP exposures of the same ports by the same rules (an all-protocols rule), once."""
    out: list[Exposure] = []
    for exposure in found:
        twin = next(
            (
                e
                for e in out
                if e.ports == exposure.ports
                and {r.where for r in e.rules} == {r.where for r in exposure.rules}
                and all(r.protocol == "ALL" for r in exposure.rules)
            ),
            None,
        )
        if twin is None:
            out.append(exposure)
    return out


def world_sources(exposure: Exposure) -> str:
    shown = sorted({s.shown for r in exposure.rules for s in r.sources})
    return ", ".join(shown)
