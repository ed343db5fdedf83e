"""Time for a rollout: one injectable clock (sleep, a monotonic reading, the wall time).

Every wait of a rollout (targets turning healthy, the bake of each step) goes through a
:class:`Clock`, so the tests drive a whole rollout with a fake one and never sleep for real.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def now(self) -> datetime:
        """The wall time, timezone-aware (CloudWatch windows and the record's timestamps)."""
        ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()
