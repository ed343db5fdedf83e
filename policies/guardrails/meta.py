"""What every guardrail declares: a stable name, what it enforces, how bad a violation is, the
controls it maps to (AWS Security Hub, Checkov), how to fix it, and its tunables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import Severity

from guardrails.exemptions import EXEMPT_PREFIX  # re-exported: tools read exemptions with it

__all__ = ["EXEMPT_PREFIX", "Guardrail"]


@dataclass(frozen=True)
class Guardrail:
    name: str
    """The policy name the engine reports and config files use; never renamed."""
    description: str
    severity: Severity
    controls: tuple[str, ...]
    """E.g. ``("SecurityHub ELB.5", "CKV_AWS_91")``."""
    remediation: str
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """JSON-schema properties of this policy's tunables, each with a default."""

    @property
    def summary(self) -> str:
        """The description with its controls, as the engine shows it."""
        return f"{self.description} [{', '.join(self.controls)}]"
