"""``python -m tooling.deploy {preview,up,refresh,destroy,outputs,drift,exists} --env ENV [--stack STACK]``.

The Makefile's preview/deploy/refresh/destroy/outputs/drift targets call this with ``ENV`` and
``STACK`` (passed as arguments from the environment, never as shell text); ``CI``, ``YES`` and
``CONFIRM`` come from the environment. ``exists`` prints ``exists=true|false`` for the preview
workflow (read-only); ``changed`` prints the pull-request preview matrix (see
:mod:`tooling.deploy.changes`).

Exit codes: 0 done; 1 a prod confirmation was declined; 2 bad input or a missing prerequisite
(one line, before any change); 3 ``drift`` found drift; pulumi's own code when a pulumi command
failed (1 generic, 6 no such stack, 8 cancelled); 124 a pulumi command ran past its time limit;
128 + N after signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP), once pulumi has stopped.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from shared.environments import ENVIRONMENTS
from shared.stacks import STACKS, StackSpec, deploy_order, destroy_order
from tooling.deploy import commands
from tooling.deploy.changes import changed_matrix
from tooling.deploy.credentials import NO_CREDENTIALS, has_aws_credentials
from tooling.deploy.drift import drift
from tooling.deploy.environment import LOCAL_ENV, resolve
from tooling.deploy.errors import DeployError
from tooling.deploy.stack_state import resource_count
from tooling.pulumi_cli import (
    Interrupted,
    PulumiCli,
    PulumiCliError,
    Redactor,
    signals_stop_the_run,
)

COMMANDS = {
    "preview": commands.preview,
    "up": commands.up,
    "refresh": commands.refresh,
    "destroy": commands.destroy,
    "outputs": commands.outputs,
    "drift": drift,
}
VALID_ENVS = (*ENVIRONMENTS, LOCAL_ENV)
VALID_STACKS = (*STACKS, "all")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tooling.deploy", description=__doc__)
    parser.add_argument("command", choices=(*COMMANDS, "exists", "changed"))
    parser.add_argument("--env", default="", help=f"one of: {', '.join(VALID_ENVS)}")
    parser.add_argument("--stack", default="all", help=f"one of: {', '.join(VALID_STACKS)}")
    parser.add_argument(
        "--base", default="origin/main", help="with 'changed': the git ref to diff against"
    )
    parser.add_argument(
        "--report", type=Path, help="with 'drift': also write the findings as Markdown here"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        help="with 'changed': changed paths (default: git diff --name-only BASE...HEAD)",
    )
    return parser


def run(
    argv: Sequence[str] | None = None, *, has_credentials: Callable[[], bool] = has_aws_credentials
) -> int:
    args = _parser().parse_args(argv)
    if args.command == "changed":
        print(changed_matrix(args.paths or None, base=args.base))
        return 0
    if args.env not in VALID_ENVS:
        what = f"unknown ENV={args.env!r}" if args.env else "ENV is required"
        raise DeployError(
            f"{what}; expected one of: {', '.join(VALID_ENVS)} (e.g. make deploy ENV=dev)"
        )
    if args.stack not in VALID_STACKS:
        raise DeployError(
            f"unknown STACK={args.stack!r}; expected one of: {', '.join(VALID_STACKS)}"
        )
    specs = deploy_order(args.stack)
    run_env = resolve(args.env, [s.name for s in specs])
    cli = PulumiCli.find(run_env.variables)
    if args.env != LOCAL_ENV and args.command != "outputs" and not has_credentials():
        raise DeployError(NO_CREDENTIALS)
    if args.command == "exists":
        return exists(specs, args.env, cli)
    if args.command != "outputs":
        order = destroy_order(args.stack) if args.command == "destroy" else specs
        names = " -> ".join(s.name for s in order)
        print(f"deploy: {args.command} {args.env}: {names} ({run_env.describe()})", flush=True)
    if args.command == "drift":
        return drift(args.env, args.stack, run_env, cli, report=args.report)
    return COMMANDS[args.command](args.env, args.stack, run_env, cli)


def exists(specs: list[StackSpec], env: str, cli: PulumiCli) -> int:
    """``exists=true|false`` (for ``$GITHUB_OUTPUT``): do all these stacks exist? Read-only."""
    found = all(resource_count(cli, spec, env) is not None for spec in specs)
    print(f"exists={'true' if found else 'false'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    redact = Redactor.from_environ(os.environ)
    try:
        with signals_stop_the_run():
            return run(argv)
    except (DeployError, PulumiCliError) as error:
        print(f"deploy: {redact(error.message)}", file=sys.stderr)
        return error.code
    except Interrupted as stopped:
        print(f"deploy: {redact(stopped.message)}", file=sys.stderr)
        return stopped.code
    except KeyboardInterrupt:
        print("deploy: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
