"""``python -m tooling.deploy {preview,up,refresh,destroy,outputs} --env ENV [--stack STACK]``.

The Makefile's preview/deploy/refresh/destroy/outputs targets call this with ``ENV`` and ``STACK``;
``CI``, ``YES`` and ``CONFIRM`` come from the environment. ``changed`` prints the pull-request
preview matrix (see :mod:`tooling.deploy.changes`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from shared.environments import ENVIRONMENTS
from shared.stacks import STACKS, deploy_order, destroy_order
from tooling.deploy import commands
from tooling.deploy.changes import changed_matrix
from tooling.deploy.credentials import NO_CREDENTIALS, has_aws_credentials
from tooling.deploy.environment import LOCAL_ENV, resolve
from tooling.deploy.errors import INTERRUPTED, DeployError
from tooling.deploy.pulumi_cli import PulumiCli

COMMANDS = {
    "preview": commands.preview,
    "up": commands.up,
    "refresh": commands.refresh,
    "destroy": commands.destroy,
    "outputs": commands.outputs,
}
VALID_ENVS = (*ENVIRONMENTS, LOCAL_ENV)
VALID_STACKS = (*STACKS, "all")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tooling.deploy", description=__doc__)
    parser.add_argument("command", choices=(*COMMANDS, "changed"))
    parser.add_argument("--env", default="", help=f"one of: {', '.join(VALID_ENVS)}")
    parser.add_argument("--stack", default="all", help=f"one of: {', '.join(VALID_STACKS)}")
    parser.add_argument(
        "--base", default="origin/main", help="with 'changed': the git ref to diff against"
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
    if args.command != "outputs":
        order = destroy_order(args.stack) if args.command == "destroy" else specs
        names = " -> ".join(s.name for s in order)
        print(f"deploy: {args.command} {args.env}: {names} ({run_env.describe()})", flush=True)
    return COMMANDS[args.command](args.env, args.stack, run_env, cli)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except DeployError as error:
        print(f"deploy: {error.message}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("deploy: interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
