"""Log bucket guardrails: public access blocked, SSE-S3, TLS-only policy, ACLs disabled.

Buckets are configured by side resources; each is linked to its bucket through the property
dependency of its ``bucket`` input (known in a preview, unlike the bucket's name or ARN).
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import Severity

from guardrails.meta import Guardrail, Resource, is_unknown, stack_policy
from guardrails.types import BUCKET_POLICY, BUCKETS, OWNERSHIP, PUBLIC_ACCESS_BLOCK, SSE

BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _side(
    resources: list[Resource], bucket: Resource, types: frozenset[str] | str
) -> list[Resource]:
    wanted = {types} if isinstance(types, str) else types
    return [r for r in resources if r.type in wanted and r.linked_to(bucket, "bucket")]


def _buckets(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r.type in BUCKETS]


PUBLIC_ACCESS = Guardrail(
    name="s3-public-access-blocked",
    description="Buckets block all public access (all four public access block flags on).",
    severity=Severity.HIGH,
    controls=("SecurityHub S3.8", "CKV2_AWS_6"),
    remediation="Add an aws.s3.BucketPublicAccessBlock with all four flags true for the bucket.",
)


def check_public_access(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for bucket in _buckets(resources):
        blocks = _side(resources, bucket, PUBLIC_ACCESS_BLOCK)
        if not blocks:
            violations.append((bucket, f"bucket {bucket.name} has no public access block"))
            continue
        off = [
            f
            for f in BLOCK_FLAGS
            if not any(b.get(f) is True or is_unknown(b.get(f)) for b in blocks)
        ]
        if off:
            violations.append(
                (bucket, f"bucket {bucket.name}: public access block leaves {', '.join(off)} off")
            )
    return violations


SSE_S3 = Guardrail(
    name="s3-sse-s3",
    description="Buckets are encrypted with SSE-S3 (ALB log delivery does not support SSE-KMS).",
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.4", "CKV_AWS_145"),
    remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm AES256.",
)


def check_sse(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for bucket in _buckets(resources):
        configs = _side(resources, bucket, SSE)
        if not configs:
            violations.append(
                (bucket, f"bucket {bucket.name} has no server-side encryption configuration")
            )
            continue
        for config in configs:
            for rule in config.get("rules", default=[]) or []:
                algorithm = ((rule or {}).get("applyServerSideEncryptionByDefault") or {}).get(
                    "sseAlgorithm"
                )
                if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
                    violations.append(
                        (
                            bucket,
                            f"bucket {bucket.name} uses {algorithm}: ALB access-log delivery fails with SSE-KMS; use AES256",
                        )
                    )
    return violations


def _denies_insecure_transport(document: Any) -> bool:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return False
    statements = (document or {}).get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        condition = (statement or {}).get("Condition", {}).get("Bool", {})
        if (
            statement.get("Effect") == "Deny"
            and str(condition.get("aws:SecureTransport")).lower() == "false"
        ):
            return True
    return False


TLS_ONLY = Guardrail(
    name="s3-tls-only",
    description="Bucket policies deny requests that do not use TLS.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.5", "CKV_AWS_70"),
    remediation="Add a Deny statement on s3:* with Condition Bool aws:SecureTransport = false to the bucket policy.",
)


def check_tls_only(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for bucket in _buckets(resources):
        policies = _side(resources, bucket, BUCKET_POLICY)
        if any(is_unknown(p.get("policy")) for p in policies):
            continue  # the document is computed during the update; it is checked then
        if not any(_denies_insecure_transport(p.get("policy")) for p in policies):
            violations.append(
                (bucket, f"bucket {bucket.name} has no policy denying non-TLS requests")
            )
    return violations


ACLS_DISABLED = Guardrail(
    name="s3-acls-disabled",
    description="Buckets disable ACLs (object ownership BucketOwnerEnforced).",
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.12", "CKV2_AWS_65"),
    remediation="Add an aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
)


def check_acls_disabled(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for bucket in _buckets(resources):
        controls = _side(resources, bucket, OWNERSHIP)
        owners = [
            (c.get("rule") or {}).get("objectOwnership")
            if not is_unknown(c.get("rule"))
            else "unknown"
            for c in controls
        ]
        if not any(o in ("BucketOwnerEnforced", "unknown") for o in owners):
            violations.append(
                (
                    bucket,
                    f"bucket {bucket.name} still allows ACLs (object ownership is not BucketOwnerEnforced)",
                )
            )
    return violations


POLICIES = [
    stack_policy(PUBLIC_ACCESS, check_public_access),
    stack_policy(SSE_S3, check_sse),
    stack_policy(TLS_ONLY, check_tls_only),
    stack_policy(ACLS_DISABLED, check_acls_disabled),
]
GUARDRAILS = [PUBLIC_ACCESS, SSE_S3, TLS_ONLY, ACLS_DISABLED]
