"""Guards around prod and around the stacks that others depend on."""

from __future__ import annotations

from collections.abc import Callable

from shared.environments import PRODUCTION, is_production
from shared.stacks import StackSpec, dependants
from tooling.deploy.environment import RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.stack_state import resource_count
from tooling.pulumi_cli import PulumiCli

Ask = Callable[[str], str]


def prod_asks(
    env: str, run_env: RunEnvironment, *, interactive: bool, what: str = "deploy"
) -> bool:
    """Checked before anything runs: does this command ask? Without a terminal to ask on, refuse."""
    if not is_production(env) or run_env.ci or run_env.assume_yes:
        return False
    if not interactive:
        raise DeployError(
            f"prod {what} needs confirmation: run it on a terminal, or set YES=1 (CI=true in pipelines)"
        )
    return True


def prod_deploy_asks(env: str, run_env: RunEnvironment, *, interactive: bool) -> bool:
    return prod_asks(env, run_env, interactive=interactive, what="deploy")


def _confirm(question: str, ask: Ask, cancelled: str) -> None:
    try:
        answer = ask(f"{question} Type '{PRODUCTION}' to continue: ")
    except EOFError:
        answer = ""
    if answer.strip() != PRODUCTION:
        raise DeployError(cancelled, code=1)


def confirm_prod_deploy(spec: StackSpec, identity: str, ask: Ask) -> None:
    """After the preview: go on only if the answer is ``prod``."""
    _confirm(
        f"Deploy the previewed changes to {spec.name}/{PRODUCTION} in AWS {identity}?",
        ask,
        f"{spec.name}/{PRODUCTION}: deploy cancelled, nothing changed",
    )


def confirm_prod_create(spec: StackSpec, identity: str, backend: str, ask: Ask) -> None:
    """Before the CLI creates a prod stack (nothing exists yet to preview against)."""
    _confirm(
        f"The stack {spec.name}/{PRODUCTION} does not exist in {backend}: create it (then preview "
        f"it and ask again) for AWS {identity}?",
        ask,
        f"{spec.name}/{PRODUCTION}: cancelled, no stack created",
    )


def confirm_prod_refresh(spec: StackSpec, identity: str, ask: Ask) -> None:
    """After ``refresh --preview-only``: write what AWS has into the prod state only if asked to."""
    _confirm(
        f"Write the refreshed state shown above into {spec.name}/{PRODUCTION} (AWS {identity})?",
        ask,
        f"{spec.name}/{PRODUCTION}: refresh cancelled, the state is unchanged",
    )


def confirm_prod_destroy(env: str, run_env: RunEnvironment) -> None:
    if is_production(env) and run_env.confirm != PRODUCTION:
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
