"""How an ALB listener routes a request, from the ELBv2 API's own answers (``DescribeRules``).

The one question, for ``make verify`` and any later feature (weighted rollouts): *which target groups,
with which weights, does this request reach?* :func:`reach` answers it the way the ALB does: rules in
priority order, the default rule last; a rule matches when all its conditions match, a condition when
one of its values does; the rule's last action decides (authentication actions come before it).

Condition semantics (ELBv2 ``RuleCondition``): path patterns are case-sensitive and compared with the
path only; host headers, HTTP header values and query strings are case-insensitive; ``*`` and ``?``
are wildcards in all four; methods are exact and case-sensitive; source IPs are CIDR blocks compared
with the client's address (never ``X-Forwarded-For``). ``RegexValues`` are searched (a pattern that
must match the whole value says so with ``^...$``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tooling.verify.patterns import glob_match, globs_overlap

DEFAULT_PRIORITY = 50001
"""Where the default rule sorts: after every numbered rule (1-50000)."""
TERMINAL_ACTIONS = ("forward", "redirect", "fixed-response")


@dataclass(frozen=True)
class Request:
    """One HTTP request as the listener sees it. ``source_ip`` None: a client no rule names."""

    host: str
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    source_ip: str | None = None

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        extra = "".join(f" [{name}: {value}]" for name, value in self.headers)
        return f"{self.method} {self.host}{self.path}" + (f"?{query}" if query else "") + extra


@dataclass(frozen=True)
class Reach:
    """Where a request goes: the rule that took it, its final action and, for a forward, the
    target groups with their weights (``ForwardConfig.TargetGroups[].Weight``, 0-999)."""

    rule: Mapping[str, Any] | None
    """The matching rule (``None``: the listener has neither a matching rule nor default actions)."""
    action: Mapping[str, Any] | None
    weights: dict[str, int] = field(default_factory=dict)
    """Target group ARN -> weight, in the action's order; empty unless the action forwards."""
    before: tuple[str, ...] = ()
    """Action types performed first (``authenticate-oidc``...)."""

    @property
    def priority(self) -> str:
        return str(self.rule.get("Priority", "default")) if self.rule is not None else "none"

    @property
    def kind(self) -> str:
        return str(self.action.get("Type", "?")) if self.action is not None else "none"

    @property
    def total_weight(self) -> int:
        return sum(self.weights.values())

    def reaches(self, target_group_arn: str) -> bool:
        """Traffic gets there: the group is forwarded to with a weight above 0."""
        return self.weights.get(target_group_arn, 0) > 0

    def share(self, target_group_arn: str) -> float:
        total = self.total_weight
        return self.weights.get(target_group_arn, 0) / total if total else 0.0


def priority_of(rule: Mapping[str, Any]) -> int:
    try:
        return int(rule.get("Priority", ""))
    except ValueError:
        return DEFAULT_PRIORITY


