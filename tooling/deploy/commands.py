"""The commands: preview, up, refresh, destroy, outputs, run stack by stack in dependency order.

Every ``pulumi`` call runs in the stack's folder with an explicit ``--stack <env>``; preview and up
carry the policy pack and its per-env config. A failing command stops the run with its exit code
and a line naming the stack.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from shared.contract import NetworkContract
from shared.stacks import REPO_ROOT, STACKS, StackSpec, deploy_order, destroy_order
from tooling.deploy.credentials import caller_identity
from tooling.deploy.environment import LOCAL_ENV, RunEnvironment
from tooling.deploy.errors import INTERRUPTED, DeployError
from tooling.deploy.pulumi_cli import PulumiCli, PulumiInterrupted
from tooling.deploy.safety import (
    Ask,
    confirm_prod_deploy,
    confirm_prod_destroy,
    prod_deploy_asks,
    refuse_orphaning,
)
from tooling.deploy.stack_config import referenced_stack, require_config_file
from tooling.deploy.stack_state import resource_count, stack_outputs

POLICY_PACK = REPO_ROOT / "policies"
CONTRACTS: dict[str, type[BaseModel]] = {"network": NetworkContract}
"""The outputs a referenced stack promises its dependants (a field with no default is required)."""


def policy_config(env: str) -> Path:
    """``policies/config/<env>.json``; ``local`` uses dev's."""
    return POLICY_PACK / "config" / f"{'dev' if env == LOCAL_ENV else env}.json"


def policy_args(env: str) -> list[str]:
    return ["--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(policy_config(env))]


def _non_interactive(run_env: RunEnvironment) -> list[str]:
    return ["--non-interactive"] if run_env.ci else []


def _run(cli: PulumiCli, spec: StackSpec, env: str, args: list[str]) -> None:
    """Run one pulumi command in the stack's folder; a failure stops everything with its code."""
    what = " ".join(args[:2]) if args[0] == "stack" else args[0]
    try:
        code = cli.run(args, spec.directory)
    except PulumiInterrupted as stopped:
        raise DeployError(
            f"{spec.name}/{env}: interrupted; pulumi {what} stopped (exit {stopped.code}); stopping",
            code=INTERRUPTED,
        ) from None
    if code:
        raise DeployError(
            f"{spec.name}/{env}: pulumi {what} failed (exit {code}); stopping", code=code
        )


def _require_inputs(specs: list[StackSpec], env: str) -> None:
    """Before any call: every selected stack has its settings and the pack has its env config."""
    for spec in specs:
        require_config_file(spec, env)
    config = policy_config(env)
    if not config.is_file():
        raise DeployError(
            f"{config.relative_to(REPO_ROOT)} does not exist: no policy config for {env}"
        )


def select_stack(
    cli: PulumiCli, spec: StackSpec, env: str, run_env: RunEnvironment, *, create: bool = True
) -> None:
    args = ["stack", "select", env]
    provider = run_env.secrets_providers.get(spec.name)
    if create:
        args.append("--create")
        if provider:
            args += ["--secrets-provider", provider]
    _run(cli, spec, env, args)


def require_references(cli: PulumiCli, spec: StackSpec, env: str) -> None:
    """Before a stack that reads others' outputs: they must have exported their contract."""
    for reference in spec.references:
        name = referenced_stack(spec, reference, env)
        deploy_first = f"deploy it first (make deploy ENV={env} STACK={reference})"
        outputs = stack_outputs(cli, STACKS[reference], name)
        if outputs is None:
            raise DeployError(
                f"{spec.name}/{env}: the {reference} stack {name} does not exist yet: {deploy_first}"
            )
        contract = CONTRACTS.get(reference)
        required = (
            [n for n, f in contract.model_fields.items() if f.is_required()] if contract else []
        )
        missing = [n for n in required if n not in outputs]
        if missing:
            state = "has no outputs yet" if len(missing) == len(required) else "lacks outputs"
            raise DeployError(
                f"{spec.name}/{env}: the {reference} stack {name} {state} ({', '.join(missing)}): "
                f"{deploy_first}"
            )


def preview(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    specs = deploy_order(stack)
    _require_inputs(specs, env)
    for spec in specs:
        require_references(cli, spec, env)
        select_stack(cli, spec, env, run_env)
        args = ["preview", "--stack", env, "--diff", *policy_args(env), *_non_interactive(run_env)]
        _run(cli, spec, env, args)
    return 0


def up(
    env: str,
    stack: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    *,
    ask: Ask = input,
    interactive: bool | None = None,
    identity: Callable[[], str] = caller_identity,
) -> int:
    """``pulumi up`` per stack; prod on a terminal: preview, name the account, ask, then update.

    The update after a confirmed preview runs with ``--skip-preview``: what was shown is what runs.
    """
    specs = deploy_order(stack)
    _require_inputs(specs, env)
    asks = prod_deploy_asks(
        env, run_env, interactive=sys.stdin.isatty() if interactive is None else interactive
    )
    account = identity() if asks else ""
    for spec in specs:
        require_references(cli, spec, env)
        select_stack(cli, spec, env, run_env)
        if asks:
            _run(cli, spec, env, ["preview", "--stack", env, "--diff", *policy_args(env)])
            confirm_prod_deploy(spec, account, ask)
        args = ["up", "--stack", env, "--yes", *policy_args(env), *_non_interactive(run_env)]
        _run(cli, spec, env, [*args, "--skip-preview"] if asks else args)
    return 0


def refresh(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    """Never creates a stack: refreshing one that does not exist is an error."""
    for spec in deploy_order(stack):
        if resource_count(cli, spec, env) is None:
            raise DeployError(
                f"{spec.name}/{env}: no such stack to refresh (deploy it first: make deploy ENV={env} STACK={spec.name})"
            )
        select_stack(cli, spec, env, run_env, create=False)
        _run(cli, spec, env, ["refresh", "--stack", env, "--yes", *_non_interactive(run_env)])
    return 0


def destroy(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    """Dependants first; a stack that does not exist is skipped, never created.

    The emptied stacks stay (with their config and history); ``pulumi stack rm`` removes one.
    """
    confirm_prod_destroy(env, run_env)
    for spec in destroy_order(stack):
        if resource_count(cli, spec, env) is None:
            print(f"{spec.name}/{env}: no such stack, nothing to destroy", flush=True)
            continue
        refuse_orphaning(cli, spec, env)
        select_stack(cli, spec, env, run_env, create=False)
        _run(cli, spec, env, ["destroy", "--stack", env, "--yes", *_non_interactive(run_env)])
    return 0


def outputs(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    """One JSON object on stdout, ``{"<stack>": {outputs}}``; a stack that does not exist is noted
    on stderr and left out. Secrets stay ``[secret]``."""
    result: dict[str, object] = {}
    for spec in deploy_order(stack):
        values = stack_outputs(cli, spec, env)
        if values is None:
            print(f"deploy: {spec.name}/{env}: no such stack", file=sys.stderr)
            continue
        result[spec.name] = values
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0
