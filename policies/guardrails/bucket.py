"""Log bucket guardrails: public access blocked, SSE-S3, TLS-only policy, ACLs disabled.

Buckets are configured by side resources (public access block, encryption, policy, ownership);
each is linked to its bucket through the property dependency of its ``bucket`` input, which a
preview knows (unlike the bucket's id or ARN), or, failing that, by the same known bucket name.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import stack_policy
from guardrails.meta import Guardrail
from guardrails.resource import Resource
from guardrails.types import BUCKET_POLICY, BUCKETS, OWNERSHIP, PUBLIC_ACCESS_BLOCK, SSE
from guardrails.values import as_bool, as_dict, as_list, has_unknown, is_unknown

BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def configures(side: Resource, bucket: Resource) -> bool:
    if side.linked_to(bucket, "bucket"):
        return True
    name, target = bucket.get("bucket"), side.get("bucket")
    return isinstance(name, str) and bool(name) and name == target


def side_resources(
    resources: list[Resource], bucket: Resource, types: frozenset[str] | str
) -> list[Resource]:
    wanted = {types} if isinstance(types, str) else types
    return [r for r in resources if r.type in wanted and configures(r, bucket)]


def buckets(resources: list[Resource]) -> list[Resource]:
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
    for bucket in buckets(resources):
        blocks = side_resources(resources, bucket, PUBLIC_ACCESS_BLOCK)
        if not blocks:
            violations.append((bucket, f"bucket {bucket.name} has no public access block"))
            continue
        off = [
            flag
            for flag in BLOCK_FLAGS
            if not any(is_unknown(b.get(flag)) or as_bool(b.get(flag)) is True for b in blocks)
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
    controls=("SecurityHub S3.4", "CKV_AWS_19"),
    remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm AES256.",
)


def _algorithms(configuration: Any) -> list[Any] | None:
    """The SSE algorithms of an encryption configuration; ``None`` if a preview cannot know one.

    The side resource holds ``rules`` (a list), the bucket's own (deprecated) block one ``rule``.
    """
    fields = as_dict(configuration)
    rules = None if fields is None else as_list(fields.get("rules"))
    if fields is None or rules is None or is_unknown(fields.get("rule")):
        return None
    if fields.get("rule") is not None:
        rules.append(fields["rule"])
    algorithms = []
    for rule in rules:
        rule_fields = as_dict(rule)
        default = (
            None
            if rule_fields is None
            else as_dict(rule_fields.get("applyServerSideEncryptionByDefault"))
        )
        if default is None:
            return None
        algorithms.append(default.get("sseAlgorithm"))
    return algorithms


def check_sse(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for bucket in buckets(resources):
        configurations = [r.props for r in side_resources(resources, bucket, SSE)]
        inline = bucket.get("serverSideEncryptionConfiguration")
        if inline is not None:
            configurations.append(inline)
        if not configurations:
            violations.append(
                (bucket, f"bucket {bucket.name} has no server-side encryption configuration")
            )
            continue
        for configuration in configurations:
            for algorithm in _algorithms(configuration) or []:
                if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
                    violations.append(
                        (
                            bucket,
                            f"bucket {bucket.name} uses {algorithm}: ALB access-log delivery fails with SSE-KMS; use AES256",
                        )
                    )
    return violations


def _statements(document: Any) -> list[Any] | None:
    """A policy document's statements; ``None`` if it is unknown or not a policy document."""
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
    statements = fields.get("Statement", [])
    if is_unknown(statements):
        return None
    return statements if isinstance(statements, list) else [statements]


def denies_insecure_transport(document: Any) -> bool | None:
    """True if the policy denies requests without TLS; ``None`` if a preview cannot know."""
    statements = _statements(document)
    if statements is None:
        return None
    for statement in statements:
        fields = as_dict(statement) or {}
        conditions = as_dict(fields.get("Condition")) or {}
        secure = (as_dict(conditions.get("Bool")) or {}).get("aws:SecureTransport")
        if fields.get("Effect") == "Deny" and str(secure).lower() == "false":
            return True
    return None if has_unknown(statements) else False


TLS_ONLY = Guardrail(
    name="s3-tls-only",
    description="Bucket policies deny requests that do not use TLS.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.5",),
    remediation="Add a Deny statement on s3:* with Condition Bool aws:SecureTransport = false to the bucket policy.",
)


def check_tls_only(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    violations = []
    for bucket in buckets(resources):
        documents = [p.get("policy") for p in side_resources(resources, bucket, BUCKET_POLICY)]
        if bucket.get("policy") is not None:
            documents.append(bucket.get("policy"))
        verdicts = [denies_insecure_transport(d) for d in documents]
        if None in verdicts or True in verdicts:
            continue  # an unknown document is checked at the update, never guessed
        violations.append((bucket, f"bucket {bucket.name} has no policy denying non-TLS requests"))
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
    for bucket in buckets(resources):
        owners = []
        for controls in side_resources(resources, bucket, OWNERSHIP):
            rule = as_dict(controls.get("rule"))
            owners.append(None if rule is None else rule.get("objectOwnership"))
        if any(o is None or is_unknown(o) or o == "BucketOwnerEnforced" for o in owners):
            continue
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
