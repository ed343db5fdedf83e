"""The adversarial corpus (``corpus/programs.py``) through the real pack, in preview and update.

Each program is rendered once per mode under the mock runtime (as a stack of its own) and analyzed
once, with a prod-like config built here (never the committed env files). A violating program must
be blocked in the update, and in the preview either blocked too or reported unverified by
``preview-unverified``; a false-positive program must be clean in both. Whatever a program is, a
violation in the update never goes unmentioned in the preview.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from guardrails import GUARDRAILS
from tests.policies.corpus.programs import PROGRAMS, Expect, Program
from tooling.mock_runtime import RegisteredResource, render
from tooling.policy_analyzer import Analysis, Diagnostic, PolicyPackAnalyzer

RUNNER = Path(__file__).parent / "corpus" / "runner"
CONFIG = {
    "all": "mandatory",
    "alb-waf-associated": "advisory",
    "s3-sse-s3": "advisory",
    "alb-access-log-bucket-in-stack": "advisory",
    "preview-unverified": "advisory",
    "alb-multi-az": {"minAvailabilityZones": 2},
    "required-tags": {"requiredTags": ["team", "env"]},
}
"""Prod's levels, with tunables that fit the corpus' two-subnet, two-tag programs."""
UNVERIFIED = "preview-unverified"

_analyses: dict[tuple[str, str], Analysis] = {}
_rendered: dict[tuple[str, str], list[RegisteredResource]] = {}


def with_ids(resources: list[RegisteredResource]) -> list[RegisteredResource]:
    """The engine's outputs carry each resource's id; the mock runtime's do not."""
    return [
        replace(r, outputs={"id": r.id, **r.outputs}) if r.id and "id" not in r.outputs else r
        for r in resources
    ]


def rendered(name: str, mode: str) -> list[RegisteredResource]:
    """One program's resources in one mode (``preview`` or ``update``), rendered once a session."""
    if (name, mode) not in _rendered:
        result = render(
            "serving",
            "prod",
            config={"corpus:program": name, "aws:region": "eu-west-1"},
            program=RUNNER,
            preview=mode == "preview",
        )
        _rendered[(name, mode)] = with_ids(result.created)
    return _rendered[(name, mode)]


def analysis(pack: PolicyPackAnalyzer, name: str, mode: str) -> Analysis:
    """The pack's verdict on one program in one mode, analyzed once a session."""
    if (name, mode) not in _analyses:
        resources = rendered(name, mode)
        pack.configure(CONFIG)
        _analyses[(name, mode)] = pack.analyze_all(resources)
    return _analyses[(name, mode)]


def shown(result: Analysis) -> list[str]:
    return [f"{d.level} {d.policy}: {d.detail}" for d in result.diagnostics]


def found(result: Analysis, expect: Expect) -> list[Diagnostic]:
    return [
        d
        for d in result.of(expect.policy)
        if expect.fragment in d.detail and d.level == expect.level
    ]


def noted(result: Analysis, policy: str, urn: str | None = None) -> list[Diagnostic]:
    prefix = f"{policy}: cannot verify during preview ("
    return [
        d
        for d in result.of(UNVERIFIED)
        if d.detail.startswith(prefix)
        and d.detail.endswith("; enforced at deploy")
        and (urn is None or d.urn == urn)
    ]


VIOLATING = [p for p in PROGRAMS.values() if not p.false_positive_case]
CLEAN = [p for p in PROGRAMS.values() if p.false_positive_case]


def program_id(p: Program) -> str:
    return p.name


def test_the_corpus_is_large_and_names_real_policies() -> None:
    assert len(PROGRAMS) >= 40
    assert len(VIOLATING) >= 40 and len(CLEAN) >= 8
    assert all(p.why for p in PROGRAMS.values())
    assert {e.policy for p in VIOLATING for e in p.expect} <= set(GUARDRAILS)


@pytest.mark.parametrize("program", VIOLATING, ids=program_id)
def test_a_violating_program_is_blocked_at_deploy(
    pack: PolicyPackAnalyzer, program: Program
) -> None:
    result = analysis(pack, program.name, "update")
    for expect in program.expect:
        assert found(result, expect), (expect, shown(result))
    assert result.of(UNVERIFIED) == [], "an update knows every value"


@pytest.mark.parametrize("program", VIOLATING, ids=program_id)
def test_a_violating_program_is_blocked_or_unverified_in_preview(
    pack: PolicyPackAnalyzer, program: Program
) -> None:
    result = analysis(pack, program.name, "preview")
    for expect in program.expect:
        if expect.preview == "same":
            assert found(result, expect), (expect, shown(result))
        else:
            assert not found(result, expect), "an unknown value is never a violation"
            assert noted(result, expect.policy), (expect, shown(result))


@pytest.mark.parametrize("mode", ["preview", "update"])
@pytest.mark.parametrize("program", CLEAN, ids=program_id)
def test_a_false_positive_case_is_clean(
    pack: PolicyPackAnalyzer, program: Program, mode: str
) -> None:
    result = analysis(pack, program.name, mode)
    assert result.mandatory == [], shown(result)
    assert result.of(UNVERIFIED) == [], shown(result)


@pytest.mark.parametrize("program", list(PROGRAMS.values()), ids=program_id)
def test_the_preview_never_hides_what_the_update_blocks(
    pack: PolicyPackAnalyzer, program: Program
) -> None:
    preview, update = (
        analysis(pack, program.name, "preview"),
        analysis(pack, program.name, "update"),
    )
    for violation in update.mandatory:
        same = [d for d in preview.of(violation.policy) if d.urn == violation.urn]
        assert same or noted(preview, violation.policy, violation.urn), (
            violation.policy,
            violation.detail,
            shown(preview),
        )
    assert not [
        d for d in preview.diagnostics + update.diagnostics if "can't run policy" in d.message
    ]
