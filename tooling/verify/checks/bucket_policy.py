"""The access-log bucket's policy: plain HTTP denied to everyone, and ELB log delivery allowed to
write under each log prefix (IAM wildcards in resources, as AWS evaluates them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.serving_outputs import ServingOutputs
from tooling.verify.bucket_view import BucketView
from tooling.verify.checks.bucket_common import GROUP, bucket_fix, log_prefix
from tooling.verify.checks.record import Check, check
from tooling.verify.outputs import partition_of, region_of
from tooling.verify.patterns import glob_match


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _statements(policy: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    return _listed((policy or {}).get("Statement"))


def _covers(patterns: Any, value: str, *, ignore_case: bool = False) -> bool:
    return any(glob_match(str(p), value, ignore_case=ignore_case) for p in _listed(patterns))


def _everyone(principal: Any) -> bool:
    return principal == "*" or (
        isinstance(principal, Mapping) and "*" in _listed(principal.get("AWS"))
    )


def _denies_plain_http(statement: Mapping[str, Any], bucket_arn: str) -> bool:
    conditions = {
        k.lower(): v for k, v in (statement.get("Condition") or {}).get("Bool", {}).items()
    }
    secure = [str(v).lower() for v in _listed(conditions.get("aws:securetransport"))]
    return (
        statement.get("Effect") == "Deny"
        and _everyone(statement.get("Principal"))
        and any(str(a) in ("*", "s3:*") for a in _listed(statement.get("Action")))
        and _covers(statement.get("Resource"), bucket_arn)
        and _covers(statement.get("Resource"), f"{bucket_arn}/any/key")
        and secure == ["false"]
    )


def tls_only_check(view: BucketView, outputs: ServingOutputs) -> Check:
    arn = f"arn:{partition_of(outputs.alb_arn)}:s3:::{view.name}"
    ok = any(_denies_plain_http(s, arn) for s in _statements(view.policy))
    actual = (
        "denies plain HTTP"
        if ok
        else ("no bucket policy" if view.policy is None else "no such statement")
    )
    return check(
        GROUP, "TLS-only policy", ok, actual + ("" if ok else " (expected a Deny of s3:* when aws:SecureTransport is false)"),
        actual=actual, expected="Deny s3:* to * when aws:SecureTransport is false",
        fix=bucket_fix(outputs, "TLS-only bucket policy"),
    )  # fmt: skip


def _writes(statement: Mapping[str, Any], writer: Mapping[str, str] | None, key_arn: str) -> bool:
    principal = statement.get("Principal")
    if writer is not None:
        granted = isinstance(principal, Mapping) and all(
            value in _listed(principal.get(kind)) for kind, value in writer.items()
        )
    else:
        granted = principal is not None
    return (
        statement.get("Effect") == "Allow"
        and granted
        and _covers(statement.get("Action"), "s3:PutObject", ignore_case=True)
        and _covers(statement.get("Resource"), key_arn)
    )


def log_delivery_check(view: BucketView, outputs: ServingOutputs, prefixes: list[str]) -> Check:
    settings = outputs.log_bucket_settings
    arn = f"arn:{partition_of(outputs.alb_arn)}:s3:::{view.name}"
    region = region_of(outputs)
    keys = [
        f"{arn}/{log_prefix(outputs, p)}elasticloadbalancing/{region}/2026/01/01/x.log.gz"
        for p in prefixes
    ]
    missing = [
        p for p, key in zip(prefixes, keys, strict=True)
        if not any(_writes(s, settings.writer_principal, key) for s in _statements(view.policy))
    ]  # fmt: skip
    writer = settings.writer_principal
    who = ", ".join(f"{k} {v}" for k, v in writer.items()) if writer else "ELB log delivery"
    expected = (
        f"Allow s3:PutObject to {who} under {', '.join(log_prefix(outputs, p) for p in prefixes)}"
    )
    actual = "granted" if not missing else f"not granted under {', '.join(missing)}/"
    if not missing and writer is None:
        return Check(
            GROUP, "log delivery policy", "warn",
            "a grant exists; its principal is not compared: the stack does not export log_bucket_settings.writer_principal",
            actual, expected, "export log_bucket_settings.writer_principal from the serving stack",
        )  # fmt: skip
    return check(
        GROUP, "log delivery policy", not missing, actual + ("" if not missing else f" (expected {expected})"),
        actual=actual, expected=expected, fix=bucket_fix(outputs, "log-delivery bucket policy"),
    )  # fmt: skip
