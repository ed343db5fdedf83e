"""What the user sees while a step runs: one live line (rich's status on a terminal, updated in
place), one plain line per poll elsewhere (CI logs, pipes), and a final line per step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape

from tooling.rollout.health import Health
from tooling.rollout.judge import Verdict


def weights_text(weights: dict[str, int]) -> str:
    return " ".join(f"{name}={weight}" for name, weight in weights.items())


def step_title(index: int, count: int, percent: int) -> str:
    return f"step {index}/{count} ({percent} %)"


def bake_line(
    title: str,
    weights: dict[str, int],
    health: Health,
    verdicts: list[Verdict],
    *,
    alarms: str,
    left: float,
) -> str:
    judged = ", ".join(v.describe() for v in verdicts) or "no metrics yet"
    return (
        f"{title}: {weights_text(weights)} | healthy {health.describe()} | {judged} | "
        f"alarms {alarms} | {max(0.0, left):.0f} s left"
    )


@dataclass
class Progress:
    console: Console = field(default_factory=lambda: Console(soft_wrap=True, highlight=False))
    _status: Any = None
    _last: str = ""

    def live(self, line: str) -> None:
        self._last = line
        if not self.console.is_terminal:
            self.console.print(escape(line))
        elif self._status is None:
            self._status = self.console.status(escape(line))
            self._status.start()
        else:
            self._status.update(escape(line))

    def line(self, text: str) -> None:
        """A line that stays (the live one, if any, stays above it as it was last)."""
        self.settle()
        self.console.print(escape(text))

    def settle(self) -> None:
        """The live line stays as it is now (printed for good on a terminal)."""
        if self._status is not None:
            self.stop()
            self.console.print(escape(self._last))

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
