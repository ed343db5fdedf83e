"""Which resource an input refers to: by the engine's property dependency, or by the value itself.

A program can name another resource of the stack two ways: through an ``Output`` (the engine
records a property dependency, and a preview does not know the value yet) or by writing its ARN,
id or name as a literal (no dependency; the value is known once the other resource exists). A
check that followed only dependencies would miss the literal; one that compared only values would
see nothing in a preview. :func:`resolve` follows both, and reports a dependency whose known value
names something else (``bucket=log_bucket.bucket.apply(lambda _: "other")``): that is a violation
(``resource-links-consistent``), never a link.

:data:`LINKS` lists every reference the guardrails follow, with the identifier it must carry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from guardrails import types as t
from guardrails.resource import Resource
from guardrails.values import UNKNOWN, as_dict, as_list, is_unknown

IDENTIFIER_KEYS = ("id", "arn", "name", "bucket")


def _arn_tail(arn: Any) -> str | None:
    """The id or name an ARN ends with (``...:security-group/sg-1`` -> ``sg-1``, ``:::b`` -> ``b``)."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    if ":::" in arn:
        return arn.rsplit(":::", maxsplit=1)[1] or None
    return arn.rsplit("/", maxsplit=1)[1] if "/" in arn else None


def identifier(resource: Resource, key: str) -> Any:
    """The value others name ``resource`` by (``key``: id, arn, name or bucket).

    The id falls back on the ARN's last segment, a bucket's name on its ARN or id. A value the
    resource does not carry is UNKNOWN: the provider computes it, and a preview (or a runtime that
    leaves it out of the outputs) does not know it yet.
    """
    value = resource.get(key)
    if value is not None:
        return value
    if key in ("id", "bucket"):
        tail = _arn_tail(resource.get("arn"))
        if tail:
            return tail
        if key == "bucket" and resource.get("id") is not None:
            return resource.get("id")
    return UNKNOWN


def identifiers(resource: Resource) -> set[str]:
    """Every known value that names ``resource``."""
    names = {identifier(resource, key) for key in IDENTIFIER_KEYS}
    return {n for n in names if isinstance(n, str) and n}


@dataclass
class Link:
    """Where one input's reference values lead."""

    targets: list[Resource] = field(default_factory=list)
    """Resources the input names: a known matching value, or a dependency with an unknown value."""
    maybe: list[Resource] = field(default_factory=list)
    """Resources it might name: a preview cannot tell (unknown value or unknown identifiers)."""
    mismatched: list[Resource] = field(default_factory=list)
    """Dependencies whose identifier is known but that no known value names (not targets)."""
    uncompared: list[Resource] = field(default_factory=list)
    """Dependencies a known value could not be compared with (their identifier is unknown)."""
    unresolved: bool = False
    """A value is unknown and has no dependency: it could name anything, inside the stack or not."""
    external: list[str] = field(default_factory=list)
    """Known values that name nothing in the stack (an existing resource)."""

    def leads_to(self, resource: Resource) -> bool:
        return any(r.urn == resource.urn for r in self.targets)


def _follow_unknown(link: Link, deps: list[Resource]) -> None:
    """An unknown value came from its dependency, if it has exactly one."""
    if len(deps) == 1:
        link.targets.append(deps[0])
    elif deps:
        link.maybe.extend(deps)
    else:
        link.unresolved = True


def _follow_known(link: Link, value: str, candidates: list[Resource], key: str) -> set[str]:
    """A known value names the candidates it equals (the URNs named); else maybe or nothing."""
    matches = [c for c in candidates if value in identifiers(c)]
    link.targets.extend(matches)
    if not matches:
        unknown_ids = [c for c in candidates if is_unknown(identifier(c, key))]
        link.maybe.extend(unknown_ids)
        if not unknown_ids:
            link.external.append(value)
    return {c.urn for c in matches}


def _check_dependencies(link: Link, deps: list[Resource], named: set[str], key: str) -> None:
    """Each dependency no known value names: a mismatch if its identifier is known, else trusted."""
    for dep in deps:
        if dep.urn in named:
            continue
        own = identifier(dep, key)
        if isinstance(own, str) and own:
            link.mismatched.append(dep)  # the value names something else: not a link
        elif dep not in link.targets:
            link.targets.append(dep)  # nothing to compare with: the dependency decides
            link.uncompared.append(dep)
            link.external = []  # the value came from it
            link.maybe = [m for m in link.maybe if m.urn != dep.urn]


