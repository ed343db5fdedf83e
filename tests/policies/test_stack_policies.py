"""Every stack policy: compliant and violating stacks, directly and through ``AnalyzeStack``.

Resources are linked the way the engine links them: by the property dependencies of the input
that refers to another resource, never by ARN value. Each stack runs as a preview sees it (ARNs
unknown) and as an update sees it (every ARN known).
"""

from __future__ import annotations

import pytest

from guardrails import GUARDRAILS
from guardrails.adapters import STACK_CHECKS
from guardrails.findings import Finding
from guardrails.resource import Resource
from guardrails.settings import effective_config
from tests.policies.cases import CASE_CONFIG, STACK_CASES, StackCase, alb
from tests.policies.conftest import FakeResource, alb_arn, on_the_wire, update
from tooling.policy_analyzer import PolicyPackAnalyzer


def case_id(case: StackCase) -> str:
    return f"{case.policy}:{case.expect[:40]}"


def plain(resources: list[FakeResource]) -> list[Resource]:
    return [
        Resource(
            r.type,
            r.name,
            r.urn,
            r.outputs,
            r.parent or None,
            r.dependencies,
            r.property_dependencies,
        )
        for r in resources
    ]


def case_config(policy: str) -> dict[str, object]:
    given = CASE_CONFIG.get(policy)
    return effective_config(GUARDRAILS[policy], given if isinstance(given, dict) else None)


def only_violations(found: list[tuple[Resource, Finding]]) -> list[tuple[str, str]]:
    return [(r.urn, f) for r, f in found if isinstance(f, str)]


def blamed(case: StackCase, resources: list[FakeResource]) -> str:
    (resource,) = [r for r in resources if r.name == case.blamed]
    return resource.urn


@pytest.fixture
def mandatory(pack: PolicyPackAnalyzer) -> PolicyPackAnalyzer:
    pack.configure(CASE_CONFIG)
    return pack


@pytest.mark.parametrize("mode", ["preview", "update"])
@pytest.mark.parametrize("case", STACK_CASES, ids=case_id)
def test_direct_call(case: StackCase, mode: str) -> None:
    def build(good: bool) -> list[FakeResource]:
        resources = case.good() if good else case.bad()
        return update(resources) if mode == "update" else resources

    check = STACK_CHECKS[case.policy]
    config = case_config(case.policy)
    assert only_violations(check(plain(build(good=True)), config)) == []
    bad = build(good=False)
    violations = only_violations(check(plain(bad), config))
    assert [m for u, m in violations if case.expect in m and u == blamed(case, bad)], violations


@pytest.mark.parametrize("mode", ["preview", "update"])
@pytest.mark.parametrize("case", STACK_CASES, ids=case_id)
def test_through_analyze_stack(mandatory: PolicyPackAnalyzer, case: StackCase, mode: str) -> None:
    def build(good: bool) -> list[FakeResource]:
        resources = case.good() if good else case.bad()
        return on_the_wire(update(resources) if mode == "update" else resources)

    good = mandatory.analyze_stack(build(good=True))
    assert good.of(case.policy) == []
    assert not [d for d in good.diagnostics if "can't run policy" in d.message]

    resources = build(good=False)
    violations = mandatory.analyze_stack(resources).of(case.policy)
    expected = [v for v in violations if case.expect in v.detail]
    assert [v.urn for v in expected] == [blamed(case, resources)], [v.detail for v in violations]
    for violation in violations:
        assert violation.level == "mandatory"
        assert violation.urn in {r.urn for r in resources}
        assert violation.severity == GUARDRAILS[case.policy].severity.value


def test_update_mode_really_knows_the_arns() -> None:
    """The update variant of a stack has no unknown left, and links stay property dependencies."""
    from guardrails.values import has_unknown

    for case in STACK_CASES:
        for resources in (update(case.good()), update(case.bad())):
            assert not any(has_unknown(r.outputs) or has_unknown(r.inputs) for r in resources)
    lb, https, _ = update(STACK_CASES[0].good())
    assert https.outputs["loadBalancerArn"] == lb.outputs["arn"]
    assert https.outputs["loadBalancerArn"].startswith("arn:aws:elasticloadbalancing:eu-west-1:")


def test_a_listener_is_linked_by_its_arn_value_as_well(mandatory: PolicyPackAnalyzer) -> None:
    """A literal ARN (no property dependency) links once it is known; in a preview it is unverified."""
    lb, https, _ = update(STACK_CASES[0].good())
    https.property_dependencies = {}
    https.dependencies = []
    result = mandatory.analyze_stack([lb, https])
    assert result.of("alb-https-listener-present") == []
    (preview_lb, preview_https, _) = STACK_CASES[0].good()
    preview_https.property_dependencies, preview_https.dependencies = {}, []
    preview_https.outputs["loadBalancerArn"] = https.outputs["loadBalancerArn"]
    result = mandatory.analyze_stack(on_the_wire([preview_lb, preview_https]))
    assert result.of("alb-https-listener-present") == []
    assert [d.detail for d in result.of("preview-unverified")] == [
        "alb-https-listener-present: cannot verify during preview (the protocol or load "
        "balancer of https is unknown); enforced at deploy"
    ]


def test_a_dependency_that_names_another_resource_is_no_link(mandatory: PolicyPackAnalyzer) -> None:
    lb, https, http = update(STACK_CASES[0].good())
    other = alb("other-alb")
    other.outputs["arn"] = alb_arn("other-alb")
    https.outputs["loadBalancerArn"] = other.outputs["arn"]  # depends on lb, names other-alb
    result = mandatory.analyze_stack([lb, https, http, other])
    assert [(d.urn, d.detail) for d in result.of("resource-links-consistent")] == [
        (
            https.urn,
            f"https.loadBalancerArn depends on serving-alb but names {alb_arn('other-alb')}, "
            f"not serving-alb's arn {lb.outputs['arn']}",
        )
    ]
    assert [d.urn for d in result.of("alb-https-listener-present")] == [lb.urn]


def test_every_stack_policy_has_cases() -> None:
    assert {c.policy for c in STACK_CASES} == set(STACK_CHECKS)
