"""Cases of the bootstrap stack's guardrails (``iam``, ``kms``, ``state_bucket``), added to the
shared tables in ``cases.py`` so that every check also runs with each value unknown in turn."""

from __future__ import annotations

from typing import Any

from tests.policies.conftest import FakeResource, make

HOST = "token.actions.githubusercontent.com"
PROVIDER = f"arn:aws:iam::210987654321:oidc-provider/{HOST}"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
KEY = "aws:kms/key:Key"


def trust(condition: dict[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"assumeRolePolicy": {"Version": "2012-10-17", "Statement": [statement]}}


PINNED = trust(
    {
        "StringEquals": {
            f"{HOST}:aud": "sts.amazonaws.com",
            f"{HOST}:sub": "repo:acme/alb-serving-platform:environment:prod",
        }
    }
)
ADMIN = {
    "policy": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
}
SCOPED = {
    "policy": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:DescribeVpcs"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:GetRole",
                "Resource": "arn:aws:iam::210987654321:role/x",
            },
        ],
    }
}


def resource_cases(case: Any) -> list[Any]:
    """``case`` is ``cases.Case`` (passed in: this module is imported by ``cases``). Managed
    policy attachments are tested in ``test_bootstrap_guardrails.py``: the shared cases' preview
    makes every ARN unknown, and an AWS-managed policy's ARN is known in a real preview."""
    return [
        case("iam-oidc-trust-pinned", ROLE, PINNED, trust({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}), "without a sub condition"),
        case("iam-oidc-trust-pinned", ROLE, PINNED, trust({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}, "StringLike": {f"{HOST}:sub": "repo:acme/*"}}), "sub is not pinned (StringLike repo:acme/*)"),
        case("iam-no-admin-policies", POLICY, SCOPED, ADMIN, "allows every action (*)"),
        case("kms-key-rotation", KEY, {"enableKeyRotation": True, "keyUsage": "ENCRYPT_DECRYPT"}, {"enableKeyRotation": False}, "does not rotate"),
    ]  # fmt: skip


STATE_TAGS = {"purpose": "pulumi-state"}


def _state_bucket() -> FakeResource:
    return FakeResource(
        "aws:s3/bucket:Bucket", "state", {"bucket": "state-123", "tags": STATE_TAGS}
    )


def _versioned(status: str) -> list[FakeResource]:
    bucket = _state_bucket()
    versioning = make(
        "aws:s3/bucketVersioning:BucketVersioning",
        "state-versioning",
        {"bucket": "state-123", "versioningConfiguration": {"status": status}},
        bucket=bucket,
    )
    return [bucket, versioning]


def stack_cases(case: Any) -> list[Any]:
    """``case`` is ``cases.StackCase``."""
    return [
        case("s3-state-bucket-versioned", lambda: _versioned("Enabled"), lambda: [_state_bucket()], "state bucket state is not versioned", "state"),
        case("s3-state-bucket-versioned", lambda: _versioned("Enabled"), lambda: _versioned("Suspended"), "is not versioned", "state"),
    ]  # fmt: skip
