"""IAM policy documents read for what they do, in every valid spelling.

IAM accepts a statement as an object or a list, ``Action``/``Resource`` as a string or a list,
condition keys in any case (``aws:securetransport``), condition values as a string, a boolean or a
list (``"false"``, ``false``, ``["false"]``) and the ``...IfExists`` operators. The readers below
accept all of them, and answer ``None`` when a preview does not know a value that decides.
"""

from __future__ import annotations

import json
import re
from typing import Any

from guardrails.values import as_dict, has_unknown, is_unknown
from shared.cidrs import covers_world, parse_cidr

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
NARROWING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
    )
)
"""Condition keys that limit who a ``Principal: "*"`` statement lets in."""


def field(mapping: dict[str, Any], name: str) -> Any:
    """An element by name in any case (``Effect``, ``effect``)."""
    for key, value in mapping.items():
        if key.lower() == name.lower():
            return value
    return None


def as_items(value: Any) -> list[Any]:
    """A string-or-list element as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: Any) -> list[dict[str, Any]] | None:
    """A policy document's statements; ``None`` if a preview does not know them."""
    if is_unknown(document):
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return []
    fields = as_dict(document)
    if fields is None:
        return None
    found = field(fields, "Statement")
    if is_unknown(found):
        return None
    return [s if isinstance(s, dict) else {} for s in as_items(found)]


def _matches(pattern: str, value: str) -> bool:
    """IAM's wildcard match: ``*`` any run of characters (``/`` too), ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _all_principals(statement: dict[str, Any]) -> bool | None:
    if field(statement, "NotPrincipal") is not None:
        return False
    principal = field(statement, "Principal")
    if has_unknown(principal):
        return None
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_items(field(principal, "AWS"))
    return False


def _condition_value_false(value: Any) -> bool:
    return any(
        v is False or (isinstance(v, str) and v.strip().lower() == "false") for v in as_items(value)
    )


def _only_insecure_transport(condition: Any) -> bool:
    """The condition is exactly ``Bool`` (or ``BoolIfExists``) ``aws:SecureTransport: false``."""
    if not isinstance(condition, dict) or len(condition) != 1:
        return False  # no condition denies everything (fine for TLS, but not this statement's job)
    ((operator, keys),) = condition.items()
    if operator.lower() not in ("bool", "boolifexists") or not isinstance(keys, dict):
        return False
    if len(keys) != 1:
        return False  # another key narrows the deny (conditions are ANDed)
    ((key, value),) = keys.items()
    return key.lower() == "aws:securetransport" and _condition_value_false(value)


def denies_insecure_transport(statement: dict[str, Any], resource_arns: list[str]) -> bool | None:
    """True if ``statement`` denies everyone every S3 action on all of ``resource_arns`` without TLS."""
    if has_unknown(statement):
        return None
    effect = field(statement, "Effect")
    if not isinstance(effect, str) or effect.lower() != "deny":
        return False
    if any(field(statement, k) is not None for k in ("NotAction", "NotResource")):
        return False
    actions = [str(a).lower() for a in as_items(field(statement, "Action"))]
    if not any(a in ("s3:*", "*") for a in actions) or not _all_principals(statement):
        return False
    patterns = [str(p) for p in as_items(field(statement, "Resource"))]
    if not all(any(_matches(p, arn) for p in patterns) for arn in resource_arns):
        return False
    return _only_insecure_transport(field(statement, "Condition"))


def _narrows(operator: str, key: str, values: Any) -> bool:
    """A condition entry that limits who gets in (not a negated operator, not ``IfExists``)."""
    name = operator.lower().split(":")[-1]
    if "not" in name or name.endswith("ifexists"):
        return False
    if key.lower() == "aws:sourceip":
        cidrs = [str(v) for v in as_items(values)]
        return bool(cidrs) and all(parse_cidr(c) for c in cidrs) and not covers_world(cidrs)
    return key.lower() in NARROWING_KEYS


def allows_everyone(statement: dict[str, Any]) -> bool | None:
    """True if ``statement`` allows ``Principal: "*"`` with no condition narrowing who."""
    if has_unknown(statement):
        return None
    effect = field(statement, "Effect")
    if not isinstance(effect, str) or effect.lower() != "allow" or not _all_principals(statement):
        return False
    condition = field(statement, "Condition")
    entries = [
        (operator, key, values)
        for operator, keys in (condition.items() if isinstance(condition, dict) else [])
        if isinstance(keys, dict)
        for key, values in keys.items()
    ]
    return not any(_narrows(op, key, values) for op, key, values in entries)
