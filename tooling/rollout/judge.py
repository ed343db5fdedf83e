"""Is the new version worse than the one it replaces? Plain functions over :class:`Figures`.

For each rate (target 5xx percent, p99 latency) the limit is the larger of the config's floor
(``allowed5xxPercent``, ``allowedP99Seconds``: never a breach below it) and the reference times the
config's ratio (``max5xxRatio``, ``maxP99Ratio``). The reference is the previous version over the
same window; when it had fewer than ``minRequests`` (at 100 % it has none) it is the previous
version's figures from before the rollout (the baseline), and without either the rates are not
judged (the alarms still are). The new version's rates are judged once it served ``minRequests``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from serving_stack.config import RolloutConfig
from tooling.rollout.metrics import Figures


@dataclass(frozen=True)
class Verdict:
    metric: str
    """``5xx`` or ``p99``."""
    value: float | None
    limit: float | None
    """None: not judged (``note`` says why)."""
    note: str = ""

    @property
    def breach(self) -> bool:
        return self.value is not None and self.limit is not None and self.value > self.limit

    def describe(self) -> str:
        unit = " %" if self.metric == "5xx" else " s"
        if self.limit is None or self.value is None:
            return f"{self.metric} {self.note}"
        sign = ">" if self.breach else "<="
        return f"{self.metric} {self.value:.3g}{unit} {sign} {self.limit:.3g}{unit}"

    def as_record(self) -> dict[str, Any]:
        return {"value": self.value, "limit": self.limit, "breach": self.breach, "note": self.note}


def reference(previous: Figures, baseline: Figures | None, limits: RolloutConfig) -> Figures | None:
    if previous.requests >= max(1, limits.min_requests):
        return previous
    if baseline is not None and baseline.requests >= max(1, limits.min_requests):
        return baseline
    return None


def judge(
    new: Figures, previous: Figures, baseline: Figures | None, limits: RolloutConfig
) -> list[Verdict]:
    if new.requests < limits.min_requests:
        note = f"not judged ({new.requests}/{limits.min_requests} requests)"
        return [Verdict("5xx", None, None, note), Verdict("p99", None, None, note)]
    ref = reference(previous, baseline, limits)
    if ref is None:
        note = "not judged (no reference: the previous version served too few requests)"
        return [Verdict("5xx", None, None, note), Verdict("p99", None, None, note)]
    errors = Verdict(
        "5xx",
        new.error_percent,
        max(limits.allowed_5xx_percent, limits.max_5xx_ratio * ref.error_percent),
    )
    if new.p99 is None:
        return [errors, Verdict("p99", None, None, "not judged (no latency data)")]
    ref_p99 = ref.p99 or 0.0
    latency = Verdict(
        "p99", new.p99, max(limits.allowed_p99_seconds, limits.max_p99_ratio * ref_p99)
    )
    return [errors, latency]


def explain(verdict: Verdict, new: Figures, ref: Figures | None, names: tuple[str, str]) -> str:
    """The figures behind a breach: ``v2 4 % of 2000 requests, initial 0.5 %, limit 1 %``."""
    to, previous = names
    if verdict.metric == "5xx":
        mine = f"{to} {new.error_percent:.3g} % ({new.errors}/{new.requests} requests)"
        theirs = f"{previous} {ref.error_percent:.3g} %" if ref else f"{previous} no reference"
        return f"target 5xx rate {mine}, {theirs}, limit {verdict.limit:.3g} %"
    mine = f"{to} {new.p99:.3g} s"
    theirs = f"{previous} {ref.p99:.3g} s" if ref and ref.p99 is not None else f"{previous} none"
    return f"p99 latency {mine}, {theirs}, limit {verdict.limit:.3g} s"
