"""IAM guardrails for the account's trust roots: OIDC trust pinned to a repository and an
environment (or its pull requests), and no admin-equivalent permissions.

A role that trusts GitHub's OIDC provider without a ``sub`` condition can be assumed by a
workflow of *any* repository on GitHub; a wildcard ``sub`` (``repo:acme/*``) by any repository of
the organization, or any branch or fork's environment. Policy documents are read as the engine
sends them (JSON text or objects); one a preview cannot know yet is judged at the update.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.resource import Resource
from guardrails.values import as_dict, as_list, has_unknown, is_unknown

ROLE = "aws:iam/role:Role"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
SUBJECT = re.compile(
    r"^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(environment:[A-Za-z0-9_.-]+|pull_request|ref:refs/heads/[A-Za-z0-9_./-]+)$"
)
"""A ``sub`` naming one repository and one environment, its pull requests, or one branch."""
PINNING_OPERATORS = ("StringEquals", "ForAnyValue:StringEquals")
POLICY_DOCUMENTS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
ATTACHMENTS = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    }
)
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


def document(value: Any) -> dict[str, Any] | None:
    """A policy document as a dict (parts of it may be unknown); None if unknown or not one."""
    if is_unknown(value) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def statements(doc: dict[str, Any]) -> list[Any]:
    """The statements: dicts, or :data:`UNKNOWN` for one a preview does not know."""
    body = doc.get("Statement", [])
    return [
        s
        for s in (body if isinstance(body, list) else [body])
        if isinstance(s, dict) or is_unknown(s)
    ]


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def trusts_github(statement: dict[str, Any]) -> bool:
    """Allows GitHub's provider (or, its effect unknown, may): by its ARN, or (the ARN unknown in a
    preview) by its claims."""
    if statement.get("Effect") != "Allow" and not is_unknown(statement.get("Effect")):
        return False
    federated = _values((as_dict(statement.get("Principal")) or {}).get("Federated"))
    if any(isinstance(p, str) and p.endswith(GITHUB_OIDC_HOST) for p in federated):
        return True
    conditions = as_dict(statement.get("Condition")) or {}
    claims = [k for entries in conditions.values() for k in (as_dict(entries) or {})]
    return any(map(is_unknown, federated)) and any(
        k.startswith(f"{GITHUB_OIDC_HOST}:") for k in claims
    )


def _claim(conditions: dict[str, Any], claim: str) -> tuple[str, list[Any]] | None:
    """The operator and values constraining ``<host>:<claim>``, if any."""
    for operator, entries in conditions.items():
        for key, value in (as_dict(entries) or {}).items():
            if key == f"{GITHUB_OIDC_HOST}:{claim}":
                return operator, _values(value)
    return None


def trust_problems(statement: dict[str, Any]) -> list[Finding]:
    conditions = as_dict(statement.get("Condition"))
    if conditions is None or has_unknown(conditions):
        return [Unverified("the trust policy's conditions")]  # judged at the update
    problems: list[Finding] = []
    subject = _claim(conditions, "sub")
    if subject is None:
        problems.append(
            "trusts GitHub's OIDC provider without a sub condition: any repository on GitHub can assume it"
        )
    else:
        operator, values = subject
        loose = [v for v in values if not isinstance(v, str) or not SUBJECT.match(v)]
        if operator not in PINNING_OPERATORS or loose:
            shown = ", ".join(map(str, loose or values))
            problems.append(
                f"sub is not pinned ({operator} {shown}): name one repository and its environment, "
                "e.g. repo:acme/app:environment:prod, with StringEquals"
            )
    audience = _claim(conditions, "aud")
    if (
        audience is None
        or audience[0] not in PINNING_OPERATORS
        or audience[1] != ["sts.amazonaws.com"]
    ):
        problems.append("aud is not pinned to sts.amazonaws.com with StringEquals")
    return problems


OIDC_TRUST = Guardrail(
    name="iam-oidc-trust-pinned",
    description="Roles trusting GitHub's OIDC provider pin the audience and the subject to one repository and environment.",
    severity=Severity.CRITICAL,
    controls=("AWS IAM OIDC best practice", "CKV_AWS_358"),
    remediation=(
        "Add Condition StringEquals token.actions.githubusercontent.com:sub = "
        "repo:<owner>/<repo>:environment:<env> and token.actions.githubusercontent.com:aud = sts.amazonaws.com."
    ),
    sees=(sees(ROLE, "assumeRolePolicy"),),
)


def check_oidc_trust(role: Resource, _: dict[str, Any]) -> list[Finding]:
    policy = role.get("assumeRolePolicy")
    doc = document(policy)
    if doc is None:
        return [Unverified(f"role {role.name}'s trust policy")] if has_unknown(policy) else []
    findings: list[Finding] = []
    for statement in statements(doc):
        if is_unknown(statement):
            findings.append(Unverified(f"role {role.name}'s trust statement"))
            continue
        if not trusts_github(statement):
            if has_unknown(statement.get("Principal")) and statement.get("Effect") != "Deny":
                findings.append(Unverified(f"role {role.name}'s trusted principal"))
            continue
        if is_unknown(statement.get("Effect")):
            findings.append(Unverified(f"role {role.name}'s trust statement's effect"))
            continue
        findings += [
            problem if isinstance(problem, Unverified) else f"role {role.name} {problem}"
            for problem in trust_problems(statement)
        ]
    return findings


def _resources(statement: dict[str, Any]) -> list[Any]:
    return _values(statement.get("Resource", []))


def admin_grants(doc: dict[str, Any]) -> list[Finding]:
    """What in ``doc`` is admin-equivalent: ``*``, ``iam:*`` on ``*``, or Allow + NotAction. A
    value a preview does not know is decisive only where it could make a grant admin."""
    found: list[Finding] = []
    for statement in statements(doc):
        if is_unknown(statement):
            found.append(Unverified("a statement"))
            continue
        effect = statement.get("Effect")
        if is_unknown(effect) or is_unknown(statement.get("Action")):
            found.append(Unverified("a statement's effect or actions"))
            continue
        if effect != "Allow":
            continue
        actions = [a for a in _values(statement.get("Action", [])) if isinstance(a, str)]
        wide = "NotAction" in statement or any(a.lower() == "iam:*" for a in actions)
        if any(a in ("*", "*:*") for a in actions):
            found.append("allows every action (*)")
        elif wide and has_unknown(statement.get("Resource")):
            found.append(Unverified("the resources of a statement allowing iam:* or NotAction"))
        elif wide and ("*" in _resources(statement) or "NotResource" in statement):
            kind = "everything but a NotAction list" if "NotAction" in statement else "iam:*"
            found.append(f"allows {kind} on every resource")
    return found


NO_ADMIN = Guardrail(
    name="iam-no-admin-policies",
    description="No policy grants admin-equivalent access (*, iam:* on *, AdministratorAccess, PowerUserAccess, IAMFullAccess).",
    severity=Severity.CRITICAL,
    controls=("SecurityHub IAM.1", "CKV_AWS_62", "CKV_AWS_286"),
    remediation="Grant the actions the workload needs on its own resources (see stacks/bootstrap/bootstrap_stack/permissions.py).",
    sees=(
        sees(frozenset(POLICY_DOCUMENTS), "policy"),
        sees(ATTACHMENTS, "policyArn"),
        sees(ROLE, "managedPolicyArns", "inlinePolicies[].policy"),
    ),
)


def _admin_arn(value: Any) -> str | None:
    if isinstance(value, str):
        for name in ADMIN_MANAGED_POLICIES:
            if value.endswith(f":policy/{name}"):
                return name
    return None


def check_no_admin(resource: Resource, _: dict[str, Any]) -> list[Finding]:
    documents: list[Any] = []
    arns: list[Any] = []
    if resource.type in POLICY_DOCUMENTS:
        documents.append(resource.get(POLICY_DOCUMENTS[resource.type]))
    elif resource.type in ATTACHMENTS:
        arns.append(resource.get("policyArn"))
    elif resource.type == ROLE:
        arns.extend(as_list(resource.get("managedPolicyArns")) or [])
        for inline in as_list(resource.get("inlinePolicies")) or []:
            documents.append((as_dict(inline) or {}).get("policy"))
    messages: list[Finding] = [
        f"{resource.name} attaches {name}" for name in filter(None, map(_admin_arn, arns))
    ]
    # An unknown ARN from a policy in the stack is that policy's: it is judged as a document.
    from_stack = bool(resource.property_dependencies.get("policyArn"))
    messages += [
        Unverified(f"{resource.name}'s policy ARN")
        for arn in arns
        if is_unknown(arn) and not from_stack
    ]
    for value in documents:
        doc = document(value)
        if doc is None and has_unknown(value):
            messages.append(Unverified(f"{resource.name}'s policy document"))
        messages.extend(
            grant if isinstance(grant, Unverified) else f"{resource.name} {grant}"
            for grant in admin_grants(doc or {})
        )
    return messages


POLICIES = [
    resource_policy(OIDC_TRUST, frozenset({ROLE}), check_oidc_trust),
    resource_policy(NO_ADMIN, frozenset({ROLE, *POLICY_DOCUMENTS, *ATTACHMENTS}), check_no_admin),
]
GUARDRAILS = [OIDC_TRUST, NO_ADMIN]
