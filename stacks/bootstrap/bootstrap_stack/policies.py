"""The IAM and KMS policy documents of the bootstrap stack, as plain dicts (JSON-able, no invokes).

- :func:`deploy_documents`: one env's deploy role, one managed policy per family of services, from
  the permissions table (``permissions.py``) plus that env's objects in the state bucket;
- :func:`preview_documents`: the preview role: every read of the table, for any env, and read-only
  access to the network and serving state (a preview on the S3 backend takes no lock and writes
  nothing: ``pulumi preview`` and ``refresh --preview-only`` are dry runs);
- :func:`trust_policy`: GitHub's OIDC tokens of one repository and one environment (or its pull
  requests), audience ``sts.amazonaws.com``, both pinned with ``StringEquals``;
- :func:`key_policy`: who may use an env's KMS key (see its docstring for what the root keeps).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bootstrap_stack.config import GITHUB_OIDC_HOST, STS_AUDIENCE
from bootstrap_stack.permissions import INVOKES, RESOURCES, Access, Grant
from shared.tagging import REPO

VERSION = "2012-10-17"
MAX_MANAGED_POLICY_CHARS = 6144
"""IAM's quota for a managed policy document, counted without whitespace."""
STATE_PROJECTS = ("network", "serving")
"""The projects whose state the deploy and preview roles read (never the bootstrap stack's)."""
FAMILIES = {
    "ec2": "ec2",
    "elasticloadbalancing": "edge",
    "acm": "edge",
    "route53": "edge",
    "wafv2": "edge",
    "iam": "iam",
    "autoscaling": "fleet",
    "ssm": "fleet",
    "s3": "storage",
    "logs": "storage",
    "cloudwatch": "storage",
}
"""Service prefix -> the managed policy its statements go in (one policy stays under 6144)."""
TAG_ON_CREATE = {"ec2": ("ec2:CreateTags", "ec2:CreateAction"), "elasticloadbalancing": None}
"""Per service, the tag call a create makes and the condition key naming the create calls; ELB's
(``elasticloadbalancing:CreateAction``) is not in every IAM reference yet, so its tags are
allowed on resources with no ``env`` tag (a new one), never on another env's."""
RETAG = {
    "ec2": (("ec2:CreateTags",), ("ec2:DeleteTags",)),
    "elasticloadbalancing": (
        ("elasticloadbalancing:AddTags",),
        ("elasticloadbalancing:RemoveTags",),
    ),
    "iam": (
        ("iam:TagRole", "iam:TagInstanceProfile"),
        ("iam:UntagRole", "iam:UntagInstanceProfile"),
    ),
    "acm": (("acm:AddTagsToCertificate",), ("acm:RemoveTagsFromCertificate",)),
    "cloudwatch": (("cloudwatch:TagResource",), ("cloudwatch:UntagResource",)),
    "autoscaling": (("autoscaling:CreateOrUpdateTags",), ("autoscaling:DeleteTags",)),
}
"""Per service, how owned resources' tags change (never the ``env`` and ``repo`` tags)."""
OWNERSHIP_TAGS = ("env", "repo")
STATE = "state"
"""The family of the state bucket's statements."""


@dataclass(frozen=True)
class Target:
    """What the ARN templates are filled with."""

    partition: str
    region: str
    account: str
    env: str
    """The env, or ``*`` for the preview role."""

    def fill(self, template: str) -> str:
        return template.format(p=self.partition, r=self.region, a=self.account, e=self.env)

    def fill_all(self, value: Any) -> Any:
        """``value`` with every string in it filled (conditions name ARNs too)."""
        if isinstance(value, str):
            return self.fill(value)
        if isinstance(value, dict):
            return {k: self.fill_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill_all(v) for v in value]
        return value


def service(action: str) -> str:
    return action.split(":", 1)[0]


def _tags(kind: str, env: str) -> dict[str, str]:
    return {f"aws:{kind}/env": env, f"aws:{kind}/repo": REPO}


def scope_condition(grant: Grant, env: str) -> dict[str, Any]:
    if grant.scope == "created":
        return {"StringEquals": _tags("RequestTag", env)}
    if grant.scope == "owned":
        return {"StringEquals": _tags("ResourceTag", env)}
    if grant.scope == "claim":  # tag an untagged resource as this env's, never retag another's
        return {"StringEquals": _tags("RequestTag", env), "Null": {"aws:ResourceTag/env": "true"}}
    return {}


