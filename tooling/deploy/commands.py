"""The commands: preview, up, refresh, destroy, outputs, run stack by stack in dependency order."""

from __future__ import annotations

import json
from collections.abc import Callable

from shared.contract import OUTPUT_NAMES
from shared.stacks import REPO_ROOT, STACKS, StackSpec, deploy_order, destroy_order
from tooling.deploy.environment import LOCAL_ENV, RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.pulumi_cli import PulumiCli
from tooling.deploy.safety import Ask, confirm_prod_deploy, confirm_prod_destroy, refuse_orphaning

POLICY_PACK = REPO_ROOT / "policies"


def policy_args(env: str) -> list[str]:
    config = POLICY_PACK / "config" / f"{'dev' if env == LOCAL_ENV else env}.json"
    return ["--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(config)]


def select_stack(cli: PulumiCli, spec: StackSpec, env: str, run_env: RunEnvironment) -> None:
    args = ["stack", "select", env, "--create"]
    provider = run_env.secrets_providers.get(spec.name)
    if provider:
        args += ["--secrets-provider", provider]
    code = cli.run(args, spec.directory)
    if code:
        raise DeployError(f"{spec.name}/{env}: pulumi stack select failed (exit {code})", code=code)


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


def _common(run_env: RunEnvironment) -> list[str]:
    return ["--non-interactive"] if run_env.ci else []


def _run_each(
    stacks: list[StackSpec],
    env: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    step: Callable[[StackSpec], list[str]],
) -> int:
    for spec in stacks:
        select_stack(cli, spec, env, run_env)
        args = step(spec)
        code = cli.run(args, spec.directory)
        if code:
            raise DeployError(
                f"{spec.name}/{env}: pulumi {args[0]} failed (exit {code}); stopping", code=code
            )
    return 0


def preview(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    def step(spec: StackSpec) -> list[str]:
        if spec.references:
            require_network_outputs(cli, spec, env)
        return ["preview", "--stack", env, "--diff", *policy_args(env), *_common(run_env)]

    return _run_each(deploy_order(stack), env, run_env, cli, step)


def up(
    env: str,
    stack: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    *,
    ask: Ask = input,
    interactive: bool | None = None,
) -> int:
    for spec in deploy_order(stack):
        select_stack(cli, spec, env, run_env)
        if spec.references:
            require_network_outputs(cli, spec, env)
        asks = env == "prod" and not (run_env.ci or run_env.assume_yes)
        if asks:
            code = cli.run(["preview", "--stack", env, "--diff", *policy_args(env)], spec.directory)
            if code:
                raise DeployError(
                    f"{spec.name}/{env}: pulumi preview failed (exit {code}); stopping", code=code
                )
        confirm_prod_deploy(env, run_env, ask=ask, interactive=interactive)
        args = ["up", "--stack", env, "--yes", *policy_args(env), *_common(run_env)]
        if asks:
            args.append("--skip-preview")
        code = cli.run(args, spec.directory)
        if code:
            raise DeployError(
                f"{spec.name}/{env}: pulumi up failed (exit {code}); stopping", code=code
            )
    return 0


def refresh(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    return _run_each(
        deploy_order(stack),
        env,
        run_env,
        cli,
        lambda spec: ["refresh", "--stack", env, "--yes", *_common(run_env)],
    )


def destroy(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    confirm_prod_destroy(env, run_env)
    for spec in destroy_order(stack):
        select_stack(cli, spec, env, run_env)
        refuse_orphaning(cli, spec, env)
        code = cli.run(["destroy", "--stack", env, "--yes", *_common(run_env)], spec.directory)
        if code:
            raise DeployError(
                f"{spec.name}/{env}: pulumi destroy failed (exit {code}); stopping", code=code
            )
    return 0


def outputs(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    for spec in deploy_order(stack):
        values = cli.json(["stack", "output", "--json", "--stack", env], spec.directory)
        print(f"# {spec.name}/{env}")
        print(json.dumps(values if values is not None else {}, indent=2, sort_keys=True))
    return 0
