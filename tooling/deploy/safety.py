"""Guards around prod and around the stacks that others depend on."""

from __future__ import annotations

from collections.abc import Callable

from shared.environments import PRODUCTION
from shared.stacks import StackSpec, dependants
from tooling.deploy.environment import RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.pulumi_cli import PulumiCli
from tooling.deploy.stack_state import resource_count

Ask = Callable[[str], str]


def prod_deploy_asks(env: str, run_env: RunEnvironment, *, interactive: bool) -> bool:
    """Checked before anything runs: does this deploy ask? Without a terminal to ask on, refuse."""
    if env != PRODUCTION or run_env.ci or run_env.assume_yes:
        return False
    if not interactive:
        raise DeployError(
            "prod deploy needs confirmation: run it on a terminal, or set YES=1 (CI=true in pipelines)"
        )
    return True


def confirm_prod_deploy(spec: StackSpec, identity: str, ask: Ask) -> None:
    """After the preview: go on only if the answer is ``prod``."""
    question = (
        f"Deploy the previewed changes to {spec.name}/{PRODUCTION} in AWS {identity}? "
        f"Type '{PRODUCTION}' to continue: "
    )
    try:
        answer = ask(question)
    except EOFError:
        answer = ""
    if answer.strip() != PRODUCTION:
        raise DeployError(f"{spec.name}/{PRODUCTION}: deploy cancelled, nothing changed", code=1)


def confirm_prod_destroy(env: str, run_env: RunEnvironment) -> None:
    if env == PRODUCTION and run_env.confirm != PRODUCTION:
        raise DeployError("refusing to destroy prod: set CONFIRM=prod to confirm")


def refuse_orphaning(cli: PulumiCli, spec: StackSpec, env: str) -> None:
    """A stack cannot go while a stack of the same env that references it still has resources."""
    for dependant in dependants(spec.name):
        count = resource_count(cli, dependant, env)
        if count:
            raise DeployError(
                f"refusing to destroy {spec.name}/{env}: the {dependant.name} stack of {env} still has {count} "
                f"resources that use it (destroy it first: make destroy ENV={env} STACK={dependant.name})"
            )
