"""The deploy and preview roles cover what the stacks use, and nothing looser: every document
passes parliament, fits IAM's quota, and keeps to its env."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parliament import iam_definition

from bootstrap_stack.permissions import ENGINE_TYPES, INVOKES, RESOURCES
from bootstrap_stack.policies import (
    MAX_MANAGED_POLICY_CHARS,
    key_policy,
    minified_size,
    trust_policy,
)
from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT, STACKS
from tests.bootstrap.conftest import ACCOUNT, ENVS, deploy, preview
from tests.bootstrap.lint import findings
from tooling.mock_runtime import Rendered, load_stack_config, render

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "bootstrap"
EVERYTHING = {("serving", "prod"): FIXTURES / "serving-everything.prod.yaml"}
"""Configs with every feature on, next to the committed envs."""
MUTATING = ("Write", "Permissions management", "Tagging")


def renders() -> Iterator[Rendered]:
    for name in STACKS:
        for env in ENVIRONMENTS:
            yield render(name, env)
    for (name, env), path in EVERYTHING.items():
        yield render(name, env, config=load_stack_config(name, env, path=Path(path)))


@pytest.fixture(scope="module")
def used() -> tuple[set[str], set[str]]:
    types: set[str] = set()
    invokes: set[str] = set()
    for result in renders():
        types |= {r.type for r in result.resources if r.custom}
        invokes |= {token for token, _ in result.invokes}
    return types, invokes


def test_every_type_the_stacks_use_is_in_the_table(used: tuple[set[str], set[str]]) -> None:
    types, _ = used
    missing = sorted(types - set(RESOURCES) - ENGINE_TYPES)
    assert not missing, (
        f"add these to bootstrap_stack/permissions.py (and re-run make bootstrap): {missing}"
    )


def test_every_invoke_the_stacks_make_is_in_the_table(used: tuple[set[str], set[str]]) -> None:
    _, invokes = used
    missing = sorted(invokes - set(INVOKES))
    assert not missing, (
        f"add these to bootstrap_stack/permissions.py (and re-run make bootstrap): {missing}"
    )


def test_the_fixture_turns_on_what_no_committed_env_does(used: tuple[set[str], set[str]]) -> None:
    types, _ = used
    assert "aws:lb/targetGroupAttachment:TargetGroupAttachment" in types
    assert "aws:autoscaling/group:Group" in types
    assert "aws:wafv2/webAclAssociation:WebAclAssociation" in types


def test_the_coverage_check_fails_for_a_type_the_table_lacks() -> None:
    assert "aws:rds/instance:Instance" not in RESOURCES


# ---- every document ------------------------------------------------------------------------------
def statements(documents: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for d in documents.values() for s in d["Statement"]]


def actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return value if isinstance(value, list) else [value]


def access_level(action: str) -> str:
    prefix, name = action.split(":", 1)
    return next(  # ELB has two services under one prefix (v1 and v2)
        p["access_level"]
        for s in iam_definition
        if s["prefix"] == prefix
        for p in s["privileges"]
        if p["privilege"] == name
    )


@pytest.mark.parametrize("env", ENVS)
def test_deploy_documents_pass_the_linter(env: str) -> None:
    documents = deploy(env)
    role = list(documents.values())
    for family, doc in documents.items():
        assert findings(doc, role) == [], family


def test_preview_documents_pass_the_linter() -> None:
    documents = preview()
    role = list(documents.values())
    for family, doc in documents.items():
        assert findings(doc, role) == [], family


def test_key_and_trust_policies_pass_the_linter() -> None:
    root, deploy_role, preview_role = (
        f"arn:aws:iam::{ACCOUNT}:root",
        f"arn:aws:iam::{ACCOUNT}:role/alb-serving-deploy-prod",
        f"arn:aws:iam::{ACCOUNT}:role/alb-serving-preview",
    )
    assert findings(key_policy(root, deploy_role, preview_role), [], kind="key") == []
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    trust = trust_policy(provider, "repo:acme/alb-serving-platform:environment:prod")
    assert findings(trust, [], kind="trust") == []


@pytest.mark.parametrize("role", [*ENVS, "preview"])
def test_documents_fit_the_managed_policy_quota(role: str) -> None:
    documents = preview() if role == "preview" else deploy(role)
    assert len(documents) <= 10
    for family, doc in documents.items():
        assert minified_size(doc) <= MAX_MANAGED_POLICY_CHARS, family


@pytest.mark.parametrize("env", ENVS)
def test_no_wildcard_actions_and_no_star_resource_on_a_scoped_write(env: str) -> None:
    for statement in statements(deploy(env)):
        for action in actions(statement):
            assert "*" not in action, action
        if statement["Resource"] == ["*"] and statement["Effect"] == "Allow":
            # parliament's RESOURCE_STAR already fails one with resource-level permissions
            writes = [a for a in actions(statement) if access_level(a) in MUTATING]
            assert writes in ([], ["acm:RequestCertificate"], ["elasticloadbalancing:SetWebAcl"]), (
                writes
            )


@pytest.mark.parametrize("env", ENVS)
def test_a_deploy_role_keeps_to_its_env(env: str) -> None:
    others = [e for e in ENVS if e != env]
    text = json.dumps(deploy(env))
    for other in others:
        assert f'"{other}"' not in text and f"/{other}" not in text and f"-{other}-" not in text
    for statement in statements(deploy(env)):
        for operator, values in statement.get("Condition", {}).items():
            for key, value in values.items():
                if key.endswith("/env") and operator != "Null":
                    assert value == env, (operator, key, value)


@pytest.mark.parametrize("env", ENVS)
def test_pass_role_only_for_the_fleet_and_flow_log_roles(env: str) -> None:
    passing = [s for s in statements(deploy(env)) if "iam:PassRole" in actions(s)]
    assert passing
    for statement in passing:
        assert actions(statement) == ["iam:PassRole"]
        service = statement["Condition"]["StringEquals"]["iam:PassedToService"]
        if service == "ec2.amazonaws.com":
            assert statement["Resource"] == [f"arn:aws:iam::{ACCOUNT}:role/serving-*"]
            assert statement["Condition"]["StringEquals"]["aws:ResourceTag/env"] == env
        else:
            assert service == "vpc-flow-logs.amazonaws.com"
            assert statement["Resource"] == [f"arn:aws:iam::{ACCOUNT}:role/network-{env}-flow-logs"]


def test_managed_policy_attachments_are_limited_to_the_fleet_policies() -> None:
    (statement,) = [s for s in statements(deploy("prod")) if "iam:AttachRolePolicy" in actions(s)]
    assert statement["Condition"]["ArnEquals"]["iam:PolicyARN"] == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    ]


def test_the_preview_role_changes_nothing() -> None:
    for statement in statements(preview()):
        if statement["Effect"] == "Deny":
            assert set(actions(statement)) == {"s3:PutObject", "s3:DeleteObject"}
            continue
        for action in actions(statement):
            assert access_level(action) in ("Read", "List"), action


@pytest.mark.parametrize("env", ENVS)
def test_a_deploy_role_reads_and_writes_only_its_envs_state(env: str) -> None:
    state = deploy(env)["state"]["Statement"]
    objects = {r for s in state for r in s["Resource"] if "/.pulumi/" in r}
    assert all(r.endswith("/.pulumi/meta.yaml") or f"/{env}" in r for r in objects), objects
    assert not [r for r in objects if "/bootstrap/" in r]