def resolve(
    source: Resource, prop: str, values: Iterable[Any], candidates: list[Resource], key: str
) -> Link:
    """Follow the reference ``values`` found in input ``prop`` of ``source`` to ``candidates``."""
    urns = set(source.property_dependencies.get(prop, []))
    deps = [c for c in candidates if c.urn in urns]
    link = Link()
    named: set[str] = set()
    all_known = True
    for value in values:
        if is_unknown(value):
            all_known = False
            _follow_unknown(link, deps)
        elif isinstance(value, str) and value:
            named |= _follow_known(link, value, candidates, key)
    if all_known:
        _check_dependencies(link, deps, named, key)
    return link


# ---- the references the guardrails follow -------------------------------------------------
def _flat(value: Any) -> list[Any]:
    items = as_list(value)
    return [value] if items is None else items


def _top(prop: str) -> Callable[[Resource], list[Any]]:
    return lambda r: _flat(r.get(prop))


def _inline_prefix_lists(group: Resource) -> list[Any]:
    values: list[Any] = []
    for rule in _flat(group.get("ingress")):
        fields = as_dict(rule)
        values.extend(_flat(fields.get("prefixListIds")) if fields is not None else [rule])
    return [v for v in values if v is not None]


def _access_log_bucket(lb: Resource) -> list[Any]:
    logs = as_dict(lb.get("accessLogs"))
    return [logs] if logs is None else [logs.get("bucket")]


@dataclass(frozen=True)
class LinkSpec:
    """An input of ``sources`` that names a resource of ``targets`` by its ``key``."""

    sources: frozenset[str]
    prop: str
    targets: frozenset[str]
    key: str
    values: Callable[[Resource], list[Any]]

    def follow(self, source: Resource, resources: list[Resource]) -> Link:
        candidates = [r for r in resources if r.type in self.targets]
        found = [v for v in self.values(source) if v is not None]
        return resolve(source, self.prop, found, candidates, self.key)


def spec(sources: Iterable[str], prop: str, targets: Iterable[str], key: str) -> LinkSpec:
    return LinkSpec(frozenset(sources), prop, frozenset(targets), key, _top(prop))


LISTENER_LB = spec(t.LISTENERS, "loadBalancerArn", t.LOAD_BALANCERS, "arn")
RULE_LISTENER = spec(t.LISTENER_RULES, "listenerArn", t.LISTENERS, "arn")
RULE_GROUP = spec(t.STANDALONE_RULES, "securityGroupId", t.SECURITY_GROUPS, "id")
SIDE_BUCKET = spec(t.BUCKET_SIDE_RESOURCES, "bucket", t.BUCKETS, "bucket")
WAF_LB = spec(t.WAF_ASSOCIATIONS, "resourceArn", t.LOAD_BALANCERS, "arn")
ATTACHMENT_ASG = spec(t.ASG_ATTACHMENTS, "autoscalingGroupName", {t.ASG}, "name")
ASG_TARGET_GROUPS = spec({t.ASG}, "targetGroupArns", t.TARGET_GROUPS, "arn")
ENTRY_PREFIX_LIST = spec({t.PREFIX_LIST_ENTRY}, "prefixListId", {t.PREFIX_LIST}, "id")
SG_RULE_PREFIX_LISTS = spec({t.SG_RULE}, "prefixListIds", {t.PREFIX_LIST}, "id")
INGRESS_PREFIX_LIST = spec({t.SG_INGRESS}, "prefixListId", {t.PREFIX_LIST}, "id")
INLINE_PREFIX_LISTS = LinkSpec(
    t.SECURITY_GROUPS, "ingress", frozenset({t.PREFIX_LIST}), "id", _inline_prefix_lists
)
LB_LOG_BUCKET = LinkSpec(t.LOAD_BALANCERS, "accessLogs", t.BUCKETS, "bucket", _access_log_bucket)
INSTANCE_SUBNET = spec(t.INSTANCE_LIKE, "subnetId", {t.SUBNET}, "id")
ASG_SUBNETS = spec({t.ASG}, "vpcZoneIdentifiers", {t.SUBNET}, "id")

LINKS = (
    LISTENER_LB,
    RULE_LISTENER,
    RULE_GROUP,
    SIDE_BUCKET,
    WAF_LB,
    ATTACHMENT_ASG,
    ASG_TARGET_GROUPS,
    ENTRY_PREFIX_LIST,
    SG_RULE_PREFIX_LISTS,
    INGRESS_PREFIX_LIST,
    INLINE_PREFIX_LISTS,
    LB_LOG_BUCKET,
    INSTANCE_SUBNET,
    ASG_SUBNETS,
)
"""Every reference a guardrail follows; ``resource-links-consistent`` checks them all."""
