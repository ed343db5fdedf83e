"""``preview-unverified`` reports are counted apart, listed, and never change the exit code.

The pack's policy may not exist on this branch yet: a stand-in pack returns its diagnostics.
"""

from __future__ import annotations

from typing import Any

from tooling.mock_runtime import RegisteredResource
from tooling.plan.markdown import markdown
from tooling.plan.policy import verdicts_of
from tooling.plan.report import PlanReport, StackPlan, exit_code_of, status_of
from tooling.policy.results import Analysis, Diagnostic, PolicyDescription

LISTENER = RegisteredResource(
    type="aws:lb/listener:Listener", name="serving-https", urn="urn:l", id="", inputs={},
    outputs={}, parent="", custom=True,
)  # fmt: skip


class StandInPack:
    def describe(self, policy: str) -> PolicyDescription | None:
        return PolicyDescription(policy, "", "mandatory", "high", ["CTRL-1"], "", False, {})


def _diagnostic(policy: str, detail: str, level: str = "advisory") -> Diagnostic:
    return Diagnostic(policy, "pack", f"Desc.\n{detail}", "Desc.", LISTENER.urn, level, "low")


def test_unverified_checks_are_apart_from_violations() -> None:
    analysis = Analysis(
        diagnostics=[
            _diagnostic(
                "preview-unverified",
                "alb-tls-policy-allowed: cannot verify during preview (sslPolicy is unknown); enforced at deploy",
            ),
            _diagnostic(
                "preview-unverified", "something the gate does not parse", level="mandatory"
            ),
            _diagnostic("alb-https-certificate", "no certificate", level="mandatory"),
        ]
    )
    pack: Any = StandInPack()
    verdicts = verdicts_of(pack, analysis, {LISTENER.urn: LISTENER})
    assert [(u.policy, u.what, u.resource_name) for u in verdicts.unverified] == [
        ("alb-tls-policy-allowed", "sslPolicy", "serving-https"),
        ("preview-unverified", "", "serving-https"),
    ]
    assert [v.policy for v in verdicts.violations] == ["alb-https-certificate"]
    assert verdicts.violations[0].controls == ["CTRL-1"]


def test_unverified_checks_never_change_the_exit_code_and_are_listed() -> None:
    pack: Any = StandInPack()
    only_unverified = verdicts_of(
        pack,
        Analysis(
            diagnostics=[
                _diagnostic(
                    "preview-unverified",
                    "x: cannot verify during preview (y is unknown); enforced at deploy",
                    "mandatory",
                )
            ]
        ),
        {LISTENER.urn: LISTENER},
    )
    plan = StackPlan(
        stack="serving", env="prod", status=status_of(only_unverified.violations),
        unverified=only_unverified.unverified,
    )  # fmt: skip
    assert plan.status == "clean" and exit_code_of([plan]) == 0
    text = markdown(PlanReport(stacks=[plan], exit_code=0))
    assert "| serving | prod | 0 | 0 | 0 | 1 | 0 | ✅ clean |" in text
    assert (
        "- <code>x</code> on <code>lb.Listener</code> <code>serving-https</code>: y is unknown"
        in text
    )
