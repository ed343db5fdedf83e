"""Per-env config and enforcement, exemptions, the pack's structure and its README table."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from guardrails import GUARDRAILS, POLICIES
from shared.stacks import REPO_ROOT
from tests.policies.conftest import SUBNETS, TAGS, FakeResource
from tests.policies.test_resource_policies import GOOD_LB, GOOD_TG, HTTPS_IN
from tooling.policy_analyzer import (
    PolicyPackAnalyzer,
    PolicyPackError,
    load_pack_config,
    merge_config,
)
from tooling.policy_docs import rules_table

CONFIG_DIR = REPO_ROOT / "policies" / "config"
TG = "aws:lb/targetGroup:TargetGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SLOW_TG = {
    **GOOD_TG,
    "healthCheck": {"path": "/health", "interval": 10, "timeout": 5, "unhealthyThreshold": 2},
}


def test_the_pack_reports_every_policy_with_its_metadata(pack: PolicyPackAnalyzer) -> None:
    assert pack.pack_name == "alb-serving-guardrails"
    assert {p.name for p in pack.policies} == set(GUARDRAILS)
    for policy in pack.policies:
        guardrail = GUARDRAILS[policy.name]
        assert policy.severity == guardrail.severity.value
        assert policy.controls == list(guardrail.controls)
        assert policy.remediation == guardrail.remediation
        assert guardrail.description in policy.description


@pytest.mark.parametrize(
    ("env", "level"), [("dev", "advisory"), ("staging", "mandatory"), ("prod", "mandatory")]
)
def test_env_config_sets_the_enforcement_level(
    pack: PolicyPackAnalyzer, env: str, level: str
) -> None:
    pack.configure_env(env)
    lb = FakeResource(LB, "serving-alb", {**GOOD_LB, "dropInvalidHeaderFields": False})
    (diagnostic,) = pack.analyze(lb).of("alb-drop-invalid-header-fields")
    assert diagnostic.level == level


@pytest.mark.parametrize(
    ("env", "level"), [("dev", "advisory"), ("staging", "advisory"), ("prod", "mandatory")]
)
def test_deletion_protection_is_mandatory_in_prod_only(
    pack: PolicyPackAnalyzer, env: str, level: str
) -> None:
    pack.configure_env(env)
    lb = FakeResource(LB, "serving-alb", {**GOOD_LB, "enableDeletionProtection": False})
    assert [d.level for d in pack.analyze(lb).of("alb-deletion-protection")] == [level]


def test_detection_budget_comes_from_config(pack: PolicyPackAnalyzer) -> None:
    pack.configure_env("dev")  # 30 s allowed
    assert pack.analyze(FakeResource(TG, "slow", SLOW_TG)).of("tg-failover-detection") == []
    pack.configure_env("prod")  # 10 s allowed
    (violation,) = pack.analyze(FakeResource(TG, "slow", SLOW_TG)).of("tg-failover-detection")
    assert "20s (10s x 2), above the 10s allowed" in violation.detail


def test_cidr_allowlist_applies_where_an_env_gives_one(pack: PolicyPackAnalyzer) -> None:
    rule = FakeResource(INGRESS, "alb-in-443", {**HTTPS_IN, "cidrIpv4": "192.0.2.0/24"})
    pack.configure_env("staging")
    assert pack.analyze(rule).of("sg-ingress-cidr-allowlist")
    pack.configure_env("prod")
    assert pack.analyze(rule).of("sg-ingress-cidr-allowlist") == []


def test_required_tags_come_from_config(pack: PolicyPackAnalyzer) -> None:
    lb = FakeResource(
        LB, "serving-alb", {**GOOD_LB, "tags": {"team": "ml-platform", "env": "prod"}}
    )
    pack.configure({"all": "mandatory"})  # the pack's default: team, env
    assert pack.analyze(lb).of("required-tags") == []
    pack.configure_env("prod")
    (violation,) = pack.analyze(lb).of("required-tags")
    assert violation.detail == "missing required tag(s): stack, managed-by, repo, cost-center"


def test_an_exempt_resource_is_reported_not_applicable_with_the_reason(
    pack: PolicyPackAnalyzer,
) -> None:
    rule = FakeResource(
        INGRESS, "legacy-scoring-8080", {**HTTPS_IN, "fromPort": 8080, "toPort": 8080}
    )
    pack.configure({"all": "mandatory"})
    assert pack.analyze(rule).of("sg-no-world-ingress")
    pack.configure(
        {
            "all": "mandatory",
            "sg-no-world-ingress": {
                "exemptions": [
                    {"resource": "legacy-scoring-8080", "reason": "SEC-1234: retired 2026-12-31"}
                ]
            },
        }
    )
    result = pack.analyze(rule)
    assert result.of("sg-no-world-ingress") == []
    assert [(n.policy, n.reason) for n in result.not_applicable] == [
        ("sg-no-world-ingress", "exempt by policy config: SEC-1234: retired 2026-12-31")
    ]
    # other policies still apply to the exempt resource
    assert result.of("sg-no-high-risk-ports")


def test_a_stack_policy_exemption_shows_too(pack: PolicyPackAnalyzer) -> None:
    lb = FakeResource(
        LB,
        "serving-alb",
        {"loadBalancerType": "application", "internal": False, "subnets": SUBNETS, "tags": TAGS},
    )
    pack.configure(
        {
            "all": "mandatory",
            "alb-waf-associated": {
                "exemptions": [{"resource": "serving-alb", "reason": "CloudFront WAF in front"}]
            },
        }
    )
    result = pack.analyze_stack([lb])
    assert result.of("alb-waf-associated") == []
    assert (
        "alb-waf-associated",
        "exempt by policy config: serving-alb: CloudFront WAF in front",
    ) in [(n.policy, n.reason) for n in result.not_applicable]


def test_every_policy_is_configured_with_a_level(pack: PolicyPackAnalyzer) -> None:
    merged = merge_config(pack.policies, load_pack_config(CONFIG_DIR / "prod.json"))
    assert set(merged) == set(GUARDRAILS)
    assert merged["alb-waf-associated"][0] == "advisory"
    assert merged["alb-access-logs-enabled"][0] == "mandatory"
    assert merged["tg-failover-detection"][1]["maxDetectionSeconds"] == 10
    assert merged["sg-no-world-ingress"][1]["allowedPublicPorts"] == [80, 443]


def test_config_errors_are_one_line(pack: PolicyPackAnalyzer, tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match="unknown policy 'alb-acess-logs'"):
        pack.configure({"alb-acess-logs": "mandatory"})
    with pytest.raises(PolicyPackError, match="enforcement level 'blocking' is not one of"):
        pack.configure({"all": "blocking"})
    broken = tmp_path / "prod.json"
    broken.write_text("{ all: mandatory }")
    with pytest.raises(PolicyPackError, match=r"prod.json: not valid JSON"):
        load_pack_config(broken)


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_committed_configs_name_only_real_policies(env: str) -> None:
    config = json.loads((CONFIG_DIR / f"{env}.json").read_text())
    assert set(config) - {"all"} <= set(GUARDRAILS)


def test_main_only_assembles_the_pack() -> None:
    tree = ast.parse((REPO_ROOT / "policies" / "__main__.py").read_text())
    assert not [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.Lambda | ast.ClassDef)
    ]
    calls = [
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    ]
    assert calls == ["PolicyPack"]


def test_every_guardrail_is_described() -> None:
    assert len(POLICIES) == len(GUARDRAILS) == 28
    for guardrail in GUARDRAILS.values():
        assert guardrail.description.endswith(".")
        assert guardrail.controls
        assert guardrail.remediation


def test_readme_rules_table_is_current() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert rules_table() in readme, "run: .venv/bin/python -m tooling.policy_docs --write"


def test_the_pack_fails_to_start_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack')\n")
    with pytest.raises(PolicyPackError, match="exited before serving: broken pack"):
        PolicyPackAnalyzer(tmp_path).start()
