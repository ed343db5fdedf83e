"""What the backend knows about a stack: whether it exists, its resources, its outputs.

Read with ``pulumi stack ls --json`` and ``pulumi stack output --json`` in the stack's folder, each
within the CLI module's time limit for reads. A stack that does not exist is an answer (None: the
CLI's exit 6, ``no stack named 'S' found``); any other failure (backend unreachable, wrong
passphrase, a lock, …) stops the run with the CLI's own error line, never reads as "nothing there".
"""

from __future__ import annotations

import json
from typing import Any

from shared.stacks import StackSpec
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import PulumiCli, exit_status


def _json(cli: PulumiCli, spec: StackSpec, args: list[str], what: str) -> Any | None:
    captured = cli.capture(args, spec.directory, label=what)
    if captured.code != 0:
        if captured.no_such_stack:
            return None
        if captured.locked:
            raise DeployError(captured.failure(what), code=exit_status(captured.code))
        raise DeployError(
            f"{what}: pulumi {' '.join(args[:2])} failed: {captured.error_line}",
            code=exit_status(captured.code),
        )
    try:
        return json.loads(captured.stdout or "null")
    except json.JSONDecodeError:
        raise DeployError(f"{what}: pulumi {' '.join(args[:2])} did not print JSON") from None


def resource_count(cli: PulumiCli, spec: StackSpec, env: str) -> int | None:
    """Resources in the stack ``env`` of ``spec`` (0 if never deployed); None if no such stack."""
    listing = _json(cli, spec, ["stack", "ls", "--json"], spec.name)
    if not isinstance(listing, list):
        raise DeployError(f"{spec.name}: pulumi stack ls --json did not print a list")
    for entry in listing:
        if isinstance(entry, dict) and str(entry.get("name", "")).split("/")[-1] == env:
            return int(entry.get("resourceCount") or 0)
    return None


def stack_outputs(cli: PulumiCli, spec: StackSpec, stack: str) -> dict[str, Any] | None:
    """The outputs of ``stack`` (a name or ``org/project/name``) in ``spec``'s folder; None if absent."""
    outputs = _json(
        cli, spec, ["stack", "output", "--json", "--stack", stack], f"{spec.name}/{stack}"
    )
    if outputs is None:
        return None
    if not isinstance(outputs, dict):
        raise DeployError(
            f"{spec.name}/{stack}: pulumi stack output --json did not print an object"
        )
    return outputs
