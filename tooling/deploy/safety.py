"""Guards around prod and around the network stack's dependants."""

from __future__ import annotations

import sys
from collections.abc import Callable

from shared.environments import PRODUCTION
from shared.stacks import StackSpec, dependants
from tooling.deploy.environment import RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.pulumi_cli import PulumiCli

Ask = Callable[[str], str]


def confirm_prod_deploy(
    env: str, run_env: RunEnvironment, *, ask: Ask = input, interactive: bool | None = None
) -> None:
    """On a terminal, prod asks; CI=true or YES=1 skip the question; anything else refuses."""
    if env != PRODUCTION or run_env.ci or run_env.assume_yes:
        return
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise DeployError(
            "prod deploy needs confirmation: run it on a terminal, or set YES=1 (CI=true in pipelines)"
        )
    answer = ask("Deploy the previewed changes to prod? Type 'prod' to continue: ").strip()
    if answer != PRODUCTION:
        raise DeployError("prod deploy cancelled", code=1)


def confirm_prod_destroy(env: str, run_env: RunEnvironment) -> None:
    if env == PRODUCTION and run_env.confirm != PRODUCTION:
        raise DeployError("refusing to destroy prod: set CONFIRM=prod to confirm")


def resource_count(cli: PulumiCli, spec: StackSpec, env: str) -> int | None:
    """Resources in the stack ``env`` of ``spec``; None if there is no such stack."""
    listing = cli.json(["stack", "ls", "--json"], spec.directory) or []
    for entry in listing:
        if isinstance(entry, dict) and entry.get("name", "").split("/")[-1] == env:
            return int(entry.get("resourceCount") or 0)
    return None


def refuse_orphaning(cli: PulumiCli, spec: StackSpec, env: str) -> None:
    """The network stack cannot go while a stack that references it still has resources."""
    for dependant in dependants(spec.name):
        count = resource_count(cli, dependant, env)
        if count:
            raise DeployError(
                f"refusing to destroy {spec.name}/{env}: the {dependant.name} stack of {env} still has {count} "
                f"resources that use it (destroy it first: make destroy ENV={env} STACK={dependant.name})"
            )
