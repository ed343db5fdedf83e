"""``python -m tooling.verify --env ENV [--outputs FILE] [--probe] [--wait SECONDS] [--json PATH]``.

Exit codes: 0 every check passes (warnings allowed), 1 a check fails, 2 a usage or outputs error.
JSON (``--json``): ``{"env", "alb_arn", "passed": bool, "checks": [{"group", "name", "status", "detail"}]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.table import Table

from shared.environments import ENVIRONMENTS
from shared.serving_outputs import ServingOutputs
from tooling.verify import aws_view
from tooling.verify.checks import Check, all_checks, health_ok
from tooling.verify.outputs import OutputsError, from_file, from_stack
from tooling.verify.probe import probe_checks

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make verify", description="Check the deployed serving layer from AWS's view."
    )
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument(
        "--outputs",
        type=Path,
        help="the serving stack's outputs as JSON (default: pulumi stack output)",
    )
    parser.add_argument("--region", help="AWS region (default: from the ALB ARN)")
    parser.add_argument(
        "--wait",
        type=int,
        default=0,
        metavar="SECONDS",
        help="wait up to this long for targets to turn healthy",
    )
    parser.add_argument("--poll", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--probe", action="store_true", help="send requests to each model's health path"
    )
    parser.add_argument("--probe-count", type=int, default=10)
    parser.add_argument("--probe-timeout", type=float, default=5.0)
    parser.add_argument("--probe-base-url", help=argparse.SUPPRESS)
    parser.add_argument("--probe-insecure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the checks as JSON here")
    return parser.parse_args(argv)


def _clients(outputs: ServingOutputs, region: str | None) -> tuple[Any, Any]:
    region = region or outputs.alb_arn.split(":")[3]
    session = boto3.session.Session(region_name=region)
    return session.client("elbv2"), session.client("ec2")


def wait_for_health(
    outputs: ServingOutputs,
    view: aws_view.AwsView,
    clients: tuple[Any, Any],
    *,
    seconds: int,
    poll: float,
    console: Console,
) -> aws_view.AwsView:
    """Re-read target health every ``poll`` seconds until it is good enough or time runs out."""
    elbv2, ec2 = clients
    deadline = time.monotonic() + seconds
    with console.status("waiting for targets to turn healthy") as status:
        while not health_ok(outputs, view) and time.monotonic() < deadline:
            healthy = sum(
                1
                for descs in view.target_health.values()
                for d in descs
                if d["TargetHealth"]["State"] == "healthy"
            )
            left = max(0, int(deadline - time.monotonic()))
            line = f"waiting for healthy targets: {healthy} healthy so far, {left}s left"
            if console.is_terminal:
                status.update(line)
            else:
                console.print(line)
            time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
            view.target_health = aws_view.fetch_health(elbv2, ec2, list(view.target_groups))
    return view


def render_table(checks: list[Check], console: Console, env: str) -> None:
    table = Table(title=f"serving/{env}: post-deploy checks")
    for column in ("group", "check", "result", "detail"):
        table.add_column(column, overflow="fold")
    for c in checks:
        table.add_row(c.group, c.name, f"[{STYLE[c.status]}]{c.status}[/]", c.detail)
    console.print(table)
    failed = [c for c in checks if c.status == "fail"]
    console.print(f"{len(checks)} checks: {len(checks) - len(failed)} passed, {len(failed)} failed")


def run(args: argparse.Namespace, console: Console) -> int:
    outputs = from_file(args.outputs) if args.outputs else from_stack(args.env)
    elbv2, ec2 = _clients(outputs, args.region)
    view = aws_view.fetch(elbv2, ec2, outputs)
    if args.wait and view.load_balancer is not None:
        view = wait_for_health(
            outputs, view, (elbv2, ec2), seconds=args.wait, poll=args.poll, console=console
        )
    checks = all_checks(outputs, view)
    if args.probe:
        checks += probe_checks(
            outputs,
            count=args.probe_count,
            timeout=args.probe_timeout,
            base_url=args.probe_base_url,
            verify_tls=not args.probe_insecure,
        )
    render_table(checks, console, args.env)
    passed = all(c.status != "fail" for c in checks)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "env": args.env,
                    "alb_arn": outputs.alb_arn,
                    "passed": passed,
                    "checks": [c.to_json() for c in checks],
                },
                indent=2,
            )
            + "\n"
        )
    return 0 if passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(highlight=False)
    try:
        return run(args, console)
    except OutputsError as error:
        print(f"verify: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"verify: AWS error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
