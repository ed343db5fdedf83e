"""KMS guardrails: customer keys that encrypt (Pulumi secrets, data keys) rotate their material."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.resource import Resource
from guardrails.values import as_bool, is_unknown

KEY = "aws:kms/key:Key"

ROTATION = Guardrail(
    name="kms-key-rotation",
    description="Symmetric KMS keys rotate their key material.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub KMS.4", "CKV_AWS_7"),
    remediation="Set enableKeyRotation: true on the aws.kms.Key.",
    sees=(sees(KEY, "customerMasterKeySpec", "keyUsage", "enableKeyRotation"),),
)


def check_rotation(key: Resource, _: dict[str, Any]) -> list[Finding]:
    spec = key.get("customerMasterKeySpec", default="SYMMETRIC_DEFAULT")
    usage = key.get("keyUsage", default="ENCRYPT_DECRYPT")
    if is_unknown(spec) or is_unknown(usage):
        return [Unverified(f"key {key.name}'s spec or usage")]
    if (spec, usage) != ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"):
        return []  # only symmetric encryption keys can rotate automatically
    rotation = key.get("enableKeyRotation", default=False)
    if is_unknown(rotation):
        return [Unverified(f"key {key.name}'s enableKeyRotation")]
    if as_bool(rotation) is True:
        return []
    return [f"key {key.name} does not rotate its key material"]


POLICIES = [resource_policy(ROTATION, frozenset({KEY}), check_rotation)]
GUARDRAILS = [ROTATION]
