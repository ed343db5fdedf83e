"""The serving stack's outputs: from the Pulumi CLI, or from a JSON file (``--outputs``).

The CLI is run the way the deploy driver runs it (same state backend and secrets settings, from
``tooling.deploy.environment``), so ``make verify`` reads the stack that ``make deploy`` wrote.
Every problem is an :class:`OutputsError` with a one-line message naming the source and the key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from shared.serving_outputs import ServingOutputs
from shared.stacks import STACKS
from tooling.deploy.environment import resolve
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import PulumiCli, PulumiCliError, Redactor, TimedOut, describe_exit

ALB_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:(?P<region>[a-z0-9-]+):\d{12}:loadbalancer/app/[^/]+/[0-9a-f]+$"
)
STACK = "serving"
CLI_TIMEOUT = 300
"""Seconds for ``pulumi stack output`` (a remote backend can be slow, never this slow)."""


class OutputsError(Exception):
    """The outputs are missing or malformed; the message is one line."""


def region_of(outputs: ServingOutputs) -> str:
    """The ALB's region, from its ARN (validated when the outputs were read)."""
    match = ALB_ARN.match(outputs.alb_arn)
    assert match is not None, outputs.alb_arn
    return match["region"]


def account_of(arn: str) -> str:
    """The account field of an ARN (``arn:partition:service:region:account:resource``)."""
    return arn.split(":")[4]


def partition_of(arn: str) -> str:
    return arn.split(":")[1]


def validate(data: object, source: str) -> ServingOutputs:
    """``data`` as :class:`ServingOutputs`, or an error naming ``source``, the key and the value."""
    if not isinstance(data, dict):
        raise OutputsError(
            f"{source}: expected a JSON object of stack outputs, got {type(data).__name__}"
        )
    try:
        outputs = ServingOutputs.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        key = ".".join(str(part) for part in first["loc"])
        value = "<missing>" if first["type"] == "missing" else repr(first.get("input"))[:80]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise OutputsError(f"{source}: {key} = {value}: {first['msg']}{more}") from None
    if not ALB_ARN.match(outputs.alb_arn):
        raise OutputsError(
            f"{source}: alb_arn = {outputs.alb_arn!r}: not an application load balancer ARN"
        )
    if not outputs.models:
        raise OutputsError(f"{source}: models = {{}}: the stack exports no model")
    return outputs


def from_file(path: Path) -> ServingOutputs:
    try:
        text = path.read_text()
    except OSError as exc:
        raise OutputsError(f"{path}: cannot read the outputs file ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutputsError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    return validate(data, str(path))


def stack_output_command(env: str) -> list[str]:
    return ["stack", "output", "--json", "--show-secrets", "--stack", env]


def from_stack(env: str, environ: Mapping[str, str] | None = None) -> ServingOutputs:
    """``pulumi stack output --json --show-secrets --stack <env>`` in ``stacks/serving``."""
    source_environ = os.environ if environ is None else environ
    pulumi = shutil.which("pulumi", path=source_environ.get("PATH"))
    if pulumi is None:
        raise OutputsError(
            "pulumi CLI not found on PATH: pass the serving stack's outputs with --outputs FILE.json"
        )
    try:
        variables = resolve(env, [STACK], source_environ).variables
    except DeployError as error:
        raise OutputsError(error.message) from None
    # The one CLI module: time limit, signals forwarded, output redacted (tooling/pulumi_cli.py).
    cli = PulumiCli(
        pulumi, variables, echo=False, tool="verify", redact=Redactor.from_environ(variables)
    )
    try:
        result = cli.capture(
            stack_output_command(env),
            STACKS[STACK].directory,
            label=f"{STACK}/{env}",
            limit=CLI_TIMEOUT,
        )
    except TimedOut:
        raise OutputsError(
            f"{STACK}/{env}: pulumi stack output did not answer within {CLI_TIMEOUT} s"
        ) from None
    except PulumiCliError as error:
        raise OutputsError(error.message) from None
    source = f"{STACK}/{env} outputs"
    if result.code != 0:
        raise OutputsError(
            cli.redact(
                f"{STACK}/{env}: pulumi stack output failed ({describe_exit(result.code)}): {result.error_line}"
            )
        )
    try:
        data = json.loads(result.stdout or "null")
    except json.JSONDecodeError:
        raise OutputsError(f"{source}: pulumi stack output did not print JSON") from None
    return validate(data, source)
