"""The rollout itself: prepare, step by step to 100 %, roll back on a breach or a signal, retire.

1. **Prepare.** The serving stack's outputs must know both versions (a new version not deployed
   yet is deployed first, with the file as it is: its capacity, weight 0). The new version must be
   healthy in every AZ before it gets any traffic (so ``STEPS=100`` is blue/green), and the
   previous version's figures over one bake before the rollout are the baseline.
2. **Each step** writes the weights into the env file (new = the step's percent, previous = the
   rest), deploys the serving stack, waits for the new version healthy in every AZ, then bakes.
3. **A breach** (health, an alarm, 5xx, p99) puts all weight back on the previous version, deploys
   it and ends with exit 1 and one line naming the metric, the figures and the step.
4. **SIGINT/SIGTERM/SIGHUP**: on a terminal the user is asked whether to roll back; in CI or without
   a terminal it rolls back. Exit ``128 + N`` either way (the CLI module's convention).
5. **At 100 %** it stops; with ``retire`` the previous version's entry is then removed from the
   file and deployed (its target group, capacity and alarms go). The diff to commit is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import stacks
from shared.serving_outputs import ServingOutputs
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import Interrupted, signal_name
from tooling.rollout.clock import Clock
from tooling.rollout.config_file import ServingFile
from tooling.rollout.deployer import Deployer
from tooling.rollout.inputs import Plan, RolloutError
from tooling.rollout.progress import Progress, step_title, weights_text
from tooling.rollout.record import Record, stamp
from tooling.rollout.watch import Aws, Breach, Watch

BREACH = 1


def relative_name(path: Path) -> str:
    """The file's path from the repository root (what ``git diff`` would name)."""
    try:
        return str(path.relative_to(stacks.REPO_ROOT))
    except ValueError:
        return str(path)


