"""Lint IAM documents with parliament (pinned in requirements.txt), with the few findings that
are wrong for these documents accepted for a stated reason."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from parliament import analyze_policy_string, enhance_finding, is_arn_match


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted(documents: Iterable[dict[str, Any]], action: str, arn_format: str) -> bool:
    """Some Allow statement of the role grants ``action`` on a resource of ``arn_format``."""
    for doc in documents:
        for statement in doc["Statement"]:
            if statement["Effect"] != "Allow" or action not in _listed(statement["Action"]):
                continue
            if any(is_arn_match("", arn_format, r) for r in _listed(statement["Resource"])):
                return True
    return False


def _split_statement_is_whole(detail: list[dict[str, str]], role: list[dict[str, Any]]) -> bool:
    """RESOURCE_MISMATCH wants every resource of a call in one statement; AWS evaluates each
    resource on its own, so a create names its new resource (request tags) in one statement
    and the existing ones it touches (resource tags) in another. Accepted when the role as a
    whole grants each (the ELB ``/net/`` forms are alternatives of the ``/app/`` ones)."""
    for item in detail:
        action, arn_format = item["action"], item["required_format"]
        alternative = arn_format.replace("/net/", "/app/")
        if not (granted(role, action, arn_format) or granted(role, action, alternative)):
            return False
    return True


def findings(
    doc: dict[str, Any], role: list[dict[str, Any]], *, kind: str = "identity"
) -> list[str]:
    """Parliament's findings on ``doc`` that are real, as ``ISSUE: detail`` lines.

    ``kind``: ``identity`` (a role's policy), ``key`` (a KMS key policy, where ``Resource: "*"``
    means the key itself) or ``trust`` (a role's trust policy, which has no Resource, and whose
    federation source, GitHub, parliament does not know).
    """
    real = []
    for raw in analyze_policy_string(json.dumps(doc)).findings:
        finding = enhance_finding(raw)
        issue = finding.issue
        if issue == "RESOURCE_MISMATCH" and _split_statement_is_whole(finding.detail, role):
            continue
        if kind == "key" and issue == "RESOURCE_STAR":
            continue
        if kind == "trust" and issue in ("MALFORMED", "UNKNOWN_FEDERATION_SOURCE"):
            continue
        if issue == "RESOURCE_POLICY_PRIVILEGE_ESCALATION" and "serving-" in str(finding.detail):
            # s3:PutBucketPolicy on the env's own log buckets: the stack writes their TLS-only
            # and log-delivery policy; at worst a role reaches its own env's access logs.
            continue
        real.append(f"{issue}: {finding.detail}")
    return real
