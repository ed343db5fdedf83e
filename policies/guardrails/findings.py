"""What a check returns: violations, and what it could not judge because a preview does not know it.

A check returns a list of findings: a ``str`` is a violation (reported by the check's own policy),
an :class:`Unverified` names a decisive value that is unknown in a preview. The checks never guess
an unknown value, so such a value is never a violation; the ``preview-unverified`` policy reports
each :class:`Unverified` instead, so the reader learns what the preview could not check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Unverified:
    """A decisive value a preview does not know (``"sslPolicy"``, ``"rule ssh's source CIDR"``)."""

    what: str


Finding = str | Unverified
"""A violation message, or a value the check could not judge."""


def violations(findings: Iterable[Finding]) -> list[str]:
    return [f for f in findings if isinstance(f, str)]


def unverified(findings: Iterable[Finding]) -> list[Unverified]:
    return [f for f in findings if isinstance(f, Unverified)]


def unverified_message(policy: str, note: Unverified) -> str:
    """How ``preview-unverified`` words a note (a contract with ``make plan``'s unverified column)."""
    return f"{policy}: cannot verify during preview ({note.what} is unknown); enforced at deploy"
