"""Unknown values never crash a policy and never make a compliant resource violate.

For every compliant case, each value (and each object or list) is made unknown in turn, as a
preview may send it; the policy must stay silent, and no policy may give up "during preview".
For every violating case, the same must never raise.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from guardrails import GUARDRAILS
from guardrails.adapters import RESOURCE_CHECKS, STACK_CHECKS
from guardrails.findings import violations
from guardrails.resource import Resource
from guardrails.settings import effective_config
from tests.policies.cases import CASE_CONFIG, RESOURCE_CASES, STACK_CASES, Case, StackCase
from tests.policies.conftest import FakeResource, on_the_wire, unknown_variants, urn, wire
from tests.policies.test_resource_policies import case_id
from tests.policies.test_stack_policies import case_id as stack_case_id
from tests.policies.test_stack_policies import plain
from tooling.policy_analyzer import PolicyPackAnalyzer


def _config(policy: str) -> dict[str, object]:
    given = CASE_CONFIG.get(policy)
    return effective_config(GUARDRAILS[policy], given if isinstance(given, dict) else None)


def test_variants_cover_every_value() -> None:
    variants = dict(unknown_variants({"a": [1, {"b": 2}], "c": 3}))
    assert set(variants) == {("a",), ("a", 0), ("a", 1), ("a", 1, "b"), ("c",)}
    assert variants[("a", 1, "b")]["a"][1]["b"] is not None


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_resource_checks_with_any_value_unknown(case: Case) -> None:
    _, check = RESOURCE_CHECKS[case.policy]
    config = _config(case.policy)
    for path, props in unknown_variants(case.good):
        resource = Resource(case.type, "good", urn(case.type, "good"), props)
        assert violations(check(resource, config)) == [], f"unknown at {path}"
    for _, props in unknown_variants(case.bad):
        check(Resource(case.bad_kind, "bad", urn(case.bad_kind, "bad"), props), config)


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_resource_policies_with_any_value_unknown_over_grpc(
    pack: PolicyPackAnalyzer, case: Case
) -> None:
    pack.configure(CASE_CONFIG)
    for path, props in unknown_variants(case.good):
        result = pack.analyze(FakeResource(case.type, "good", wire(props)))
        assert result.of(case.policy) == [], f"unknown at {path}"
        assert not [d.message for d in result.diagnostics if "can't run policy" in d.message]


def _stack_variants(resources: list[FakeResource]) -> list[tuple[str, list[FakeResource]]]:
    variants = []
    for index, resource in enumerate(resources):
        for path, outputs in unknown_variants(resource.outputs):
            changed = replace(resource, outputs=outputs)
            variants.append(
                (
                    f"{resource.name}{list(path)}",
                    [*resources[:index], changed, *resources[index + 1 :]],
                )
            )
    return variants


@pytest.mark.parametrize("case", STACK_CASES, ids=stack_case_id)
def test_stack_checks_with_any_value_unknown(case: StackCase) -> None:
    check = STACK_CHECKS[case.policy]
    config = _config(case.policy)
    for where, resources in _stack_variants(case.good()):
        found = check(plain(resources), config)
        assert [f for _, f in found if isinstance(f, str)] == [], f"unknown at {where}"
    for _, resources in _stack_variants(case.bad()):
        check(plain(resources), config)


@pytest.mark.parametrize("case", STACK_CASES, ids=stack_case_id)
def test_stack_policies_with_any_value_unknown_over_grpc(
    pack: PolicyPackAnalyzer, case: StackCase
) -> None:
    pack.configure(CASE_CONFIG)
    for where, resources in _stack_variants(case.good()):
        result = pack.analyze_stack(on_the_wire(resources))
        assert result.of(case.policy) == [], f"unknown at {where}"
        assert not [d.message for d in result.diagnostics if "can't run policy" in d.message]


SILENT_WHEN_UNKNOWN = {
    (
        "alb-https-certificate",
        "['certificateArn']",
    ): "an unknown ARN is an ARN: a certificate the stack creates",
    ("resource-links-consistent", "serving-logs-BucketPublicAccessBlock['bucket']"): (
        "a preview cannot know any value that comes from a dependency: it trusts the dependency, "
        "and the update compares the value"
    ),
}
"""Unknown values that rightly decide nothing, and why."""


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_an_unknown_value_never_silences_a_resource_violation(case: Case) -> None:
    """Whatever part of a violating resource a preview does not know, the check says something:
    the violation still, or a note for ``preview-unverified``."""
    _, check = RESOURCE_CHECKS[case.policy]
    config = _config(case.policy)
    for path, props in unknown_variants(case.bad):
        if (case.policy, str(list(path))) in SILENT_WHEN_UNKNOWN:
            continue
        findings = check(Resource(case.bad_kind, "bad", urn(case.bad_kind, "bad"), props), config)
        assert findings, f"silent with {list(path)} unknown"


@pytest.mark.parametrize("case", STACK_CASES, ids=stack_case_id)
def test_an_unknown_value_never_silences_a_stack_violation(case: StackCase) -> None:
    check = STACK_CHECKS[case.policy]
    config = _config(case.policy)
    for where, resources in _stack_variants(case.bad()):
        if (case.policy, where) not in SILENT_WHEN_UNKNOWN:
            assert check(plain(resources), config), f"silent with {where} unknown"
