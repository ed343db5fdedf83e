"""What every guardrail declares: a stable name, what it enforces, how bad a violation is, the
controls it maps to (AWS Security Hub, Checkov), how to fix it, its tunables, and what it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import Severity

from guardrails.exemptions import EXEMPT_PREFIX  # re-exported: tools read exemptions with it

__all__ = ["ANY_TYPE", "EXEMPT_PREFIX", "Guardrail", "Sees", "sees"]

ANY_TYPE = "*"
"""In :attr:`Sees.types`: every resource the stack declares."""


@dataclass(frozen=True)
class Sees:
    """Resource types a guardrail reads, and the fields (camelCase inputs) it reads of them."""

    types: frozenset[str]
    fields: tuple[str, ...]


def sees(types: frozenset[str] | set[str] | str, *fields: str) -> Sees:
    return Sees(frozenset({types} if isinstance(types, str) else types), fields)


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
    sees: tuple[Sees, ...] = ()
    """What the policy reads (the README's table of what each policy sees)."""

    @property
    def summary(self) -> str:
        """The description with its controls, as the engine shows it."""
        return f"{self.description} [{', '.join(self.controls)}]"
