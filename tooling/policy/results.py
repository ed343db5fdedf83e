"""What the pack says: its policies (``GetAnalyzerInfo``) and its verdicts (``Analyze``/``AnalyzeStack``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guardrails.exemptions import EXEMPT_PREFIX


@dataclass(frozen=True)
class PolicyDescription:
    """A policy as ``GetAnalyzerInfo`` describes it."""

    name: str
    description: str
    enforcement_level: str
    severity: str
    controls: list[str]
    """The policy's tags (this pack puts its Security Hub / Checkov controls there)."""
    remediation: str
    stack: bool
    """A stack policy (``AnalyzeStack``) rather than a resource policy (``Analyze``)."""
    schema: dict[str, Any]
    """JSON schema of the policy's properties: ``{"properties": {...}, "required": [...]}``."""

    @property
    def defaults(self) -> dict[str, Any]:
        return {
            key: spec["default"]
            for key, spec in self.schema.get("properties", {}).items()
            if isinstance(spec, dict) and "default" in spec
        }


@dataclass(frozen=True)
class Diagnostic:
    """One violation."""

    policy: str
    pack: str
    message: str
    """As the SDK reports it: the policy's description, a newline, then the violation's own text."""
    description: str
    urn: str
    """The violating resource (for a resource policy, the analyzed resource)."""
    level: str
    severity: str

    @property
    def detail(self) -> str:
        """The violation's own text, without the policy description the SDK puts first."""
        head, sep, rest = self.message.partition("\n")
        if sep and head.strip() == self.description.strip():
            return rest.strip()
        return self.message.strip()


@dataclass(frozen=True)
class NotApplicable:
    """A policy that did not apply; an exemption from the policy's config is one of these."""

    policy: str
    reason: str
    urn: str = ""
    """The analyzed resource for ``Analyze``; empty for ``AnalyzeStack`` (the reason names it)."""

    @property
    def exemption(self) -> str | None:
        """The exemption's reason, if this is an exemption."""
        return self.reason.removeprefix(EXEMPT_PREFIX) if self.is_exemption else None

    @property
    def is_exemption(self) -> bool:
        return self.reason.startswith(EXEMPT_PREFIX)


@dataclass
class Analysis:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)

    def extend(self, other: Analysis) -> None:
        self.diagnostics.extend(other.diagnostics)
        self.not_applicable.extend(other.not_applicable)

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "mandatory"]

    @property
    def advisory(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "advisory"]

    @property
    def exemptions(self) -> list[NotApplicable]:
        return [n for n in self.not_applicable if n.is_exemption]

    def of(self, policy: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.policy == policy]
