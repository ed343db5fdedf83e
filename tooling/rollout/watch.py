"""The waits of a step: until the new version is healthy in every AZ, then the bake.

Both poll through the injectable clock. A wait ends early with a :class:`Breach` (what the engine
rolls back on): the new version not healthy in time, one of its alarms in ``ALARM``, or its 5xx
rate or p99 latency over the limit against the previous version over the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.serving_outputs import ServingOutputs, VersionOutput
from tooling.rollout.clock import Clock
from tooling.rollout.health import Health, read_health
from tooling.rollout.inputs import Plan
from tooling.rollout.judge import explain, judge, reference
from tooling.rollout.metrics import Figures, alarms_firing, read_figures
from tooling.rollout.progress import Progress, bake_line
from tooling.rollout.record import stamp
from tooling.rollout.routing import served_weights

POLL_SECONDS = 30
"""How often the bake reads alarms and metrics (ALB metrics are per minute)."""
HEALTH_POLL_SECONDS = 10


class Breach(Exception):
    def __init__(self, metric: str, detail: str) -> None:
        super().__init__(f"{metric}: {detail}")
        self.metric = metric
        self.detail = detail


@dataclass(frozen=True)
class Aws:
    elbv2: Any
    ec2: Any
    cloudwatch: Any


@dataclass
class Watch:
    plan: Plan
    aws: Aws
    clock: Clock
    progress: Progress
    outputs: ServingOutputs

    def version(self, name: str) -> VersionOutput:
        return self.outputs.models[self.plan.model].versions[name]

    def check_weights(self, weights: dict[str, int], entry: dict[str, Any]) -> None:
        """After a deploy: the ALB forwards with the file's weights (else a ``weights`` breach)."""
        groups = {
            name: version.target_group_arn
            for name, version in self.outputs.models[self.plan.model].versions.items()
            if name in weights
        }
        served = served_weights(self.aws.elbv2, self.outputs.https_listener_arn, groups)
        entry["served_weights"] = served
        if served != weights:
            raise Breach(
                "weights",
                f"after the deploy the ALB forwards {served} where the file says {weights}",
            )

    def health(self) -> Health:
        return read_health(
            self.aws.elbv2, self.aws.ec2, self.outputs.alb_arn, self.version(self.plan.to)
        )

    def until_healthy(self, title: str, entry: dict[str, Any]) -> Health:
        deadline = self.clock.monotonic() + self.plan.health_timeout
        health = self.health()
        while not health.ok:
            left = deadline - self.clock.monotonic()
            if left <= 0:
                entry["health"] = health.as_record()
                raise Breach(
                    "health",
                    f"{self.plan.to} not healthy in every AZ after {self.plan.health_timeout} s "
                    f"({health.describe()})",
                )
            self.progress.live(
                f"{title}: waiting for {self.plan.to} healthy in every AZ: "
                f"{health.describe()} ({left:.0f} s left)"
            )
            self.clock.sleep(min(HEALTH_POLL_SECONDS, left))
            health = self.health()
        entry["health"] = health.as_record()
        self.progress.line(f"{title}: {self.plan.to} healthy: {health.describe()}")
        return health

    def figures(self, start: Any) -> dict[str, Figures]:
        groups = {
            "new": self.version(self.plan.to).target_group_arn,
            "previous": self.version(self.plan.previous).target_group_arn,
        }
        return read_figures(
            self.aws.cloudwatch, self.outputs.alb_arn, groups, start, self.clock.now()
        )

    def baseline(self) -> Figures | None:
        """The previous version before the rollout, over one bake (the reference at 100 %)."""
        if self.plan.bake_seconds < 1:
            return None
        now = self.clock.now()
        return self.figures(now - timedelta(seconds=self.plan.bake_seconds))["previous"]

    def bake(self, title: str, weights: dict[str, int], entry: dict[str, Any], **kw: Any) -> None:
        """Poll until the bake time is over; a :class:`Breach` as soon as one is seen.

        ``health`` (what :meth:`until_healthy` saw) is shown, not re-read: a target that fails
        later is the new version's ``unhealthy-hosts`` alarm."""
        baseline: Figures | None = kw.get("baseline")
        health: Health = kw["health"]
        start, deadline = self.clock.now(), self.clock.monotonic() + self.plan.bake_seconds
        polls: list[dict[str, Any]] = entry.setdefault("polls", [])
        while True:
            firing = alarms_firing(self.aws.cloudwatch, self.version(self.plan.to).alarm_names)
            figures = self.figures(start)
            verdicts = judge(figures["new"], figures["previous"], baseline, self.plan.limits)
            left = deadline - self.clock.monotonic()
            alarms = ", ".join(name for name, _ in firing) or "ok"
            self.progress.live(
                bake_line(title, weights, health, verdicts, alarms=alarms, left=left)
            )
            polls.append({
                "at": stamp(self.clock.now()),
                "new": figures["new"].as_record(),
                "previous": figures["previous"].as_record(),
                "verdicts": {v.metric: v.as_record() for v in verdicts},
                "alarms": [name for name, _ in firing],
            })  # fmt: skip
            self._breached(firing, verdicts, figures, baseline)
            if left <= 0:
                self.progress.settle()
                return
            self.clock.sleep(min(POLL_SECONDS, left))

    def _breached(
        self,
        firing: list[tuple[str, str]],
        verdicts: list[Any],
        figures: dict[str, Figures],
        baseline: Figures | None,
    ) -> None:
        if firing:
            name, reason = firing[0]
            detail = f"alarm {name} is ALARM" + (f" ({reason})" if reason else "")
            raise Breach("alarm", detail)
        for verdict in verdicts:
            if verdict.breach:
                ref = reference(figures["previous"], baseline, self.plan.limits)
                names = (self.plan.to, self.plan.previous)
                raise Breach(verdict.metric, explain(verdict, figures["new"], ref, names))
