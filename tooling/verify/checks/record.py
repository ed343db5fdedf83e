"""The check record every check function returns, and the one helper that builds it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Status = Literal["pass", "fail", "warn"]


@dataclass(frozen=True)
class Check:
    group: str
    """``load balancer``, ``attributes``, ``listeners`` or ``model <name>``."""
    name: str
    status: Status
    detail: str
    """What AWS says, and what was expected when it differs: the reason of a failure."""

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def check(group: str, name: str, ok: bool, detail: str, *, otherwise: Status = "fail") -> Check:
    """``pass`` if ``ok``, else ``otherwise`` (``fail``, or ``warn`` for what does not break HA)."""
    return Check(group, name, "pass" if ok else otherwise, detail)
