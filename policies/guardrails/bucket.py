"""Bucket guardrails: public access blocked, nothing granted to everyone, SSE-S3, a TLS-only
policy (judged for what it does, :mod:`guardrails.iam`), ACLs disabled.

Buckets are configured by side resources (public access block, encryption, policy, ownership,
ACL); each is linked to its bucket by the property dependency of its ``bucket`` input or by the
bucket's name (:data:`guardrails.links.SIDE_BUCKET`).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails import iam_documents as iam
from guardrails import links
from guardrails import types as t
from guardrails.adapters import stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.normalize import lower
from guardrails.resource import Resource
from guardrails.values import as_bool, as_dict, as_list, is_unknown

BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


class _Sides:
    """Each bucket's side resources in one stack, and the ones a preview cannot place."""

    def __init__(self, resources: list[Resource]) -> None:
        self.resources = resources
        self.links = [
            (r, links.SIDE_BUCKET.follow(r, resources))
            for r in resources
            if r.type in t.BUCKET_SIDE_RESOURCES
        ]

    def of(self, bucket: Resource, types: frozenset[str] | str) -> tuple[list[Resource], bool]:
        """The side resources of ``types`` that configure ``bucket``, and whether some might."""
        wanted = {types} if isinstance(types, str) else types
        sides = [r for r, link in self.links if r.type in wanted and link.leads_to(bucket)]
        maybe = any(
            r.type in wanted and (link.unresolved or any(m.urn == bucket.urn for m in link.maybe))
            for r, link in self.links
            if not link.leads_to(bucket)
        )
        return sides, maybe


def buckets(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r.type in t.BUCKETS]


def bucket_arns(bucket: Resource) -> list[str] | None:
    """The ARNs a TLS-only deny must cover: the bucket and (two probes of) every object in it."""
    name = links.identifier(bucket, "bucket")
    if not isinstance(name, str) or not name:
        return None
    arn = bucket.get("arn")
    base = arn if isinstance(arn, str) and arn.startswith("arn:") else f"arn:aws:s3:::{name}"
    return [base, f"{base}/*", f"{base}/any/key.log"]


PUBLIC_ACCESS = Guardrail(
    name="s3-public-access-blocked",
    description="Buckets block all public access (all four public access block flags on).",
    severity=Severity.HIGH,
    controls=("SecurityHub S3.8", "CKV2_AWS_6"),
    remediation="Add an aws.s3.BucketPublicAccessBlock with all four flags true for the bucket.",
    sees=(sees(t.BUCKETS, "bucket", "arn"), sees(t.PUBLIC_ACCESS_BLOCK, "bucket", *BLOCK_FLAGS)),
)


