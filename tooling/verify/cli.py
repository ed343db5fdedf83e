"""``python -m tooling.verify --env ENV [--outputs FILE.json] [--wait SECONDS] [--probe] [--json PATH]``.

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 a usage, outputs or AWS
access error (one line on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from rich.console import Console

from shared.environments import ENVIRONMENTS
from shared.errors import first_line
from shared.serving_outputs import ServingOutputs
from tooling.verify import aws_view, report
from tooling.verify.bucket_view import BucketView, fetch_bucket
from tooling.verify.checks import all_checks
from tooling.verify.checks.bucket_common import log_prefix
from tooling.verify.outputs import OutputsError, account_of, from_file, from_stack, region_of
from tooling.verify.probe import ProbeResult, probe_all
from tooling.verify.wait import SYSTEM_CLOCK, Clock, wait_until_ready

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sts import STSClient

USAGE = 2
INTERRUPTED = 130
MAX_WAIT = 3600
MAX_PROBES = 1000
LOG_WIDTH = 160
RETRIES = Config(retries={"mode": "standard"})
"""Throttling-aware retries; the attempts come from AWS_MAX_ATTEMPTS or the profile (default 3)."""


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _bounded(kind: type[int] | type[float], low: float, high: float) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not between {low:g} and {high:g}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="make verify",
        description="Check the deployed serving layer from AWS's view against the stack's outputs.",
    )
    p.add_argument("--env", default="", help=f"one of {', '.join(ENVIRONMENTS)}")
    p.add_argument(
        "--outputs",
        type=Path,
        metavar="FILE.json",
        help="the serving stack's outputs as a JSON object (default: pulumi stack output)",
    )
    p.add_argument("--region", help="AWS region (default: the ALB's, from its ARN)")
    p.add_argument(
        "--wait",
        type=_bounded(float, 0, MAX_WAIT),
        default=0.0,
        metavar="SECONDS",
        help="wait up to this long for the ALB to be active and targets healthy (default 0)",
    )
    p.add_argument(
        "--poll",
        type=_bounded(float, 0.1, 300),
        default=10.0,
        metavar="SECONDS",
        help="with --wait: seconds between two looks (default 10)",
    )
    p.add_argument("--probe", action="store_true", help="send requests to each model's health path")
    p.add_argument(
        "--probe-count",
        type=_bounded(int, 1, MAX_PROBES),
        default=20,
        metavar="N",
        help="requests per model (default 20)",
    )
    p.add_argument(
        "--probe-timeout",
        type=_bounded(float, 0.1, 60),
        default=5.0,
        metavar="SECONDS",
        help="per request (default 5)",
    )
    p.add_argument(
        "--probe-ca-file",
        type=Path,
        metavar="PEM",
        help="trust these CA certificates (a private CA) instead of the system's",
    )
    p.add_argument(
        "--probe-insecure", action="store_true", help="do not verify the ALB's certificate"
    )
    # Tests point the probe at a local server; the request still carries the service's name.
    p.add_argument("--probe-base-url", help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON")
    return p


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    args = parser().parse_args(argv)
    if args.env not in ENVIRONMENTS:
        raise UsageError(
            f"unknown ENV={args.env!r}; expected one of: {', '.join(ENVIRONMENTS)} (e.g. make verify ENV=prod)"
        )
    if args.probe_ca_file is not None and not args.probe_ca_file.is_file():
        raise UsageError(f"--probe-ca-file {args.probe_ca_file}: no such file")
    return args


@dataclass(frozen=True)
class Clients:
    elbv2: ElasticLoadBalancingv2Client
    ec2: EC2Client
    s3: S3Client
    sts: STSClient


def clients(region: str) -> Clients:
    """The clients of one session; ``AWS_ENDPOINT_URL`` is honoured by boto3 itself."""
    session = boto3.session.Session(region_name=region)
    return Clients(
        session.client("elbv2", config=RETRIES),
        session.client("ec2", config=RETRIES),
        session.client("s3", config=RETRIES),
        session.client("sts", config=RETRIES),
    )


def log_bucket(aws: Clients, outputs: ServingOutputs) -> BucketView:
    """The access-log bucket, owned by the stack's account unless the stack names another."""
    account = outputs.log_bucket_settings.owner_account_id or account_of(outputs.alb_arn)
    return fetch_bucket(
        aws.s3,
        outputs.log_bucket,
        account=account,
        caller_account=aws.sts.get_caller_identity()["Account"],
        log_prefix=log_prefix(outputs, outputs.alb_settings.access_logs_prefix),
    )


def run(args: argparse.Namespace, out: Console, err: Console, clock: Clock = SYSTEM_CLOCK) -> int:
    outputs = from_file(args.outputs) if args.outputs else from_stack(args.env)
    aws = clients(args.region or region_of(outputs))
    view = aws_view.fetch(aws.elbv2, aws.ec2, outputs)
    waited = 0.0
    if args.wait:
        view, waited = wait_until_ready(
            outputs, view, (aws.elbv2, aws.ec2), seconds=args.wait, poll=args.poll, console=err,
            clock=clock,
        )  # fmt: skip
    if view.load_balancer is not None:
        # After the waiting: logs delivered meanwhile count.
        view.bucket = log_bucket(aws, outputs)
    checks = all_checks(outputs, view)
    probes: list[ProbeResult] = []
    if args.probe:
        probes = probe_all(
            outputs,
            count=args.probe_count,
            timeout=args.probe_timeout,
            base_url=args.probe_base_url,
            ca_file=args.probe_ca_file,
            insecure=args.probe_insecure,
        )
        checks += [p.check() for p in probes]
    report.render_table(checks, out, env=args.env, alb_arn=outputs.alb_arn)
    if args.json:
        report.write_json(
            args.json,
            report.to_json(
                checks, probes, env=args.env, alb_arn=outputs.alb_arn, waited_seconds=waited
            ),
        )
    return 0 if report.passed(checks) else 1


def _stdout() -> Console:
    """The table's console; off a terminal (CI logs, pipes) wide enough to keep rows on one line."""
    console = Console(highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = LOG_WIDTH
    return console


def main(argv: Sequence[str] | None = None, *, clock: Clock = SYSTEM_CLOCK) -> int:
    def fail(message: str, code: int = USAGE) -> int:
        print(f"verify: {message}", file=sys.stderr)
        return code

    try:
        args = parse_args(argv)
        return run(args, _stdout(), Console(stderr=True, highlight=False), clock)
    except (UsageError, OutputsError) as error:
        return fail(str(error))
    except NoCredentialsError:
        return fail(
            "no AWS credentials found: run `aws sso login` / set AWS_PROFILE or AWS_ACCESS_KEY_ID"
        )
    except (BotoCoreError, ClientError) as error:
        return fail(f"AWS error: {first_line(error)}")
    except OSError as error:
        return fail(f"{getattr(error, 'filename', None) or 'I/O'}: {error.strerror or error}")
    except KeyboardInterrupt:
        return fail("interrupted", INTERRUPTED)
