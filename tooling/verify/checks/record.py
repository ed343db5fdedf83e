"""The check record every check function returns, and the helpers that build it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Status = Literal["pass", "fail", "warn"]

REDEPLOY = "redeploy the serving stack (`make deploy`), which sets it back"
"""The fix for a setting that drifted from what the stack sets."""


@dataclass(frozen=True)
class Check:
    group: str
    """``load balancer``, ``attributes``, ``listeners``, ``access-log bucket`` or ``model <name>``."""
    name: str
    status: Status
    detail: str
    """One line: what AWS says, and what was expected when it differs."""
    actual: str | None = None
    """What AWS has (``None`` where there is nothing to show)."""
    expected: str | None = None
    """What the stack's outputs ask for."""
    fix: str | None = None
    """How to put it right; only on a failure or a warning."""

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)


def check(
    group: str,
    name: str,
    ok: bool,
    detail: str,
    *,
    otherwise: Status = "fail",
    actual: str | None = None,
    expected: str | None = None,
    fix: str | None = None,
) -> Check:
    """``pass`` if ``ok``, else ``otherwise`` (``fail``, or ``warn`` for what does not break HA)."""
    status: Status = "pass" if ok else otherwise
    return Check(group, name, status, detail, actual, expected, None if ok else fix)


def compare(
    group: str,
    name: str,
    actual: object,
    expected: object,
    *,
    fix: str = REDEPLOY,
    otherwise: Status = "fail",
) -> Check:
    """Equal, or a failure whose detail reads ``<actual> (expected <expected>)``."""
    shown, wanted = _text(actual), _text(expected)
    ok = actual == expected
    detail = shown if ok else f"{shown} (expected {wanted})"
    return check(
        group, name, ok, detail, otherwise=otherwise, actual=shown, expected=wanted, fix=fix
    )


def on_off(value: bool) -> str:
    return "on" if value else "off"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return on_off(value)
    return str(value)
