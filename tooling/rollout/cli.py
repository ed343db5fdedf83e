"""``python -m tooling.rollout --env ENV --model MODEL --to VERSION [--steps 10,50,100] [--bake 300]
[--retire] [--record FILE]``: ``make rollout`` (which passes its variables as data).

Exit codes: 0 the new version has all the traffic (and the old one is retired with ``--retire``);
1 a breach rolled the model back (the last line names the metric, the figures and the step), or a
prod confirmation was declined; 2 bad input or a missing prerequisite (one line, before anything
ran); pulumi's own code when a deploy failed (1 generic, 8 cancelled; the rollout rolled back);
124 a pulumi command ran past its time limit; 128 + N after signal N (130 Ctrl-C, 143 SIGTERM,
129 SIGHUP), once rolled back (or, answered on a terminal, left as it was).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3

from shared.serving_outputs import ServingOutputs
from tooling.deploy.credentials import NO_CREDENTIALS, caller_identity, has_aws_credentials
from tooling.deploy.environment import LOCAL_ENV, resolve
from tooling.deploy.errors import DeployError
from tooling.deploy.safety import prod_asks
from tooling.pulumi_cli import (
    Interrupted,
    PulumiCli,
    PulumiCliError,
    Redactor,
    signals_stop_the_run,
)
from tooling.rollout.clock import SYSTEM_CLOCK, Clock
from tooling.rollout.deployer import SERVING, Deployer, confirm_prod_rollout
from tooling.rollout.engine import Rollout
from tooling.rollout.inputs import (
    HEALTH_TIMEOUT_SECONDS,
    Plan,
    Request,
    RolloutError,
    plan_rollout,
)
from tooling.rollout.progress import Progress
from tooling.rollout.record import Record, default_path, stamp
from tooling.rollout.watch import Aws
from tooling.verify.outputs import ALB_ARN


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tooling.rollout", description=__doc__)
    parser.add_argument("--env", default="")
    parser.add_argument("--model", default="")
    parser.add_argument("--to", default="")
    parser.add_argument("--steps", default="", help="percents, e.g. 10,50,100 (serving:rollout)")
    parser.add_argument("--bake", default="", help="seconds per step (serving:rollout)")
    parser.add_argument("--retire", action="store_true", help="at 100 %%: remove the old version")
    parser.add_argument("--record", type=Path, help="the JSON record (default .rollout/...)")
    parser.add_argument(
        "--health-timeout",
        default="",
        help=f"seconds the new version may take to be healthy in every AZ ({HEALTH_TIMEOUT_SECONDS})",
    )
    return parser


def _aws(region: str) -> Aws:
    session: Any = boto3.session.Session(region_name=region)
    return Aws(session.client("elbv2"), session.client("ec2"), session.client("cloudwatch"))


def _header(plan: Plan, clock: Clock) -> dict[str, Any]:
    return {
        "env": plan.env,
        "model": plan.model,
        "to": plan.to,
        "previous": plan.previous,
        "steps_percent": plan.steps,
        "bake_seconds": plan.bake_seconds,
        "retire": plan.retire,
        "limits": plan.limits.model_dump(by_alias=True),
        "file": str(plan.path),
        "start_weights": plan.start_weights,
        "started": stamp(clock.now()),
    }


def run(
    argv: Sequence[str] | None = None,
    *,
    clock: Clock = SYSTEM_CLOCK,
    ask: Callable[[str], str] = input,
    interactive: bool | None = None,
    has_credentials: Callable[[], bool] = has_aws_credentials,
    identity: Callable[[], str] = caller_identity,
) -> tuple[int, str]:
    """The exit code and the last line (on stdout for 0, else on stderr)."""
    args = _parser().parse_args(argv)
    request = Request(
        args.env, args.model, args.to, args.steps, args.bake, args.retire, args.health_timeout
    )
    plan = plan_rollout(request)
    run_env = resolve(plan.env, [SERVING])
    cli = PulumiCli.find(run_env.variables, tool="rollout")
    if plan.env != LOCAL_ENV and not has_credentials():
        raise RolloutError(NO_CREDENTIALS)
    terminal = sys.stdin.isatty() if interactive is None else interactive
    if prod_asks(plan.env, run_env, interactive=terminal, what="rollout"):
        confirm_prod_rollout(plan, identity(), ask)
    deployer = Deployer(plan.env, run_env, cli)
    deployer.preflight()
    progress = Progress()
    record_path = args.record or _record_env() or default_path(plan.env, plan.model, clock.now())
    record = Record.start(record_path, _header(plan, clock))
    outputs = _outputs(deployer)
    rollout = Rollout(
        plan, deployer, _aws(_region(outputs)), clock, progress, record, ask,
        interactive=terminal and not run_env.ci,
    )  # fmt: skip
    code = rollout.run(outputs)
    return code, rollout.last_line


def _record_env() -> Path | None:
    value = os.environ.get("ROLLOUT_RECORD", "").strip()
    return Path(value) if value else None


def _outputs(deployer: Deployer) -> ServingOutputs:
    outputs = deployer.outputs()
    if outputs is None:
        raise RolloutError(
            f"serving/{deployer.env} has no outputs: deploy it first "
            f"(make deploy ENV={deployer.env} STACK=serving)"
        )
    return outputs


def _region(outputs: ServingOutputs) -> str:
    match = ALB_ARN.match(outputs.alb_arn)
    assert match is not None  # validated with the outputs
    return match["region"]


def main(argv: Sequence[str] | None = None, **options: Any) -> int:
    redact = Redactor.from_environ(os.environ)
    try:
        with signals_stop_the_run():
            code, line = run(argv, **options)
    except (RolloutError, DeployError, PulumiCliError) as error:
        print(f"rollout: {redact(error.message)}", file=sys.stderr)
        return error.code
    except Interrupted as stopped:
        print(f"rollout: {redact(stopped.message)}", file=sys.stderr)
        return stopped.code
    print(f"rollout: {redact(line)}", file=sys.stdout if code == 0 else sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
