"""``preview-unverified``: what a preview could not check, said out loud.

During a preview the ids and ARNs of new resources, and whatever is computed from them, are
unknown. The checks never guess them (an unknown value is never a violation); each check returns
an :class:`~guardrails.findings.Unverified` note instead when the value decides its verdict, and
this one advisory policy reports every note, on its resource:

    <policy>: cannot verify during preview (<what> is unknown); enforced at deploy

It is advisory in every env: the engine reports a violation at its policy's level, so a mandatory
policy could not say "maybe". ``make plan`` counts these in its ``unverified`` column.
"""

from __future__ import annotations

from pulumi_policy import Severity

from guardrails.adapters import unverified_policy
from guardrails.meta import ANY_TYPE, Guardrail, sees

PREVIEW_UNVERIFIED = Guardrail(
    name="preview-unverified",
    description="Says which decisive values a preview does not know yet, so which checks run only at deploy.",
    severity=Severity.LOW,
    controls=("guardrail coverage",),
    remediation="Nothing to fix: the named policy judges the value at deploy. To judge it in the preview, pass a known value (a literal, or config) instead of another resource's computed output.",
    sees=(sees(ANY_TYPE, "(every value the other policies read)"),),
)

POLICIES = [unverified_policy(PREVIEW_UNVERIFIED)]
GUARDRAILS = [PREVIEW_UNVERIFIED]
