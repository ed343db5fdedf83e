"""Every resource policy: compliant and violating props, called directly and through the pack.

Through the pack each case runs in update mode (every value known) and in preview mode (ARNs and
AWS ids unknown, sent as the engine's sentinel), judged with a prod-like mandatory config.
"""

from __future__ import annotations

import pytest

from guardrails import GUARDRAILS
from guardrails.adapters import RESOURCE_CHECKS
from guardrails.findings import violations
from guardrails.resource import Resource
from guardrails.settings import effective_config
from guardrails.values import UNKNOWN
from tests.policies.cases import CASE_CONFIG, HTTPS_IN, INGRESS, RESOURCE_CASES, Case, with_
from tests.policies.conftest import BUCKET_NAME, FakeResource, preview, urn, wire
from tooling.policy_analyzer import PolicyPackAnalyzer


def case_id(case: Case) -> str:
    return f"{case.policy}:{case.type.rsplit(':', maxsplit=1)[-1]}:{case.expect[:30]}"


def direct(case: Case, props: dict[str, object], type_: str | None = None) -> list[str]:
    types, check = RESOURCE_CHECKS[case.policy]
    type_ = type_ or case.type
    assert type_ in types or "*" in types
    given = CASE_CONFIG.get(case.policy)
    config = effective_config(GUARDRAILS[case.policy], given if isinstance(given, dict) else None)
    return violations(check(Resource(type_, "example", urn(type_, "example"), props), config))


@pytest.fixture
def prod_like(pack: PolicyPackAnalyzer) -> PolicyPackAnalyzer:
    pack.configure(CASE_CONFIG)
    return pack


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_direct_call(case: Case) -> None:
    assert direct(case, case.good) == []
    messages = direct(case, case.bad, case.bad_kind)
    assert any(case.expect in m for m in messages), messages


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_direct_call_in_preview(case: Case) -> None:
    assert direct(case, preview(case.good)) == []
    messages = direct(case, preview(case.bad), case.bad_kind)
    assert any(case.expect in m for m in messages), messages


@pytest.mark.parametrize("mode", ["update", "preview"])
@pytest.mark.parametrize("case", RESOURCE_CASES, ids=case_id)
def test_through_the_pack(prod_like: PolicyPackAnalyzer, case: Case, mode: str) -> None:
    def props(p: dict[str, object]) -> dict[str, object]:
        return wire(preview(p)) if mode == "preview" else p

    good = prod_like.analyze(FakeResource(case.type, "good", props(case.good)))
    assert good.of(case.policy) == []
    assert not [d for d in good.diagnostics if "can't run policy" in d.message]

    bad = prod_like.analyze(FakeResource(case.bad_kind, "bad", props(case.bad)))
    violations = bad.of(case.policy)
    assert [d.detail for d in violations if case.expect in d.detail], [d.detail for d in violations]
    for violation in violations:
        assert violation.level == "mandatory"
        assert violation.urn == urn(case.bad_kind, "bad")
        assert violation.pack == "alb-serving-guardrails"
        assert violation.severity == GUARDRAILS[case.policy].severity.value
        assert violation.message.startswith(GUARDRAILS[case.policy].summary)


def test_every_resource_policy_has_cases() -> None:
    assert {c.policy for c in RESOURCE_CASES} == set(RESOURCE_CHECKS)


def test_a_policy_ignores_types_it_does_not_govern(prod_like: PolicyPackAnalyzer) -> None:
    bucket = FakeResource(
        "aws:s3/bucket:Bucket", "serving-logs", {"bucket": BUCKET_NAME, "tags": {}}
    )
    result = prod_like.analyze(bucket)
    assert {d.policy for d in result.diagnostics} == {"required-tags"}


def test_sources_are_judged_even_when_a_preview_cannot_know_the_ports(
    prod_like: PolicyPackAnalyzer,
) -> None:
    rule = FakeResource(
        INGRESS,
        "partner-in",
        wire(with_(HTTPS_IN, cidrIpv4="192.0.2.0/24", fromPort=UNKNOWN, toPort=UNKNOWN)),
    )
    result = prod_like.analyze_stack([rule])
    assert [d.detail for d in result.of("sg-ingress-cidr-allowlist")] == [
        "rule partner-in admits 192.0.2.0/24, outside the allowlist"
    ]
    assert result.of("sg-no-world-ingress") == result.of("sg-no-high-risk-ports") == []
    assert result.of("preview-unverified") == [], "a narrow source is no world, whatever the ports"
