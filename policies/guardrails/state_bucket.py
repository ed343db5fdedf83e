"""State bucket guardrails: a bucket tagged ``purpose: pulumi-state`` keeps every version.

The other bucket guardrails (public access, TLS-only, ACLs, encryption) apply to it like to any
bucket; versioning is what makes a bad state write, or a deleted stack file, recoverable.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.resource import Resource
from guardrails.values import UNKNOWN, as_bool, as_dict, is_unknown

BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
VERSIONING = frozenset(
    {
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
    }
)
PURPOSE = ("purpose", "pulumi-state")

STATE_VERSIONING = Guardrail(
    name="s3-state-bucket-versioned",
    description="State buckets (tagged purpose: pulumi-state) are versioned.",
    severity=Severity.HIGH,
    controls=("CKV_AWS_21", "Pulumi DIY backend guidance"),
    remediation="Add an aws.s3.BucketVersioning with versioningConfiguration.status Enabled for the bucket.",
    sees=(
        sees(BUCKETS, "tags", "versioning.enabled", "bucket"),
        sees(VERSIONING, "bucket", "versioningConfiguration.status"),
    ),
)


def is_state_bucket(bucket: Resource) -> bool | None:
    """Tagged as a state bucket; ``None`` if a preview does not know its tags."""
    tags = as_dict(bucket.get("tags"))
    if tags is None or is_unknown(tags.get(PURPOSE[0])):
        return None
    return tags.get(PURPOSE[0]) == PURPOSE[1]


def _versioning_of(side: Resource, bucket: Resource) -> bool:
    if side.linked_to(bucket, "bucket"):
        return True
    name = bucket.get("bucket")
    return isinstance(name, str) and bool(name) and side.get("bucket") == name


def _status(configuration: Any) -> Any:
    fields = as_dict(configuration)
    return UNKNOWN if fields is None else fields.get("status")


def versioned(bucket: Resource, resources: list[Resource]) -> bool | None:
    """True if versioning is on; None if a preview cannot tell."""
    inline = as_dict(bucket.get("versioning"))
    if inline is None:
        return None
    if as_bool(inline.get("enabled")) is True:
        return True
    statuses = [
        _status(r.get("versioningConfiguration"))
        for r in resources
        if r.type in VERSIONING and _versioning_of(r, bucket)
    ]
    if "Enabled" in statuses:
        return True
    return None if any(is_unknown(s) for s in statuses) else False


def check_state_versioning(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    violations: list[tuple[Resource, Finding]] = []
    for bucket in resources:
        if bucket.type not in BUCKETS:
            continue
        state = is_state_bucket(bucket)
        if state is None:
            violations.append((bucket, Unverified(f"bucket {bucket.name}'s purpose tag")))
            continue
        if not state:
            continue
        verdict = versioned(bucket, resources)
        if verdict is None:
            violations.append((bucket, Unverified(f"state bucket {bucket.name}'s versioning")))
        elif verdict is False:
            violations.append(
                (
                    bucket,
                    f"state bucket {bucket.name} is not versioned: a bad write loses the state",
                )
            )
    return violations


POLICIES = [stack_policy(STATE_VERSIONING, check_state_versioning)]
GUARDRAILS = [STATE_VERSIONING]