def _merge(*conditions: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for condition in conditions:
        for operator, values in condition.items():
            merged.setdefault(operator, {}).update(values)
    return merged


def entries() -> list[Access]:
    """Every entry of the table (each distinct entry once)."""
    seen: list[Access] = []
    for access in (*RESOURCES.values(), *INVOKES.values()):
        if access not in seen:
            seen.append(access)
    return seen


class StatementSet:
    """Statements keyed by (resources, condition): one statement per key, actions merged."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._family: dict[int, str] = {}

    def add(
        self,
        actions: Iterable[str],
        resources: Iterable[str],
        condition: dict[str, Any] | None = None,
        effect: str = "Allow",
        family: str | None = None,
    ) -> None:
        resources = sorted(set(resources))
        actions = list(actions)
        family = family or FAMILIES[service(actions[0])]
        key = (
            f"{effect} {family} {service(actions[0])}",
            json.dumps(resources),
            json.dumps(condition or {}, sort_keys=True),
        )
        statement = self._by_key.setdefault(
            key, {"Effect": effect, "Action": [], "Resource": resources}
        )
        self._family[id(statement)] = family
        if condition:
            statement["Condition"] = condition
        statement["Action"] = sorted({*statement["Action"], *actions})

    def by_family(self) -> dict[str, list[dict[str, Any]]]:
        families: dict[str, list[dict[str, Any]]] = {}
        for statement in self._by_key.values():
            families.setdefault(self._family[id(statement)], []).append(statement)
        return families


def _add_grants(statements: StatementSet, target: Target, *, writes: bool) -> None:
    """The table's grants, split per service so that each statement belongs to one family."""
    tag_on_create: dict[str, tuple[set[str], set[str]]] = {}
    owned: dict[str, set[str]] = {}
    for access in entries():
        for grant in access.grants:
            if grant.write and not writes:
                continue
            resources = [target.fill(r) for r in grant.resources]
            by_service: dict[str, list[str]] = {}
            for action in grant.actions:
                by_service.setdefault(service(action), []).append(action)
            for prefix, actions in by_service.items():
                condition = _merge(
                    scope_condition(grant, target.env), target.fill_all(grant.condition)
                )
                statements.add(actions, resources, condition or None)
                if grant.scope == "created" and prefix in TAG_ON_CREATE:
                    arns, calls = tag_on_create.setdefault(prefix, (set(), set()))
                    arns.update(resources)
                    calls.update(a.split(":", 1)[1] for a in actions)
                if grant.scope == "owned":
                    owned.setdefault(prefix, set()).update(resources)
    for prefix, (arns, calls) in tag_on_create.items():
        tagging = TAG_ON_CREATE[prefix]
        if tagging is None:
            claim = scope_condition(Grant((), (), "claim"), target.env)
            statements.add([f"{prefix}:AddTags"], arns, claim)
            continue
        action, key = tagging
        condition = {"StringEquals": {**_tags("RequestTag", target.env), key: sorted(calls)}}
        statements.add([action], arns, condition)
    for prefix, arns in owned.items():
        if prefix not in RETAG:
            continue
        tag, untag = RETAG[prefix]
        mine = _tags("ResourceTag", target.env)
        keep = {"StringEqualsIfExists": _tags("RequestTag", target.env)}
        statements.add(tag, arns, {"StringEquals": mine, **keep})
        statements.add(
            untag,
            arns,
            {
                "StringEquals": mine,
                "ForAllValues:StringNotEquals": {"aws:TagKeys": list(OWNERSHIP_TAGS)},
            },
        )


def _add_reads(statements: StatementSet) -> None:
    by_service: dict[str, set[str]] = {}
    for access in entries():
        for action in access.reads:
            by_service.setdefault(service(action), set()).add(action)
    for actions in by_service.values():
        statements.add(actions, ["*"])


def _state_objects(bucket_arn: str, env: str, project: str) -> list[str]:
    root = f"{bucket_arn}/.pulumi"
    return [
        f"{root}/stacks/{project}/{env}.json*",
        f"{root}/history/{project}/{env}/*",
        f"{root}/backups/{project}/{env}/*",
    ]


def _add_deploy_state(statements: StatementSet, bucket_arn: str, env: str) -> None:
    """The env's stacks in the state bucket: read and save them, take and release their lock."""
    statements.add(["s3:ListBucket"], [bucket_arn], family=STATE)
    statements.add(["s3:GetObject"], [f"{bucket_arn}/.pulumi/meta.yaml"], family=STATE)
    objects = [o for p in STATE_PROJECTS for o in _state_objects(bucket_arn, env, p)]
    statements.add(["s3:GetObject", "s3:PutObject"], objects, family=STATE)
    locks = [f"{bucket_arn}/.pulumi/locks/organization/{p}/{env}/*" for p in STATE_PROJECTS]
    statements.add(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], locks, family=STATE)


