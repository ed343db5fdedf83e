"""Per-env config and enforcement, tunables, exemptions, config errors, the pack's structure."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from guardrails import GUARDRAILS, PACK_NAME, POLICIES
from guardrails.inventory import ALLOWED_TYPES, check_allowed_type
from guardrails.resource import Resource
from shared.stacks import REPO_ROOT, STACKS
from shared.tagging import REQUIRED_TAG_KEYS
from tests.policies.cases import (
    CFN_STACK,
    GOOD_LB,
    GOOD_TG,
    HEALTH,
    HTTPS,
    HTTPS_IN,
    INGRESS,
    LB,
    LISTENER,
    TG,
    alb,
    with_,
    without,
)
from tests.policies.conftest import SUBNETS, TAGS, FakeResource, on_the_wire, urn
from tooling.mock_runtime import render
from tooling.policy_analyzer import (
    PolicyPackAnalyzer,
    PolicyPackError,
    load_pack_config,
    merge_config,
)
from tooling.policy_docs import main, rules_table, sees_table, tunables_table, with_table

PACK_DIR = REPO_ROOT / "policies"
CONFIG_DIR = PACK_DIR / "config"
ADVISORY_EVERYWHERE = {
    "alb-waf-associated",
    "s3-sse-s3",
    "alb-access-log-bucket-in-stack",
    "preview-unverified",
}
PROD_ONLY = {"alb-deletion-protection", "compute-no-public-ip"}
"""Mandatory in prod, advisory in staging."""


# ---- the pack ----------------------------------------------------------------------------------
def test_the_pack_reports_every_policy_with_its_metadata(pack: PolicyPackAnalyzer) -> None:
    assert pack.pack_name == PACK_NAME == "alb-serving-guardrails"
    assert [p.name for p in pack.policies] == list(GUARDRAILS)
    for policy in pack.policies:
        guardrail = GUARDRAILS[policy.name]
        assert policy.severity == guardrail.severity.value
        assert policy.controls == list(guardrail.controls)
        assert policy.remediation == guardrail.remediation
        assert policy.description == guardrail.summary
        assert "exemptions" in policy.schema["properties"]
        assert set(policy.defaults) == {*guardrail.config, "exemptions"}


def test_every_guardrail_is_described() -> None:
    assert len(POLICIES) == len(GUARDRAILS) == 39
    for guardrail in GUARDRAILS.values():
        assert guardrail.description.endswith(".")
        assert guardrail.controls
        assert guardrail.remediation
        for key, spec in guardrail.config.items():
            assert "default" in spec and "description" in spec, key


def test_main_only_assembles_the_pack() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text())
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    assert not [n for n in ast.walk(tree) if isinstance(n, definitions)]
    calls = [
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    ]
    assert calls == ["PolicyPack"]
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert {"POLICIES", "PACK_NAME"} <= imported


def test_the_real_cli_runs_the_pack_with_the_repo_venv() -> None:
    """``pulumi preview --policy-pack policies`` runs ``python policies/`` in ``../.venv``."""
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    venv = (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == REPO_ROOT / ".venv"
    assert (venv / "bin" / "python").exists()
    assert list(venv.glob("lib/python3.*/site-packages/pulumi_policy/__init__.py"))
    assert project["version"]


def test_readme_tables_are_current() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert rules_table() in readme and tunables_table() in readme and sees_table() in readme
    assert with_table(readme) == readme, "run: .venv/bin/python -m tooling.policy_docs --write"
    assert main(["--check"]) == 0


def test_the_rules_table_shows_controls_severity_and_levels() -> None:
    rows = {
        line.split(" | ")[0].strip("| `"): line.split(" | ")
        for line in rules_table().splitlines()[3:-1]
    }
    assert set(rows) == set(GUARDRAILS)
    assert rows["alb-deletion-protection"][2:] == [
        "SecurityHub ELB.6, CKV_AWS_150",
        "medium",
        "advisory",
        "advisory",
        "mandatory |",
    ]
    assert rows["sg-no-high-risk-ports"][2:4] == [
        "SecurityHub EC2.19, CKV_AWS_24, CKV_AWS_25",
        "critical",
    ]


# ---- per-env config ----------------------------------------------------------------------------
def _expected_levels(env: str) -> dict[str, str]:
    advisory = {
        "dev": set(GUARDRAILS),
        "staging": ADVISORY_EVERYWHERE | PROD_ONLY,
    }
    return {
        name: "advisory" if name in advisory.get(env, ADVISORY_EVERYWHERE) else "mandatory"
        for name in GUARDRAILS
    }


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_env_config_sets_every_policys_level(pack: PolicyPackAnalyzer, env: str) -> None:
    pack.configure_env(env)
    assert pack.levels == _expected_levels(env)


@pytest.mark.parametrize(
    ("env", "level"), [("dev", "advisory"), ("staging", "advisory"), ("prod", "mandatory")]
)
def test_deletion_protection_is_mandatory_in_prod_only(
    pack: PolicyPackAnalyzer, env: str, level: str
) -> None:
    pack.configure_env(env)
    lb = FakeResource(LB, "serving-alb", without(GOOD_LB, "enableDeletionProtection"))
    assert [d.level for d in pack.analyze(lb).of("alb-deletion-protection")] == [level]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_waf_association_is_advisory_everywhere(pack: PolicyPackAnalyzer, env: str) -> None:
    pack.configure_env(env)
    violations = pack.analyze_stack(on_the_wire([alb()])).of("alb-waf-associated")
    assert [d.level for d in violations] == ["advisory"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_committed_configs_are_valid_and_require_the_repo_tags(
    env: str, pack: PolicyPackAnalyzer
) -> None:
    merged = merge_config(pack.policies, load_pack_config(CONFIG_DIR / f"{env}.json"))
    assert set(merged) == set(GUARDRAILS)
    assert merged["required-tags"].properties["requiredTags"] == list(REQUIRED_TAG_KEYS)
    assert merged["sg-no-world-ingress"].properties["allowedPublicPorts"] == [80, 443]


def test_detection_budget_comes_from_the_env(pack: PolicyPackAnalyzer) -> None:
    tg = FakeResource(TG, "srv-llm-chat", with_(GOOD_TG, healthCheck=with_(HEALTH, interval=10)))
    pack.configure_env("dev")  # 30 s allowed
    assert pack.analyze(tg).of("tg-failover-detection") == []
    pack.configure_env("prod")  # 10 s allowed
    (violation,) = pack.analyze(tg).of("tg-failover-detection")
    assert violation.detail == "failure detection takes 20s (10s x 2), above the 10s allowed"


def test_the_cidr_allowlist_applies_where_an_env_gives_one(pack: PolicyPackAnalyzer) -> None:
    rule = FakeResource(INGRESS, "alb-in-443", with_(HTTPS_IN, cidrIpv4="192.0.2.0/24"))
    pack.configure(
        {"all": "mandatory", "sg-ingress-cidr-allowlist": {"allowedIngressCidrs": ["10.0.0.0/8"]}}
    )
    assert [d.detail for d in pack.analyze_stack([rule]).of("sg-ingress-cidr-allowlist")] == [
        "rule alb-in-443 admits 192.0.2.0/24, outside the allowlist"
    ]
    pack.configure({"all": "mandatory"})
    assert pack.analyze_stack([rule]).of("sg-ingress-cidr-allowlist") == []


# ---- tunables ----------------------------------------------------------------------------------
TUNABLES: list[tuple[str, str, dict[str, Any], dict[str, Any], bool]] = [
    # policy, type, props, config, verdict flips from violating (True) or from compliant (False)
    ("alb-desync-mitigation", LB, with_(GOOD_LB, desyncMitigationMode="monitor"), {"allowedModes": ["monitor", "defensive", "strictest"]}, True),
    ("alb-multi-az", LB, with_(GOOD_LB, subnets=SUBNETS[:2]), {"minAvailabilityZones": 3}, False),
    ("alb-tls-policy-allowed", LISTENER, with_(HTTPS, sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"), {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"]}, False),
    ("tg-failover-detection", TG, with_(GOOD_TG, healthCheck=with_(HEALTH, interval=10)), {"maxDetectionSeconds": 10}, False),
    ("tg-deregistration-delay", TG, with_(GOOD_TG, deregistrationDelay=300), {"maxDrainSeconds": 300}, True),
    ("sg-no-world-ingress", INGRESS, with_(HTTPS_IN, fromPort=8443, toPort=8443), {"allowedPublicPorts": [80, 443, 8443]}, True),
    ("sg-no-world-ingress", INGRESS, with_(HTTPS_IN, fromPort=8443, toPort=8443, cidrIpv4="11.0.0.0/8"), {"broadestPrefix": 9}, False),
    ("sg-no-high-risk-ports", INGRESS, with_(HTTPS_IN, fromPort=9443, toPort=9443), {"highRiskPorts": [22, 9443]}, False),
    ("sg-no-high-risk-ports", INGRESS, with_(HTTPS_IN, fromPort=22, toPort=22, cidrIpv4="11.0.0.0/8"), {"broadestPrefix": 9}, False),
    ("allowed-resource-types", CFN_STACK, {"templateBody": "{}", "tags": TAGS}, {"allowedTypes": [CFN_STACK]}, True),
    ("sg-ingress-cidr-allowlist", INGRESS, with_(HTTPS_IN, cidrIpv4="192.0.2.0/24"), {"allowedIngressCidrs": ["10.0.0.0/8"]}, False),
    ("required-tags", LB, with_(GOOD_LB, tags={"team": "ml-platform", "env": "prod"}), {"requiredTags": list(REQUIRED_TAG_KEYS)}, False),
]  # fmt: skip


@pytest.mark.parametrize("tunable", TUNABLES, ids=[t[0] for t in TUNABLES])
def test_a_tunable_changes_the_verdict(
    pack: PolicyPackAnalyzer, tunable: tuple[str, str, dict[str, Any], dict[str, Any], bool]
) -> None:
    policy, type_, props, config, violates_by_default = tunable
    resource = FakeResource(type_, "tuned", props)
    pack.configure({"all": "mandatory"})
    assert bool(pack.analyze_all([resource]).of(policy)) is violates_by_default
    pack.configure({"all": "mandatory", policy: config})
    assert bool(pack.analyze_all([resource]).of(policy)) is not violates_by_default


def test_every_tunable_is_exercised() -> None:
    tuned = {(policy, key) for policy, _, _, config, _ in TUNABLES for key in config}
    declared = {(g.name, key) for g in GUARDRAILS.values() for key in g.config}
    assert tuned == declared


# ---- exemptions --------------------------------------------------------------------------------
LEGACY = FakeResource(
    LISTENER,
    "legacy-partner-tls",
    with_(HTTPS, sslPolicy="ELBSecurityPolicy-2016-08", certificateArn=""),
)
EXEMPT = {"resource": "legacy-partner-tls", "reason": "SEC-1234: retired 2026-12-31"}


@pytest.mark.parametrize("by", ["name", "urn"])
def test_an_exempt_resource_is_reported_not_applicable_with_the_reason(
    pack: PolicyPackAnalyzer, by: str
) -> None:
    pack.configure({"all": "mandatory"})
    assert pack.analyze(LEGACY).of("alb-tls-policy-allowed")
    exemption = EXEMPT if by == "name" else {**EXEMPT, "resource": LEGACY.urn}
    pack.configure({"all": "mandatory", "alb-tls-policy-allowed": {"exemptions": [exemption]}})
    result = pack.analyze(LEGACY)
    assert result.of("alb-tls-policy-allowed") == []
    assert [(n.policy, n.reason, n.urn) for n in result.not_applicable] == [
        (
            "alb-tls-policy-allowed",
            "exempt by policy config: SEC-1234: retired 2026-12-31",
            LEGACY.urn,
        )
    ]
    assert [n.exemption for n in result.exemptions] == ["SEC-1234: retired 2026-12-31"]
    assert result.of("alb-https-certificate"), "other policies still apply to the exempt resource"


def test_an_exemption_covers_only_the_named_resource(pack: PolicyPackAnalyzer) -> None:
    pack.configure({"all": "mandatory", "alb-tls-policy-allowed": {"exemptions": [EXEMPT]}})
    other = FakeResource(LISTENER, "partner-tls", LEGACY.inputs)
    result = pack.analyze(other)
    assert [d.urn for d in result.of("alb-tls-policy-allowed")] == [urn(LISTENER, "partner-tls")]
    assert result.not_applicable == []


def test_a_resource_type_is_exempt_by_the_resource_name(pack: PolicyPackAnalyzer) -> None:
    legacy = FakeResource(CFN_STACK, "legacy-dns", {"templateBody": "{}", "tags": TAGS})
    reason = {"resource": "legacy-dns", "reason": "SEC-2001: migrating off CloudFormation by Q3"}
    pack.configure({"all": "mandatory", "allowed-resource-types": {"exemptions": [reason]}})
    result = pack.analyze(legacy)
    assert result.of("allowed-resource-types") == []
    assert [n.exemption for n in result.exemptions] == [reason["reason"]]


def test_a_stack_policy_exemption_shows_and_other_resources_still_fail(
    pack: PolicyPackAnalyzer,
) -> None:
    exempt, other = alb("serving-alb"), alb("batch-alb")
    pack.configure(
        {
            "all": "mandatory",
            "alb-waf-associated": {
                "exemptions": [{"resource": "serving-alb", "reason": "CloudFront WAF in front"}]
            },
        }
    )
    result = pack.analyze_stack(on_the_wire([exempt, other]))
    assert [d.urn for d in result.of("alb-waf-associated")] == [other.urn]
    assert [(n.policy, n.exemption) for n in result.exemptions] == [
        ("alb-waf-associated", "serving-alb: CloudFront WAF in front")
    ]


# ---- config errors -----------------------------------------------------------------------------
BAD_CONFIGS = [
    ({"alb-acess-logs": "mandatory"}, "prod.json: unknown policy 'alb-acess-logs' (the pack has 39 policies)"),
    ({"all": "blocking"}, "prod.json: all: enforcement level 'blocking' is not one of advisory, mandatory, remediate, disabled"),
    ({"alb-multi-az": {"enforcementLevel": "strict"}}, "prod.json: alb-multi-az: enforcement level 'strict' is not one of"),
    ({"alb-multi-az": 3}, "prod.json: alb-multi-az = 3: expected an enforcement level or an object"),
    ({"alb-multi-az": {"minAvailabilityZones": "3"}}, "prod.json: alb-multi-az: minAvailabilityZones = \"3\": '3' is not of type 'integer'"),
    ({"alb-multi-az": {"minAvailabilityZones": 1}}, "prod.json: alb-multi-az: minAvailabilityZones = 1: 1 is less than the minimum of 2"),
    ({"tg-failover-detection": {"maxDetectionSecond": 10}}, "prod.json: tg-failover-detection: unknown property 'maxDetectionSecond' (known: exemptions, maxDetectionSeconds)"),
    ({"sg-ingress-cidr-allowlist": {"allowedIngressCidrs": ["10.0.0/8 "]}}, "prod.json: sg-ingress-cidr-allowlist: allowedIngressCidrs.0 = \"10.0.0/8 \": '10.0.0/8 ' does not match"),
    ({"sg-no-world-ingress": {"exemptions": [{"resource": "legacy-scoring-8080"}]}}, "prod.json: sg-no-world-ingress: exemptions.0 = {\"resource\": \"legacy-scoring-8080\"}: 'reason' is a required property"),
    ({"sg-no-world-ingress": {"broadestPrefix": 40}}, "prod.json: sg-no-world-ingress: broadestPrefix = 40: 40 is greater than the maximum of 32"),
    ({"allowed-resource-types": {"allowedTypes": ["aws:s3/bucket"]}}, "prod.json: allowed-resource-types: allowedTypes.0 = \"aws:s3/bucket\": 'aws:s3/bucket' does not match"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("config", "message"), BAD_CONFIGS, ids=[m.split(": ")[1] for _, m in BAD_CONFIGS]
)
def test_a_bad_config_is_one_line_naming_the_key_and_value(
    pack: PolicyPackAnalyzer, config: dict[str, Any], message: str
) -> None:
    pack.configure_env("prod")
    before = dict(pack.levels)
    with pytest.raises(PolicyPackError) as error:
        pack.configure(config, source="policies/config/prod.json")
    assert str(error.value).startswith(f"policies/config/{message}")
    assert "\n" not in str(error.value)
    assert pack.levels == before, "a rejected config is never sent"


def test_a_bad_config_file_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "prod.json"
    broken.write_text('{ "all": mandatory }')
    with pytest.raises(
        PolicyPackError,
        match=r"prod.json: not valid JSON \(Expecting value at line 1, column 10\)$",
    ):
        load_pack_config(broken)
    broken.write_text('["all"]')
    with pytest.raises(
        PolicyPackError, match=r"prod.json: expected a JSON object of policy names$"
    ):
        load_pack_config(broken)
    with pytest.raises(PolicyPackError, match=r"staging.json: no such policy config file$"):
        load_pack_config(tmp_path / "staging.json")
    broken.write_text("  \n")
    assert load_pack_config(broken) == {}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_committed_config_files_are_in_the_cli_format(env: str) -> None:
    config = json.loads((CONFIG_DIR / f"{env}.json").read_text())
    assert set(config) - {"all"} <= set(GUARDRAILS)
    for name, entry in config.items():
        assert isinstance(entry, str | dict), name


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_type_the_committed_stacks_declare_is_allowed(
    pack: PolicyPackAnalyzer, env: str
) -> None:
    """The allowlist is derived from what the platform renders: nothing of it is blocked."""
    pack.configure_env(env)
    for stack in STACKS:
        resources = render(stack, env, preview=True).resources
        assert pack.analyze_all(resources).of("allowed-resource-types") == [], stack


@pytest.mark.parametrize(
    "type_",
    [
        "aws:cloudformation/stack:Stack",
        "aws:cloudcontrol/resource:Resource",
        "aws:elb/loadBalancer:LoadBalancer",
        "pulumi-python:dynamic:Resource",
        "pulumi:providers:acme",
        "acmecorp:serving:Thing",
        "aws:ec2/instance:Instance",
    ],
)
def test_escape_hatches_are_not_on_the_allowlist(type_: str) -> None:
    (message,) = check_allowed_type(
        Resource(type_, "x", urn(type_, "x"), {}), {"allowedTypes": ALLOWED_TYPES}
    )
    assert message == (
        f"resource type {type_} is not on the platform's allowlist: it escapes the guardrails "
        "until it is added to allowedTypes on purpose"
    )


def test_a_new_component_of_the_platform_needs_no_allowlist_change() -> None:
    """Components group resources (each child is judged on its own): the namespace is allowed."""
    component = Resource(
        "acme:serving:AlbFrontDoor", "front", urn("acme:serving:AlbFrontDoor", "front"), {}
    )
    assert check_allowed_type(component, {"allowedTypes": ALLOWED_TYPES}) == []
