"""``--wait SECONDS``: re-read the ALB's state and target health until the HA checks pass.

Bounded by the deadline. On a terminal the progress is a rich status line that updates in place;
otherwise (CI logs, pipes) one plain line per poll, on stderr. Time comes from a :class:`Clock`
(the system's by default), so tests drive the waiting without ever racing a real clock.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from rich.console import Console

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView, refresh_health
from tooling.verify.checks import progress, ready

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


def _state(view: AwsView) -> str:
    return "" if view.state == "active" else f"load balancer {view.state}; "


def _line(outputs: ServingOutputs, view: AwsView, left: float) -> str:
    return (
        f"waiting for healthy targets ({left:.0f} s left): {_state(view)}{progress(outputs, view)}"
    )


def wait_until_ready(
    outputs: ServingOutputs,
    view: AwsView,
    clients: tuple[ElasticLoadBalancingv2Client, EC2Client],
    *,
    seconds: float,
    poll: float,
    console: Console,
    clock: Clock = SYSTEM_CLOCK,
) -> tuple[AwsView, float]:
    """The view once ready or at the deadline, and the seconds waited."""
    elbv2, ec2 = clients
    started = clock.monotonic()
    deadline = started + seconds
    if ready(outputs, view):
        return view, 0.0
    status = console.status(_line(outputs, view, seconds)) if console.is_terminal else None
    if status is not None:
        status.start()
    try:
        while not ready(outputs, view) and clock.monotonic() < deadline:
            line = _line(outputs, view, deadline - clock.monotonic())
            if status is not None:
                status.update(line)
            else:
                console.print(line, soft_wrap=True)
            clock.sleep(max(0.0, min(poll, deadline - clock.monotonic())))
            view = refresh_health(elbv2, ec2, outputs, view)
    finally:
        if status is not None:
            status.stop()
    waited = clock.monotonic() - started
    if ready(outputs, view):
        console.print(f"ready after {waited:.0f} s: {progress(outputs, view)}", soft_wrap=True)
    else:
        console.print(
            f"gave up waiting after {waited:.0f} s: {_state(view)}{progress(outputs, view)}",
            soft_wrap=True,
        )
    return view, waited
