"""The guardrails of the account's trust roots, over the pack's real gRPC protocol: OIDC trust
pinned, no admin-equivalent policies, KMS rotation, versioned state buckets; and the committed
bootstrap stack is clean in a preview and in an update."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guardrails.values import UNKNOWN
from tests.policies.conftest import FakeResource, make, on_the_wire
from tooling.mock_runtime import render
from tooling.policy_analyzer import Analysis, PolicyPackAnalyzer

ROLE = "aws:iam/role:Role"
PROVIDER = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
HOST = "token.actions.githubusercontent.com"
PINNED = {
    "StringEquals": {
        f"{HOST}:aud": "sts.amazonaws.com",
        f"{HOST}:sub": "repo:acme/alb-serving-platform:environment:prod",
    }
}


def github_role(name: str, condition: dict[str, Any] | None) -> FakeResource:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    return FakeResource(ROLE, name, {"name": name, "assumeRolePolicy": json.dumps(trust)})


def policy(name: str, *statements: dict[str, Any]) -> FakeResource:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return FakeResource("aws:iam/policy:Policy", name, {"policy": json.dumps(document)})


def blocked(pack: PolicyPackAnalyzer, resources: list[FakeResource], policy_name: str) -> list[str]:
    pack.configure_env("bootstrap")
    analysis = pack.analyze_all(on_the_wire(resources))
    return [d.detail for d in analysis.mandatory if d.policy == policy_name]


# ---- OIDC trust ----------------------------------------------------------------------------------
def test_a_github_role_without_a_pinned_sub_is_blocked(pack: PolicyPackAnalyzer) -> None:
    aud_only = {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}
    assert blocked(pack, [github_role("deploy", aud_only)], "iam-oidc-trust-pinned") == [
        "role deploy trusts GitHub's OIDC provider without a sub condition: any repository on GitHub can assume it"
    ]
    assert blocked(pack, [github_role("deploy", None)], "iam-oidc-trust-pinned")


@pytest.mark.parametrize(
    "sub",
    [
        {"StringLike": {f"{HOST}:sub": "repo:acme/*"}},
        {"StringLike": {f"{HOST}:sub": "repo:acme/alb-serving-platform:*"}},
        {"StringEquals": {f"{HOST}:sub": "repo:acme/*:environment:prod"}},
        {"StringEquals": {f"{HOST}:sub": ["repo:acme/app:environment:prod", "repo:acme/*"]}},
    ],
)
def test_a_wildcard_sub_is_blocked(pack: PolicyPackAnalyzer, sub: dict[str, Any]) -> None:
    condition = {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}
    for operator, values in sub.items():
        condition.setdefault(operator, {}).update(values)
    (message,) = blocked(pack, [github_role("deploy", condition)], "iam-oidc-trust-pinned")
    assert "sub is not pinned" in message


def test_an_unpinned_audience_is_blocked(pack: PolicyPackAnalyzer) -> None:
    condition = {"StringEquals": {f"{HOST}:sub": "repo:acme/app:environment:prod"}}
    assert blocked(pack, [github_role("deploy", condition)], "iam-oidc-trust-pinned") == [
        "role deploy aud is not pinned to sts.amazonaws.com with StringEquals"
    ]


@pytest.mark.parametrize(
    "sub",
    [
        "repo:acme/alb-serving-platform:environment:prod",
        "repo:acme/alb-serving-platform:pull_request",
        "repo:acme/alb-serving-platform:ref:refs/heads/main",
    ],
)
def test_a_pinned_role_passes(pack: PolicyPackAnalyzer, sub: str) -> None:
    condition = {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": sub}}
    assert blocked(pack, [github_role("deploy", condition)], "iam-oidc-trust-pinned") == []


def test_roles_trusting_others_and_unknown_trust_are_not_judged(pack: PolicyPackAnalyzer) -> None:
    service = FakeResource(
        ROLE,
        "flow-logs",
        {
            "assumeRolePolicy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            )
        },
    )
    unknown = FakeResource(ROLE, "later", {"assumeRolePolicy": UNKNOWN})
    assert blocked(pack, [service, unknown], "iam-oidc-trust-pinned") == []


# ---- admin-equivalent ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "admin allows every action (*)"),
        (
            {"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]},
            "admin allows every action (*)",
        ),
        (
            {"Effect": "Allow", "Action": ["s3:GetObject", "iam:*"], "Resource": "*"},
            "admin allows iam:* on every resource",
        ),
        (
            {"Effect": "Allow", "NotAction": ["s3:DeleteBucket"], "Resource": "*"},
            "admin allows everything but a NotAction list on every resource",
        ),
    ],
)
def test_a_wildcard_admin_policy_is_blocked(
    pack: PolicyPackAnalyzer, statement: dict[str, Any], message: str
) -> None:
    assert blocked(pack, [policy("admin", statement)], "iam-no-admin-policies") == [message]


@pytest.mark.parametrize("name", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"])
def test_an_admin_managed_policy_attachment_is_blocked(pack: PolicyPackAnalyzer, name: str) -> None:
    attachment = FakeResource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "ci-admin",
        {"role": "ci", "policyArn": f"arn:aws:iam::aws:policy/{name}"},
    )
    inline = FakeResource(ROLE, "ci", {"managedPolicyArns": [f"arn:aws:iam::aws:policy/{name}"]})
    assert blocked(pack, [attachment, inline], "iam-no-admin-policies") == [
        f"ci-admin attaches {name}",
        f"ci attaches {name}",
    ]


def test_scoped_policies_and_denies_pass(pack: PolicyPackAnalyzer) -> None:
    scoped = policy(
        "scoped",
        {"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::210987654321:role/x"},
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
    )
    assert blocked(pack, [scoped], "iam-no-admin-policies") == []


# ---- KMS and the state bucket --------------------------------------------------------------------
def test_a_key_without_rotation_is_blocked(pack: PolicyPackAnalyzer) -> None:
    key = FakeResource("aws:kms/key:Key", "secrets", {"description": "x"})
    rotating = FakeResource("aws:kms/key:Key", "rotating", {"enableKeyRotation": True})
    asymmetric = FakeResource(
        "aws:kms/key:Key",
        "signing",
        {"customerMasterKeySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"},
    )
    assert blocked(pack, [key, rotating, asymmetric], "kms-key-rotation") == [
        "key secrets does not rotate its key material"
    ]


STATE = {"bucket": "state-123", "tags": {"purpose": "pulumi-state"}}


def test_an_unversioned_state_bucket_is_blocked(pack: PolicyPackAnalyzer) -> None:
    bucket = FakeResource("aws:s3/bucket:Bucket", "state", STATE)
    logs = FakeResource("aws:s3/bucket:Bucket", "logs", {"bucket": "logs-123"})
    assert blocked(pack, [bucket, logs], "s3-state-bucket-versioned") == [
        "state bucket state is not versioned: a bad write loses the state"
    ]
    versioning = make(
        "aws:s3/bucketVersioning:BucketVersioning",
        "state",
        {"bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}},
        bucket=bucket,
    )
    assert blocked(pack, [bucket, versioning], "s3-state-bucket-versioned") == []
    suspended = make(
        "aws:s3/bucketVersioning:BucketVersioning",
        "state",
        {"bucket": "state-123", "versioningConfiguration": {"status": "Suspended"}},
    )
    assert blocked(pack, [bucket, suspended], "s3-state-bucket-versioned")


# ---- the committed stack -------------------------------------------------------------------------
def verdicts(analysis: Analysis) -> set[tuple[str, str, str, str]]:
    return {(d.policy, d.level, d.urn, d.detail) for d in analysis.diagnostics}


def test_the_committed_bootstrap_stack_is_clean(pack: PolicyPackAnalyzer) -> None:
    pack.configure_env("bootstrap")
    preview = pack.analyze_all(render("bootstrap", "bootstrap", preview=True).created)
    update = pack.analyze_all(render("bootstrap", "bootstrap").created)
    assert preview.diagnostics == [] and update.diagnostics == []
    assert verdicts(preview) == verdicts(update)
    assert not [n for n in preview.not_applicable if "during preview" in n.reason]