def check_public_access(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    sides = _Sides(resources)
    found: list[tuple[Resource, Finding]] = []
    for bucket in buckets(resources):
        blocks, maybe = sides.of(bucket, t.PUBLIC_ACCESS_BLOCK)
        if not blocks:
            found.append(
                (bucket, Unverified("the bucket input of a public access block"))
                if maybe
                else (bucket, f"bucket {bucket.name} has no public access block")
            )
            continue
        off = [f for f in BLOCK_FLAGS if not any(as_bool(b.get(f)) is True for b in blocks)]
        unknown = [f for f in off if any(is_unknown(b.get(f)) for b in blocks)]
        if unknown:
            found.append((bucket, Unverified(", ".join(unknown))))
        if off and not unknown:
            found.append(
                (bucket, f"bucket {bucket.name}: public access block leaves {', '.join(off)} off")
            )
    return found


NO_PUBLIC_GRANTS = Guardrail(
    name="s3-no-public-grants",
    description='No bucket grants access to everyone: no public canned ACL or AllUsers/AuthenticatedUsers grant, no Allow to Principal "*" without a condition that narrows who.',
    severity=Severity.CRITICAL,
    controls=("SecurityHub S3.2", "SecurityHub S3.3", "CKV_AWS_20", "CKV_AWS_57"),
    remediation="Remove the public ACL or grant; name the principal (or add aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID) in the policy.",
    sees=(
        sees(t.BUCKETS, "acl", "grants[].uri", "policy"),
        sees(t.BUCKET_ACLS, "bucket", "acl", "accessControlPolicy.grants[].grantee.uri"),
        sees(t.BUCKET_POLICY, "bucket", "policy"),
    ),
)


def _acl_findings(resource: Resource, grants: Any) -> list[Finding]:
    acl = lower(resource.get("acl"))
    found: list[Finding] = []
    if is_unknown(acl):
        found.append(Unverified("acl"))
    elif acl in iam.PUBLIC_ACLS:
        found.append(f"{resource.name} sets the canned ACL {acl}")
    items = as_list(grants)
    if items is None:
        return [*found, Unverified("grants")]
    for grant in items:
        fields = as_dict(grant) or {}
        grantee = as_dict(fields.get("grantee")) or fields
        uri = grantee.get("uri")
        if is_unknown(uri):
            found.append(Unverified("a grantee"))
        elif uri in iam.PUBLIC_GRANTEES:
            found.append(
                f"{resource.name} grants {fields.get('permission', 'access')} to {uri.rsplit('/', 1)[-1]}"
            )
    return found


def _policy_findings(owner: Resource, document: Any) -> list[Finding]:
    statements = iam.statements(document)
    if statements is None:
        return [Unverified("policy")]
    found: list[Finding] = []
    for index, statement in enumerate(statements):
        verdict = iam.allows_everyone(statement)
        if verdict is None:
            found.append(Unverified(f"policy statement {index}"))
        elif verdict:
            found.append(
                f'{owner.name}\'s policy allows Principal "*" (statement {index}) with no condition narrowing who'
            )
    return found


def check_public_grants(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    sides = _Sides(resources)
    found: list[tuple[Resource, Finding]] = []
    for bucket in buckets(resources):
        findings = _acl_findings(bucket, bucket.get("grants"))
        if bucket.get("policy") is not None:
            findings += _policy_findings(bucket, bucket.get("policy"))
        for acl in sides.of(bucket, t.BUCKET_ACLS)[0]:
            policy = as_dict(acl.get("accessControlPolicy"))
            grants = None if policy is None else policy.get("grants")
            findings += _acl_findings(acl, grants)
        for policy in sides.of(bucket, t.BUCKET_POLICY)[0]:
            findings += _policy_findings(policy, policy.get("policy"))
        found += [
            (bucket, f if isinstance(f, Unverified) else f"bucket {bucket.name}: {f}")
            for f in findings
        ]
    return found


SSE_S3 = Guardrail(
    name="s3-sse-s3",
    description="Buckets are encrypted with SSE-S3 (ALB log delivery does not support SSE-KMS).",
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.4", "CKV_AWS_19"),
    remediation="Add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm AES256.",
    sees=(
        sees(t.BUCKETS, "serverSideEncryptionConfiguration"),
        sees(t.SSE, "bucket", "rules[].applyServerSideEncryptionByDefault.sseAlgorithm"),
    ),
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
        algorithms.append(lower(default.get("sseAlgorithm")))
    return algorithms


def check_sse(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, Finding]]:
    sides = _Sides(resources)
    found: list[tuple[Resource, Finding]] = []
    for bucket in buckets(resources):
        configured, maybe = sides.of(bucket, t.SSE)
        configurations: list[Any] = [{"rules": r.get("rules")} for r in configured]
        inline = bucket.get("serverSideEncryptionConfiguration")
        if inline is not None:
            configurations.append(inline)
        if not configurations:
            found.append(
                (bucket, Unverified("the bucket input of an encryption configuration"))
                if maybe
                else (bucket, f"bucket {bucket.name} has no server-side encryption configuration")
            )
            continue
        for configuration in configurations:
            algorithms = _algorithms(configuration)
            if algorithms is None or any(is_unknown(a) for a in algorithms):
                found.append((bucket, Unverified("sseAlgorithm")))
            for algorithm in algorithms or []:
                if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
                    found.append(
                        (
                            bucket,
                            f"bucket {bucket.name} uses {algorithm}: ALB access-log delivery fails with SSE-KMS; use AES256",
                        )
                    )
    return found


TLS_ONLY = Guardrail(
    name="s3-tls-only",
    description='Each bucket has one policy, and it denies everyone (Principal "*") every S3 action on the bucket and its objects without TLS.',
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.5",),
    remediation='Give the bucket one policy with a Deny statement: Principal "*", Action s3:*, Resource the bucket ARN and ARN/*, Condition Bool aws:SecureTransport false.',
    sees=(sees(t.BUCKETS, "bucket", "arn", "policy"), sees(t.BUCKET_POLICY, "bucket", "policy")),
)


def _tls_verdict(document: Any, arns: list[str] | None) -> bool | None:
    statements = iam.statements(document)
    if statements is None:
        return None
    verdicts = [iam.denies_insecure_transport(s, arns or []) for s in statements]
    if True in verdicts and arns is not None:
        return True
    return None if None in verdicts or arns is None else False


def check_tls_only(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, Finding]]:
    sides = _Sides(resources)
    found: list[tuple[Resource, Finding]] = []
    for bucket in buckets(resources):
        policies, maybe = sides.of(bucket, t.BUCKET_POLICY)
        documents = [p.get("policy") for p in policies]
        if bucket.get("policy") is not None:
            documents.append(bucket.get("policy"))
        if len(documents) > 1:
            found.append(
                (
                    bucket,
                    f"bucket {bucket.name} has {len(documents)} bucket policies: they overwrite "
                    "each other, so which deny holds depends on the order of writes",
                )
            )
        verdicts = [_tls_verdict(d, bucket_arns(bucket)) for d in documents]
        if True in verdicts:
            continue
        if None in verdicts or (maybe and not documents):
            found.append((bucket, Unverified("the bucket policy (or the bucket's name)")))
        else:
            found.append(
                (
                    bucket,
                    f"bucket {bucket.name} has no policy denying non-TLS requests to everyone "
                    "for every S3 action on the bucket and its objects",
                )
            )
    return found


ACLS_DISABLED = Guardrail(
    name="s3-acls-disabled",
    description="Buckets disable ACLs (object ownership BucketOwnerEnforced).",
    severity=Severity.MEDIUM,
    controls=("SecurityHub S3.12", "CKV2_AWS_65"),
    remediation="Add an aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
    sees=(sees(t.BUCKETS, "bucket", "arn"), sees(t.OWNERSHIP, "bucket", "rule.objectOwnership")),
)


def check_acls_disabled(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    sides = _Sides(resources)
    found: list[tuple[Resource, Finding]] = []
    for bucket in buckets(resources):
        controls, maybe = sides.of(bucket, t.OWNERSHIP)
        owners = []
        for control in controls:
            rule = as_dict(control.get("rule"))
            owners.append(None if rule is None else rule.get("objectOwnership"))
        if "BucketOwnerEnforced" in owners:
            continue
        if maybe or any(o is None or is_unknown(o) for o in owners):
            found.append((bucket, Unverified("objectOwnership")))
            continue
        found.append(
            (
                bucket,
                f"bucket {bucket.name} still allows ACLs (object ownership is not BucketOwnerEnforced)",
            )
        )
    return found


POLICIES = [
    stack_policy(PUBLIC_ACCESS, check_public_access),
    stack_policy(NO_PUBLIC_GRANTS, check_public_grants),
    stack_policy(SSE_S3, check_sse),
    stack_policy(TLS_ONLY, check_tls_only),
    stack_policy(ACLS_DISABLED, check_acls_disabled),
]
GUARDRAILS = [PUBLIC_ACCESS, NO_PUBLIC_GRANTS, SSE_S3, TLS_ONLY, ACLS_DISABLED]
