"""The commands: preview, up, refresh, destroy, outputs, run stack by stack in dependency order."""

from __future__ import annotations

import json

from shared.contract import OUTPUT_NAMES
from shared.stacks import REPO_ROOT, STACKS, StackSpec, deploy_order, destroy_order
from tooling.deploy.environment import LOCAL_ENV, RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.pulumi_cli import PulumiCli
from tooling.deploy.safety import (
    Ask,
    confirm_prod_deploy,
    confirm_prod_destroy,
    refuse_orphaning,
    resource_count,
)

POLICY_PACK = REPO_ROOT / "policies"


def policy_args(env: str) -> list[str]:
    config = POLICY_PACK / "config" / f"{'dev' if env == LOCAL_ENV else env}.json"
    return ["--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(config)]


def _run(cli: PulumiCli, spec: StackSpec, env: str, args: list[str]) -> None:
    """Run one pulumi command in the stack's folder; a failure stops everything with its code."""
    code = cli.run(args, spec.directory)
    if code:
        what = " ".join(args[:2]) if args[0] == "stack" else args[0]
        raise DeployError(
            f"{spec.name}/{env}: pulumi {what} failed (exit {code}); stopping", code=code
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


def require_network_outputs(cli: PulumiCli, spec: StackSpec, env: str) -> None:
    """Before a stack that references others: they must have exported their contract."""
    for ref in spec.references:
        outputs = (
            cli.json(["stack", "output", "--json", "--stack", env], STACKS[ref].directory) or {}
        )
        missing = [
            name for name in OUTPUT_NAMES if name not in outputs and name != "contract_version"
        ]
        if missing:
            raise DeployError(
                f"{spec.name}/{env}: the {ref} stack {env} has no outputs yet ({', '.join(missing[:3])}...): "
                f"deploy it first (make deploy ENV={env} STACK={ref})"
            )


def _non_interactive(run_env: RunEnvironment) -> list[str]:
    return ["--non-interactive"] if run_env.ci else []


def preview(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    for spec in deploy_order(stack):
        select_stack(cli, spec, env, run_env)
        if spec.references:
            require_network_outputs(cli, spec, env)
        _run(
            cli,
            spec,
            env,
            ["preview", "--stack", env, "--diff", *policy_args(env), *_non_interactive(run_env)],
        )
    return 0


def up(
    env: str,
    stack: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    *,
    ask: Ask = input,
    interactive: bool | None = None,
) -> int:
    """``pulumi up`` per stack; in prod on a terminal: preview, ask, then update without re-previewing."""
    for spec in deploy_order(stack):
        select_stack(cli, spec, env, run_env)
        if spec.references:
            require_network_outputs(cli, spec, env)
        asks = env == "prod" and not (run_env.ci or run_env.assume_yes)
        if asks:
            _run(cli, spec, env, ["preview", "--stack", env, "--diff", *policy_args(env)])
        confirm_prod_deploy(env, run_env, ask=ask, interactive=interactive)
        args = ["up", "--stack", env, "--yes", *policy_args(env), *_non_interactive(run_env)]
        _run(cli, spec, env, [*args, "--skip-preview"] if asks else args)
    return 0


def refresh(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    for spec in deploy_order(stack):
        if resource_count(cli, spec, env) is None:
            raise DeployError(
                f"{spec.name}/{env}: no such stack to refresh (deploy it first: make deploy ENV={env} STACK={spec.name})"
            )
        select_stack(cli, spec, env, run_env, create=False)
        _run(cli, spec, env, ["refresh", "--stack", env, "--yes", *_non_interactive(run_env)])
    return 0


def destroy(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    """Dependants first; a stack that does not exist is skipped, never created."""
    confirm_prod_destroy(env, run_env)
    for spec in destroy_order(stack):
        if resource_count(cli, spec, env) is None:
            print(f"{spec.name}/{env}: no such stack, nothing to destroy")
            continue
        refuse_orphaning(cli, spec, env)
        select_stack(cli, spec, env, run_env, create=False)
        _run(cli, spec, env, ["destroy", "--stack", env, "--yes", *_non_interactive(run_env)])
    return 0


def outputs(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    for spec in deploy_order(stack):
        values = cli.json(["stack", "output", "--json", "--stack", env], spec.directory)
        print(f"# {spec.name}/{env}")
        print(json.dumps(values if values is not None else {}, indent=2, sort_keys=True))
    return 0
