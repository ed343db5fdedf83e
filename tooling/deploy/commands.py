"""The commands: preview, up, refresh, destroy, outputs, run stack by stack in dependency order.

Every command first does everything that changes nothing: each selected stack's file read, its
YAML parsed, its config validated with the stack's own model, its network reference checked, the
policy config found (:func:`preflight`), then which stacks exist (``stack ls``, read-only) and
whether their committed secrets-provider lines fit (:mod:`tooling.deploy.secrets`), and in prod
the confirmation decided. Only then does a call that changes something run. Every ``pulumi`` call
runs in the stack's folder with an explicit ``--stack <env>`` through :mod:`tooling.pulumi_cli`
(time limits, signal forwarding, lock recognition, redaction); preview and up carry the policy
pack and its per-env config. A failing command stops the run with its exit code and a line naming
the stack.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from shared.stacks import REPO_ROOT, STACKS, StackSpec, deploy_order, destroy_order
from tooling.deploy.credentials import caller_identity
from tooling.deploy.environment import LOCAL_ENV, RunEnvironment
from tooling.deploy.errors import DeployError
from tooling.deploy.safety import (
    Ask,
    confirm_prod_create,
    confirm_prod_deploy,
    confirm_prod_destroy,
    confirm_prod_refresh,
    prod_asks,
    refuse_orphaning,
)
from tooling.deploy.secrets import after_create, check_existing
from tooling.deploy.stack_config import StackFile, read_stack_file, referenced_stack, validate
from tooling.deploy.stack_state import resource_count, stack_outputs
from tooling.pulumi_cli import PulumiCli, exit_status, redact_url

POLICY_PACK = REPO_ROOT / "policies"


def contract_of(reference: str) -> type[BaseModel] | None:
    """The outputs a referenced stack promises its dependants (a field with no default is required).

    Imported when needed: ``shared.contract`` brings in the Pulumi SDK (~0.3 s), which commands
    that run no program (outputs, refresh, destroy, drift) do without."""
    from shared.contract import NetworkContract

    return {"network": NetworkContract}.get(reference)


Files = dict[str, StackFile]
Counts = dict[str, int | None]


def policy_config(env: str) -> Path:
    """``policies/config/<env>.json``; ``local`` uses dev's."""
    return POLICY_PACK / "config" / f"{'dev' if env == LOCAL_ENV else env}.json"


