"""Every stack policy: compliant and violating stacks, directly and through ``AnalyzeStack``.

Resources are linked the way the engine links them: by the property dependencies of the input
that refers to another resource, never by ARN value. Each stack runs as a preview sees it (ARNs
unknown) and as an update sees it (every ARN known).
"""

from __future__ import annotations

import pytest

from guardrails import GUARDRAILS
from guardrails.adapters import STACK_CHECKS
from guardrails.resource import Resource
from guardrails.settings import effective_config
from tests.policies.cases import STACK_CASES, StackCase
from tests.policies.conftest import FakeResource, on_the_wire, update
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


def blamed(case: StackCase, resources: list[FakeResource]) -> str:
    (resource,) = [r for r in resources if r.name == case.blamed]
    return resource.urn


@pytest.fixture
def mandatory(pack: PolicyPackAnalyzer) -> PolicyPackAnalyzer:
    pack.configure({"all": "mandatory"})
    return pack


@pytest.mark.parametrize("mode", ["preview", "update"])
@pytest.mark.parametrize("case", STACK_CASES, ids=case_id)
def test_direct_call(case: StackCase, mode: str) -> None:
    def build(good: bool) -> list[FakeResource]:
        resources = case.good() if good else case.bad()
        return update(resources) if mode == "update" else resources

    check = STACK_CHECKS[case.policy]
    config = effective_config(GUARDRAILS[case.policy], None)
    assert check(plain(build(good=True)), config) == []
    bad = build(good=False)
    violations = [(r.urn, m) for r, m in check(plain(bad), config)]
    assert [m for u, m in violations if case.expect in m and u == blamed(case, bad)], violations


@pytest.mark.parametrize("mode", ["preview", "update"])
@pytest.mark.parametrize("case", STACK_CASES, ids=case_id)
def test_through_analyze_stack(mandatory: PolicyPackAnalyzer, case: StackCase, mode: str) -> None:
    def build(good: bool) -> list[FakeResource]:
        resources = case.good() if good else case.bad()
        return on_the_wire(update(resources) if mode == "update" else resources)

    good = mandatory.analyze_stack(build(good=True))
    assert good.of(case.policy) == []
    assert not [d for d in good.diagnostics if "during preview" in d.message]

    resources = build(good=False)
    violations = mandatory.analyze_stack(resources).of(case.policy)
    assert [v for v in violations if case.expect in v.detail], [v.detail for v in violations]
    for violation in violations:
        assert violation.level == "mandatory"
        assert violation.urn == blamed(case, resources)
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


def test_a_listener_is_not_linked_by_arn_value(mandatory: PolicyPackAnalyzer) -> None:
    """Equal ARN strings without a property dependency do not make an HTTPS listener count."""
    lb, https, _ = update(STACK_CASES[0].good())
    https.property_dependencies = {}
    https.dependencies = []
    violations = mandatory.analyze_stack([lb, https]).of("alb-https-listener-present")
    assert [v.urn for v in violations] == [lb.urn]


def test_every_stack_policy_has_cases() -> None:
    assert {c.policy for c in STACK_CASES} == set(STACK_CHECKS)