def _add_preview_state(statements: StatementSet, bucket_arn: str) -> None:
    statements.add(["s3:ListBucket"], [bucket_arn], family=STATE)
    readable = [
        f"{bucket_arn}/.pulumi/meta.yaml",
        f"{bucket_arn}/.pulumi/locks/*",
        *(f"{bucket_arn}/.pulumi/stacks/{p}/*" for p in STATE_PROJECTS),
    ]
    statements.add(["s3:GetObject"], readable, family=STATE)
    # Belt and braces: whatever else it is given, a pull request never writes state.
    statements.add(
        ["s3:DeleteObject", "s3:PutObject"], [f"{bucket_arn}/*"], effect="Deny", family=STATE
    )


def _documents(statements: StatementSet) -> dict[str, dict[str, Any]]:
    """Family -> document; a family too big for one managed policy continues in ``<family>-2``."""
    documents: dict[str, dict[str, Any]] = {}
    for family, body in sorted(statements.by_family().items()):
        chunks: list[list[dict[str, Any]]] = [[]]
        for statement in body:
            if minified_size(_document([*chunks[-1], statement])) > MAX_MANAGED_POLICY_CHARS:
                chunks.append([])
            chunks[-1].append(statement)
        for index, chunk in enumerate(chunks):
            documents[family if index == 0 else f"{family}-{index + 1}"] = _document(chunk)
    return documents


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def deploy_documents(target: Target, bucket_arn: str) -> dict[str, dict[str, Any]]:
    """Family -> policy document of ``target.env``'s deploy role."""
    statements = StatementSet()
    _add_reads(statements)
    _add_grants(statements, target, writes=True)
    _add_deploy_state(statements, bucket_arn, target.env)
    return _documents(statements)


def preview_documents(target: Target, bucket_arn: str) -> dict[str, dict[str, Any]]:
    """Family -> policy document of the preview role (``target.env`` is ignored: any env)."""
    statements = StatementSet()
    _add_reads(statements)
    _add_grants(
        statements, Target(target.partition, target.region, target.account, "*"), writes=False
    )
    _add_preview_state(statements, bucket_arn)
    return _documents(statements)


def trust_policy(provider_arn: str, subject: str) -> dict[str, Any]:
    """Only GitHub's tokens for ``subject`` (``repo:<owner>/<repo>:environment:<env>``) and for STS."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "GitHubActionsOidc",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": STS_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": subject,
                    }
                },
            }
        ],
    }


KEY_ADMINISTRATION = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
"""What the account keeps on a key: managing it, never using it."""
DEPLOY_KEY_USE = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt")
"""Pulumi's awskms provider encrypts a stack's data key once (``Encrypt``) and decrypts it on
every run (``Decrypt``)."""
PREVIEW_KEY_USE = ("kms:Decrypt", "kms:DescribeKey")
"""A preview loads the stack's secrets manager, which decrypts the data key."""


def key_policy(account_root: str, deploy_role_arn: str, preview_role_arn: str) -> dict[str, Any]:
    """One env's key: its deploy role uses it, the preview role decrypts, the account administers.

    Why the account root stays: a key policy that no principal of the account may change can never
    be managed again (KMS refuses such a policy unless its lockout check is bypassed). The root
    statement delegates *administration* to IAM (the bootstrap stack's own updates, key rotation,
    scheduling deletion) but no cryptographic use and no ``kms:CreateGrant``, so no admin, and no
    other role, can decrypt an env's secrets through IAM alone; break-glass means changing this
    policy, which CloudTrail records.
    """
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": list(KEY_ADMINISTRATION),
                "Resource": "*",
            },
            {
                "Sid": "DeployRoleUsesTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": deploy_role_arn},
                "Action": list(DEPLOY_KEY_USE),
                "Resource": "*",
            },
            {
                "Sid": "PreviewRoleDecrypts",
                "Effect": "Allow",
                "Principal": {"AWS": preview_role_arn},
                "Action": list(PREVIEW_KEY_USE),
                "Resource": "*",
            },
        ],
    }


def minified_size(document: dict[str, Any]) -> int:
    """A document's size as IAM counts it against the quota (no whitespace)."""
    return len(json.dumps(document, separators=(",", ":")))
