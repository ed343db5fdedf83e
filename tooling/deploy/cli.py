"""``python -m tooling.deploy {preview,up,refresh,destroy,outputs,changed} --env ENV [--stack STACK]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from shared.environments import ENVIRONMENTS
from shared.stacks import STACKS, deploy_order
from tooling.deploy import commands
from tooling.deploy.changes import changed_matrix
from tooling.deploy.credentials import has_aws_credentials
from tooling.deploy.environment import LOCAL_ENV, resolve
from tooling.deploy.errors import DeployError
from tooling.deploy.pulumi_cli import PulumiCli

COMMANDS = {
    "preview": commands.preview,
    "up": commands.up,
    "refresh": commands.refresh,
    "destroy": commands.destroy,
    "outputs": commands.outputs,
}
VALID_ENVS = (*ENVIRONMENTS, LOCAL_ENV)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tooling.deploy", description=__doc__)
    parser.add_argument("command", choices=(*COMMANDS, "changed"))
    parser.add_argument("--env", default="")
    parser.add_argument("--stack", default="all")
    parser.add_argument(
        "--base", default="origin/main", help="with 'changed': the git ref to diff against"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        help="with 'changed': changed paths (default: git diff --name-only BASE)",
    )
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "changed":
        print(changed_matrix(args.paths or None, base=args.base))
        return 0
    if args.env not in VALID_ENVS:
        raise DeployError(
            f"unknown ENV={args.env!r}; expected one of: {', '.join(VALID_ENVS)} (e.g. make deploy ENV=dev)"
        )
    try:
        stacks = deploy_order(args.stack)
    except ValueError:
        raise DeployError(
            f"unknown STACK={args.stack!r}; expected one of: {', '.join((*STACKS, 'all'))}"
        ) from None
    run_env = resolve(args.env, [s.name for s in stacks])
    cli = PulumiCli.find(run_env.variables)
    if args.env != LOCAL_ENV and args.command != "outputs" and not has_aws_credentials():
        raise DeployError(
            "no AWS credentials found: run `aws sso login` / set AWS_PROFILE or AWS_ACCESS_KEY_ID (CI: the OIDC role)"
        )
    return COMMANDS[args.command](args.env, args.stack, run_env, cli)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except DeployError as error:
        print(f"deploy: {error.message}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("deploy: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
