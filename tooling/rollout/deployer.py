"""The serving stack, deployed and read the deploy driver's way (``tooling.deploy``).

Each step is the driver's ``up`` on the serving stack alone: its preflight (the file read and
validated, the network stack's outputs required), ``stack ls``, then ``pulumi up --yes`` with the
policy pack and the env's policy config (``--non-interactive`` in CI), through the one CLI module
(signals forwarded, time limits, locks). Prod is confirmed once, by the rollout, before anything
runs (:func:`confirm_prod_rollout`); the steps and a rollback then never stop to ask.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from shared.environments import PRODUCTION
from shared.serving_outputs import ServingOutputs
from shared.stacks import STACKS, deploy_order
from tooling.deploy import commands
from tooling.deploy.environment import RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.safety import Ask
from tooling.deploy.stack_state import stack_outputs
from tooling.pulumi_cli import PulumiCli
from tooling.rollout.inputs import Plan, RolloutError
from tooling.verify.outputs import OutputsError, validate

SERVING = "serving"


def _never(question: str) -> str:  # pragma: no cover - prod_asks is False once confirmed
    raise DeployError(f"unexpected question during a rollout: {question}")


@dataclass
class Deployer:
    env: str
    run_env: RunEnvironment
    cli: PulumiCli

    def preflight(self) -> None:
        """What the driver checks before any change (the file, its model, the pack's config)."""
        commands.preflight(deploy_order(SERVING), self.env)

    def up(self) -> None:
        """``pulumi up`` of the serving stack; a failure is a DeployError with pulumi's code."""
        confirmed = dataclasses.replace(self.run_env, assume_yes=True)
        commands.up(self.env, SERVING, confirmed, self.cli, ask=_never, interactive=False)

    def outputs(self) -> ServingOutputs | None:
        """The serving stack's outputs (None: the stack does not exist or was never deployed)."""
        data = stack_outputs(self.cli, STACKS[SERVING], self.env)
        if not data:
            return None
        try:
            return validate(data, f"{SERVING}/{self.env} outputs")
        except OutputsError as error:
            raise RolloutError(str(error)) from None


def confirm_prod_rollout(plan: Plan, account: str, ask: Ask) -> None:
    """Like ``make deploy``: on a terminal, prod goes on only if the answer is ``prod``."""
    steps = ",".join(map(str, plan.steps))
    question = (
        f"Roll {plan.model} in {SERVING}/{PRODUCTION} from {plan.previous} to {plan.to} "
        f"(steps {steps} %, bake {plan.bake_seconds} s"
        f"{', then retire ' + plan.previous if plan.retire else ''}) in AWS {account}? "
        f"Type '{PRODUCTION}' to continue: "
    )
    try:
        answer = ask(question)
    except EOFError:
        answer = ""
    if answer.strip() != PRODUCTION:
        raise RolloutError(f"{SERVING}/{PRODUCTION}: rollout cancelled, nothing changed", code=1)