def in_order(rules: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The order the ALB evaluates them in: by priority, the default rule last."""
    return sorted(rules, key=lambda r: (bool(r.get("IsDefault")), priority_of(r)))


def weights_of(action: Mapping[str, Any]) -> dict[str, int]:
    """A forward's target groups and weights: ``ForwardConfig`` if given, else ``TargetGroupArn``
    (AWS lists a one-group forward both ways; an omitted weight is 1)."""
    if action.get("Type") != "forward":
        return {}
    groups = action.get("ForwardConfig", {}).get("TargetGroups") or []
    if groups:
        return {str(g["TargetGroupArn"]): int(g.get("Weight", 1)) for g in groups}
    arn = action.get("TargetGroupArn")
    return {str(arn): 1} if arn else {}


def final_action(
    actions: Sequence[Mapping[str, Any]],
) -> tuple[Mapping[str, Any] | None, tuple[str, ...]]:
    """The action that ends the request, and the types performed before it, by ``Order``."""
    ordered = sorted(enumerate(actions), key=lambda pair: (pair[1].get("Order", 0), pair[0]))
    steps = [action for _, action in ordered]
    terminal = next((a for a in reversed(steps) if a.get("Type") in TERMINAL_ACTIONS), None)
    before = tuple(str(a.get("Type")) for a in steps if a is not terminal)
    return terminal, before


def _values(condition: Mapping[str, Any], config: str) -> tuple[list[str], list[str]]:
    """(wildcard values, regex values) of a condition, the legacy top-level ``Values`` included."""
    block = condition.get(config) or {}
    values = list(block.get("Values") or condition.get("Values") or [])
    return values, list(block.get("RegexValues") or [])


def _text_matches(values: list[str], regexes: list[str], text: str, *, ignore_case: bool) -> bool:
    flags = re.IGNORECASE if ignore_case else 0
    return any(glob_match(v, text, ignore_case=ignore_case) for v in values) or any(
        re.search(r, text, flags) for r in regexes
    )


def _host(request: Request) -> str:
    return re.sub(r":\d+$", "", request.host)


def _query_matches(condition: Mapping[str, Any], request: Request) -> bool:
    pairs = (condition.get("QueryStringConfig") or {}).get("Values") or []
    return any(
        any(
            ("Key" not in pair or glob_match(pair["Key"], key, ignore_case=True))
            and glob_match(pair.get("Value", "*"), value, ignore_case=True)
            for key, value in request.query
        )
        for pair in pairs
    )


def _header_matches(condition: Mapping[str, Any], request: Request) -> bool:
    block = condition.get("HttpHeaderConfig") or {}
    name = str(block.get("HttpHeaderName", "")).lower()
    values, regexes = _values(condition, "HttpHeaderConfig")
    return any(
        _text_matches(values, regexes, value, ignore_case=True)
        for header, value in request.headers
        if header.lower() == name
    )


def _source_matches(condition: Mapping[str, Any], request: Request) -> bool:
    if request.source_ip is None:
        return False
    address = ipaddress.ip_address(request.source_ip)
    blocks = (condition.get("SourceIpConfig") or {}).get("Values") or []
    return any(address in ipaddress.ip_network(block, strict=False) for block in blocks)


def condition_matches(condition: Mapping[str, Any], request: Request) -> bool:
    field_name = condition.get("Field")
    if field_name == "path-pattern":
        values, regexes = _values(condition, "PathPatternConfig")
        return _text_matches(values, regexes, request.path, ignore_case=False)
    if field_name == "host-header":
        values, regexes = _values(condition, "HostHeaderConfig")
        return _text_matches(values, regexes, _host(request), ignore_case=True)
    if field_name == "http-request-method":
        methods = (condition.get("HttpRequestMethodConfig") or {}).get("Values") or []
        return request.method in methods
    if field_name == "http-header":
        return _header_matches(condition, request)
    if field_name == "query-string":
        return _query_matches(condition, request)
    if field_name == "source-ip":
        return _source_matches(condition, request)
    return (
        False  # a condition type this evaluator does not know never matches: reported, not guessed
    )


def rule_matches(rule: Mapping[str, Any], request: Request) -> bool:
    return bool(rule.get("IsDefault")) or all(
        condition_matches(c, request) for c in rule.get("Conditions", [])
    )


def reach(
    listener: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], request: Request
) -> Reach:
    """Which rule of ``listener`` takes ``request``, and which target groups with which weights it
    forwards to. ``rules`` is ``DescribeRules``' answer (the default rule included); a listener
    without a default rule in it falls back to its ``DefaultActions``."""
    for rule in in_order(rules):
        if rule_matches(rule, request):
            action, before = final_action(rule.get("Actions", []))
            return Reach(rule, action, weights_of(action) if action else {}, before)
    defaults = listener.get("DefaultActions") or []
    if not defaults:
        return Reach(None, None)
    action, before = final_action(defaults)
    default_rule = {"Priority": "default", "IsDefault": True, "Actions": defaults}
    return Reach(default_rule, action, weights_of(action) if action else {}, before)


# ---- the set of requests a route covers -------------------------------------------------------


@dataclass(frozen=True)
class RouteSpace:
    """Every request a model's route is meant to take: paths matching ``paths`` (any path if empty)
    on hosts matching ``hosts`` (any host if empty), with any method, header, query or client."""

    paths: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


def could_take(rule: Mapping[str, Any], space: RouteSpace) -> bool:
    """Some request of ``space`` can satisfy every condition of ``rule``: its path and host
    conditions overlap the space, and headers, methods, queries and clients can be anything."""
    for condition in rule.get("Conditions", []):
        field_name = condition.get("Field")
        if field_name == "path-pattern" and space.paths:
            values, regexes = _values(condition, "PathPatternConfig")
            if not regexes and not any(globs_overlap(v, p) for v in values for p in space.paths):
                return False
        if field_name == "host-header" and space.hosts:
            values, regexes = _values(condition, "HostHeaderConfig")
            if not regexes and not any(
                globs_overlap(v, h, ignore_case=True) for v in values for h in space.hosts
            ):
                return False
    return True


def describe_conditions(rule: Mapping[str, Any]) -> str:
    """``path /v1/*; method POST`` -- the rule's conditions as one short phrase."""
    parts: list[str] = []
    for condition in rule.get("Conditions", []):
        field_name = str(condition.get("Field"))
        parts.append(f"{_LABELS.get(field_name, field_name)} {_condition_values(condition)}")
    return "; ".join(parts) or ("default" if rule.get("IsDefault") else "no conditions")


_LABELS = {
    "path-pattern": "path",
    "host-header": "host",
    "http-request-method": "method",
    "http-header": "header",
    "query-string": "query",
    "source-ip": "source",
}
_CONFIGS = {
    "path-pattern": "PathPatternConfig",
    "host-header": "HostHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "http-header": "HttpHeaderConfig",
    "source-ip": "SourceIpConfig",
}


def _condition_values(condition: Mapping[str, Any]) -> str:
    field_name = str(condition.get("Field"))
    if field_name == "query-string":
        pairs = (condition.get("QueryStringConfig") or {}).get("Values") or []
        return ", ".join(
            f"{p['Key']}={p.get('Value', '')}" if "Key" in p else str(p.get("Value")) for p in pairs
        )
    values, regexes = _values(condition, _CONFIGS.get(field_name, ""))
    shown = ", ".join(values + [f"~{r}" for r in regexes])
    if field_name == "http-header":
        name = (condition.get("HttpHeaderConfig") or {}).get("HttpHeaderName", "?")
        return f"{name}: {shown}"
    return shown