def policy_args(env: str) -> list[str]:
    return ["--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(policy_config(env))]


def _non_interactive(run_env: RunEnvironment) -> list[str]:
    return ["--non-interactive"] if run_env.ci else []


def _interactive(interactive: bool | None) -> bool:
    return sys.stdin.isatty() if interactive is None else interactive


def run_pulumi(cli: PulumiCli, spec: StackSpec, env: str, args: list[str]) -> None:
    """Run one pulumi command in the stack's folder; a failure stops everything with its code."""
    label = f"{spec.name}/{env}"
    done = cli.run(args, spec.directory, label=label)
    if done.code:
        message = done.failure(label)
        raise DeployError(
            message if done.locked else f"{message}; stopping", code=exit_status(done.code)
        )


# ---- before anything changes -------------------------------------------------------------------
def preflight(specs: list[StackSpec], env: str, *, programs: bool = True) -> Files:
    """Every selected stack's file, YAML, config model and references; the pack's env config.

    ``programs=False`` (refresh, destroy, drift: the program does not run) skips the models.
    """
    files: Files = {}
    for spec in specs:
        stack_file = read_stack_file(spec, env)
        if programs:
            validate(stack_file)
            for reference in spec.references:
                referenced_stack(stack_file, reference)
        files[spec.name] = stack_file
    config = policy_config(env)
    if programs and not config.is_file():
        raise DeployError(
            f"{config.relative_to(REPO_ROOT)} does not exist: no policy config for {env}"
        )
    return files


def existing(
    cli: PulumiCli, specs: list[StackSpec], env: str, files: Files, run_env: RunEnvironment
) -> Counts:
    """Which stacks exist (read-only ``stack ls``), and their secrets lines checked against that."""
    counts: Counts = {}
    for spec in specs:
        counts[spec.name] = resource_count(cli, spec, env)
        if spec.name in files:
            check_existing(files[spec.name], run_env, exists=counts[spec.name] is not None)
    return counts


def create_stack(
    cli: PulumiCli, spec: StackSpec, env: str, run_env: RunEnvironment, stack_file: StackFile
) -> None:
    """``stack select --create`` (with the configured provider), then check and name what it wrote."""
    args = ["stack", "select", env, "--create"]
    provider = run_env.secrets_providers.get(spec.name)
    if provider:
        args += ["--secrets-provider", provider]
    run_pulumi(cli, spec, env, args)
    note = after_create(stack_file, run_env)
    if note:
        print(f"deploy: {note}", flush=True)


def require_references(cli: PulumiCli, spec: StackSpec, env: str, stack_file: StackFile) -> None:
    """Before a stack that reads others' outputs: they must have exported their contract."""
    for reference in spec.references:
        name = referenced_stack(stack_file, reference)
        deploy_first = f"deploy it first (make deploy ENV={env} STACK={reference})"
        outputs = stack_outputs(cli, STACKS[reference], name)
        if outputs is None:
            raise DeployError(
                f"{spec.name}/{env}: the {reference} stack {name} does not exist yet: {deploy_first}"
            )
        contract = contract_of(reference)
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


# ---- the commands --------------------------------------------------------------------------------
def preview(
    env: str,
    stack: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    *,
    ask: Ask = input,
    interactive: bool | None = None,
    identity: Callable[[], str] = caller_identity,
) -> int:
    """A stack that does not exist yet is created first (empty): in prod, only once confirmed."""
    specs = deploy_order(stack)
    files = preflight(specs, env)
    counts = existing(cli, specs, env, files, run_env)
    creates = any(counts[s.name] is None for s in specs)
    asks = creates and prod_asks(
        env, run_env, interactive=_interactive(interactive), what="preview of a new stack"
    )
    account = identity() if asks else ""
    for spec in specs:
        require_references(cli, spec, env, files[spec.name])
        if counts[spec.name] is None:
            if asks:
                confirm_prod_create(spec, account, redact_url(run_env.backend_url), ask)
            create_stack(cli, spec, env, run_env, files[spec.name])
        args = ["preview", "--stack", env, "--diff", *policy_args(env), *_non_interactive(run_env)]
        run_pulumi(cli, spec, env, args)
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
    """``pulumi up`` per stack; prod on a terminal: (confirm a new stack,) preview, name the
    account, ask, then update with ``--skip-preview``: what was shown is what runs."""
    specs = deploy_order(stack)
    files = preflight(specs, env)
    asks = prod_asks(env, run_env, interactive=_interactive(interactive))
    account = identity() if asks else ""
    counts = existing(cli, specs, env, files, run_env)
    for spec in specs:
        require_references(cli, spec, env, files[spec.name])
        if counts[spec.name] is None:
            if asks:
                confirm_prod_create(spec, account, redact_url(run_env.backend_url), ask)
            create_stack(cli, spec, env, run_env, files[spec.name])
        if asks:
            run_pulumi(cli, spec, env, ["preview", "--stack", env, "--diff", *policy_args(env)])
            confirm_prod_deploy(spec, account, ask)
        args = ["up", "--stack", env, "--yes", *policy_args(env), *_non_interactive(run_env)]
        run_pulumi(cli, spec, env, [*args, "--skip-preview"] if asks else args)
    return 0


def refresh(
    env: str,
    stack: str,
    run_env: RunEnvironment,
    cli: PulumiCli,
    *,
    ask: Ask = input,
    interactive: bool | None = None,
    identity: Callable[[], str] = caller_identity,
) -> int:
    """Never creates a stack. Prod asks like deploy: ``refresh --preview-only``, the question, then
    ``refresh --yes --skip-preview``."""
    specs = deploy_order(stack)
    files = preflight(specs, env, programs=False)
    asks = prod_asks(env, run_env, interactive=_interactive(interactive), what="refresh")
    account = identity() if asks else ""
    counts = existing(cli, specs, env, files, run_env)
    for spec in specs:
        if counts[spec.name] is None:
            raise DeployError(
                f"{spec.name}/{env}: no such stack to refresh (deploy it first: make deploy ENV={env} STACK={spec.name})"
            )
    for spec in specs:
        if asks:
            run_pulumi(cli, spec, env, ["refresh", "--stack", env, "--preview-only", "--diff"])
            confirm_prod_refresh(spec, account, ask)
        args = ["refresh", "--stack", env, "--yes", *_non_interactive(run_env)]
        run_pulumi(cli, spec, env, [*args, "--skip-preview"] if asks else args)
    return 0


def destroy(env: str, stack: str, run_env: RunEnvironment, cli: PulumiCli) -> int:
    """Dependants first; a stack that does not exist is skipped, never created.

    The emptied stacks stay (with their config and history); ``pulumi stack rm`` removes one.
    """
    confirm_prod_destroy(env, run_env)
    specs = destroy_order(stack)
    files = {s.name: read_stack_file(s, env) for s in specs if s.config_file(env).is_file()}
    counts = existing(cli, specs, env, files, run_env)
    for spec in specs:
        if counts[spec.name] is None:
            print(f"{spec.name}/{env}: no such stack, nothing to destroy", flush=True)
            continue
        refuse_orphaning(cli, spec, env)
        run_pulumi(cli, spec, env, ["destroy", "--stack", env, "--yes", *_non_interactive(run_env)])
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