@dataclass
class Rollout:
    plan: Plan
    deployer: Deployer
    aws: Aws
    clock: Clock
    progress: Progress
    record: Record
    ask: Callable[[str], str]
    interactive: bool
    file: ServingFile | None = None
    last_line: str = ""
    """How it ended, in one line (the CLI prints it last)."""

    # ---- the run ---------------------------------------------------------------------------
    def run(self, outputs: ServingOutputs) -> int:
        """From the serving stack's outputs as they are before the rollout."""
        self.file = ServingFile.read(self.plan.path)
        try:
            watch = self.prepare(outputs)
        except Breach as breach:  # no traffic moved: nothing to roll back
            line = f"prepare: {breach.metric}: {breach.detail}; no traffic moved"
            return self.finish("not_started", line, BREACH)
        except Interrupted as stopped:
            line = f"prepare: {signal_name(stopped.signum)}: no traffic moved"
            return self.finish("interrupted", line, stopped.code)
        baseline = watch.baseline()
        self.record.update(baseline=baseline.as_record() if baseline else None)
        step = "prepare"
        try:
            for index, percent in enumerate(self.plan.steps, start=1):
                step = step_title(index, len(self.plan.steps), percent)
                self.step(watch, step, percent, baseline=baseline)
        except Breach as breach:
            return self.breached(step, breach)
        except DeployError as error:
            return self.deploy_failed(step, error)
        except Interrupted as stopped:
            return self.interrupted(step, stopped)
        return self.promoted()

    def prepare(self, outputs: ServingOutputs) -> Watch:
        if not self._knows(outputs):
            self.progress.line(f"prepare: deploying {self.plan.to} (weight 0) first")
            self.deployer.up()
            deployed = self.deployer.outputs()
            if deployed is None or not self._knows(deployed):
                raise RolloutError(
                    f"serving/{self.plan.env}: the outputs have no version {self.plan.to!r} of "
                    f"{self.plan.model!r} after a deploy"
                )
            outputs = deployed
        watch = Watch(self.plan, self.aws, self.clock, self.progress, outputs)
        entry: dict[str, Any] = {"step": "prepare", "weights": dict(self.plan.start_weights)}
        self.record.update(prepare=entry)
        watch.until_healthy(f"prepare ({weights_text(self.plan.start_weights)})", entry)
        self.record.write()
        return watch

    def _knows(self, outputs: ServingOutputs) -> bool:
        model = outputs.models.get(self.plan.model)
        return model is not None and {self.plan.to, self.plan.previous} <= set(model.versions)

    def step(self, watch: Watch, title: str, percent: int, *, baseline: Any) -> None:
        weights = self.plan.weights(percent)
        entry = self.record.step({
            "step": title, "percent": percent, "weights": weights,
            "started": stamp(self.clock.now()), "result": "running",
        })  # fmt: skip
        self.progress.line(f"{title}: weights {weights_text(weights)}: deploying")
        try:
            self.write(weights)
            self.deployer.up()
            entry["deployed"] = stamp(self.clock.now())
            watch.check_weights(self.file_weights(), entry)
            health = watch.until_healthy(title, entry)
            watch.bake(title, weights, entry, baseline=baseline, health=health)
        except Breach as breach:
            entry.update(result="breach", breach={"metric": breach.metric, "detail": breach.detail})
            raise
        except DeployError as error:
            entry.update(result="deploy_failed", error=error.message)
            raise
        except Interrupted as stopped:
            entry.update(result="interrupted", signal=signal_name(stopped.signum))
            raise
        finally:
            self.record.write()
        entry.update(result="passed", finished=stamp(self.clock.now()))
        self.record.write()

    def file_weights(self) -> dict[str, int]:
        assert self.file is not None
        return self.file.weights(self.plan.model)

    def write(self, weights: dict[str, int]) -> None:
        assert self.file is not None
        self.file.set_weights(self.plan.model, weights)
        self.file.validate(self.plan.env)
        self.file.write()

    # ---- how it ends -------------------------------------------------------------------------
    def rollback(self) -> None:
        """All weight back on the previous version, deployed (never asks, even in prod)."""
        weights = self.plan.rolled_back
        self.progress.line(f"rollback: weights {weights_text(weights)}: deploying")
        self.write(weights)
        self.record.update(rollback={"weights": weights, "started": stamp(self.clock.now())})
        try:
            self.deployer.up()
        except Interrupted as again:
            self.record.update(result="interrupted", summary="interrupted during the rollback")
            raise Interrupted(
                again.signum,
                f"{signal_name(again.signum)} during the rollback: {self.plan.path.name} has all "
                f"traffic on {self.plan.previous}; finish it: make deploy ENV={self.plan.env} "
                "STACK=serving",
            ) from None
        self.record.data["rollback"]["deployed"] = stamp(self.clock.now())
        self.record.write()

    def breached(self, step: str, breach: Breach) -> int:
        failed = self._rollback_failed(step, f"{breach.metric} breach: {breach.detail}")
        if failed:
            return failed
        line = (
            f"{step}: {breach.metric} breach: {breach.detail}; rolled back: all traffic on "
            f"{self.plan.previous}"
        )
        return self.finish("rolled_back", line, BREACH)

    def deploy_failed(self, step: str, error: DeployError) -> int:
        self.progress.line(f"{step}: {error.message}")
        failed = self._rollback_failed(step, f"the deploy failed ({error.message})", error.code)
        if failed:
            return failed
        line = f"{step}: the deploy failed ({error.message}); rolled back to {self.plan.previous}"
        return self.finish("rolled_back", line, error.code)

    def _rollback_failed(self, step: str, why: str, code: int | None = None) -> int:
        """Roll back; 0 if it was deployed, else the end of the run (the file says what to do)."""
        try:
            self.rollback()
        except DeployError as again:
            line = (
                f"{step}: {why}; the rollback's deploy failed too ({again.message}): "
                f"{self.plan.path.name} has all traffic on {self.plan.previous}, deploy it: "
                f"make deploy ENV={self.plan.env} STACK=serving"
            )
            return self.finish("rollback_failed", line, code or again.code)
        return 0

    def interrupted(self, step: str, stopped: Interrupted) -> int:
        name = signal_name(stopped.signum)
        if self.interactive:
            self.progress.stop()
            answer = self.ask(
                f"{name} at {step}: roll back (all traffic on {self.plan.previous})? [Y/n] "
            )
            back = answer.strip().lower() in ("", "y", "yes")
        else:
            back = True
        if not back:
            line = (
                f"{step}: {name}: stopped without rolling back (the file holds this step's weights)"
            )
            return self.finish("interrupted", line, stopped.code)
        self.rollback()
        line = f"{step}: {name}: rolled back: all traffic on {self.plan.previous}"
        return self.finish("interrupted", line, stopped.code)

    def promoted(self) -> int:
        line = f"{self.plan.model}: all traffic on {self.plan.to}"
        if not self.plan.retire:
            return self.finish("promoted", line, 0)
        assert self.file is not None
        self.progress.line(f"retire: removing {self.plan.previous} from {self.plan.path.name}")
        self.file.drop_version(self.plan.model, self.plan.previous)
        self.file.validate(self.plan.env)
        self.file.write()
        try:
            self.deployer.up()
        except (DeployError, Interrupted) as stopped:
            why = (
                stopped.message if isinstance(stopped, DeployError) else signal_name(stopped.signum)
            )
            line += (
                f"; retiring {self.plan.previous} did not finish ({why}): the file no longer "
                f"lists it, deploy it: make deploy ENV={self.plan.env} STACK=serving"
            )
            return self.finish("promoted", line, stopped.code)
        self.record.update(retired=self.plan.previous)
        return self.finish("promoted", f"{line}; {self.plan.previous} retired", 0)

    def finish(self, result: str, line: str, code: int) -> int:
        assert self.file is not None
        diff = self.file.diff(relative_name(self.plan.path))
        self.record.update(
            result=result, summary=line, exit_code=code, finished=stamp(self.clock.now()), diff=diff
        )
        self.progress.line(f"record: {relative_name(self.record.path)}")
        if diff:
            self.progress.line(f"the diff to commit:\n{diff.rstrip()}")
        else:
            self.progress.line(f"{self.plan.path.name} is as it was: nothing to commit")
        self.last_line = line
        return code
