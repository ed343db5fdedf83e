"""``preview-unverified``: the contract with ``make plan``'s unverified column, over gRPC."""

from __future__ import annotations

import pytest

from guardrails import GUARDRAILS, POLICIES
from guardrails.values import UNKNOWN
from tests.policies.cases import HTTPS, LISTENER, alb, listener, with_
from tests.policies.conftest import FakeResource, on_the_wire, update, urn, wire
from tooling.policy_analyzer import PolicyPackAnalyzer

CONFIG = {"all": "mandatory", "preview-unverified": "advisory"}


def test_it_is_one_stack_policy_and_the_last_one() -> None:
    assert list(GUARDRAILS)[-1] == "preview-unverified" == POLICIES[-1].name


def test_an_unknown_tls_policy_is_named_not_judged(pack: PolicyPackAnalyzer) -> None:
    pack.configure(CONFIG)
    computed = FakeResource(LISTENER, "https", wire(with_(HTTPS, sslPolicy=UNKNOWN)))
    result = pack.analyze_all([computed])
    assert result.of("alb-tls-policy-allowed") == []
    (note,) = result.of("preview-unverified")
    assert note.detail == (
        "alb-tls-policy-allowed: cannot verify during preview (sslPolicy is unknown); "
        "enforced at deploy"
    )
    assert (note.level, note.urn, note.severity) == ("advisory", urn(LISTENER, "https"), "low")


def test_an_update_knows_the_value_and_blocks_it(pack: PolicyPackAnalyzer) -> None:
    pack.configure(CONFIG)
    known = FakeResource(LISTENER, "https", with_(HTTPS, sslPolicy="ELBSecurityPolicy-2016-08"))
    result = pack.analyze_all([known])
    assert result.of("preview-unverified") == []
    assert [d.level for d in result.of("alb-tls-policy-allowed")] == ["mandatory"]


def test_values_a_preview_knows_give_no_note(pack: PolicyPackAnalyzer) -> None:
    """Links by dependency (unknown ARNs of new resources) are no reason for a note."""
    pack.configure(CONFIG)
    stack = [lb := alb(), listener(lb, "HTTPS", "https"), listener(lb, "HTTP", "http")]
    assert pack.analyze_stack(on_the_wire(stack)).of("preview-unverified") == []
    assert pack.analyze_stack(update(stack)).of("preview-unverified") == []


def test_notes_of_an_exempt_resource_are_not_applicable(pack: PolicyPackAnalyzer) -> None:
    exempt = {"resource": "https", "reason": "SEC-9: policy set by the partner's automation"}
    pack.configure(
        {**CONFIG, "preview-unverified": {"enforcementLevel": "advisory", "exemptions": [exempt]}}
    )
    computed = FakeResource(LISTENER, "https", wire(with_(HTTPS, sslPolicy=UNKNOWN)))
    result = pack.analyze_stack([computed])
    assert result.of("preview-unverified") == []
    assert [n.exemption for n in result.exemptions] == [f"https: {exempt['reason']}"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_it_is_advisory_in_every_env(pack: PolicyPackAnalyzer, env: str) -> None:
    pack.configure_env(env)
    assert pack.levels["preview-unverified"] == "advisory"
